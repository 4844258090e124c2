import JSON
import XCTest

@testable import Routing

final class AnthropicResponseTests: XCTestCase {
    private let adapter = AnthropicAdapter()

    private func decode(_ text: String) throws(UpstreamFailure) -> ChatCompletion {
        try adapter.chatResponse(Array(text.utf8), model: "claude-sonnet-4-5")
    }

    func testTextToolUseAndCachedUsage() throws {
        let completion = try decode(
            """
            {"id":"msg_01Aq9w938a90dw8q","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",
             "content":[{"type":"text","text":"I'll check the weather."},
               {"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"get_weather","input":{"location":"San Francisco, CA","unit":"celsius"}}],
             "stop_reason":"tool_use","stop_sequence":null,
             "usage":{"input_tokens":472,"cache_creation_input_tokens":100,"cache_read_input_tokens":2000,"output_tokens":89}}
            """)
        XCTAssertEqual(completion.body["object"], "chat.completion")
        XCTAssertEqual(completion.body["id"], "msg_01Aq9w938a90dw8q")
        let choice = completion.body["choices"]?[0]
        XCTAssertEqual(choice?["finish_reason"], "tool_calls")
        XCTAssertEqual(choice?["message"]?["role"], "assistant")
        XCTAssertEqual(choice?["message"]?["content"], "I'll check the weather.")
        let call = choice?["message"]?["tool_calls"]?[0]
        XCTAssertEqual(call?["id"], "toolu_01A09q90qw90lq917835lq9")
        XCTAssertEqual(call?["type"], "function")
        XCTAssertEqual(call?["function"]?["name"], "get_weather")
        let arguments = try JSON.parse(call?["function"]?["arguments"]?.stringValue ?? "")
        XCTAssertEqual(arguments, ["location": "San Francisco, CA", "unit": "celsius"])
        // Cache reads and writes are prompt tokens; both are kept apart for pricing.
        XCTAssertEqual(completion.usage, TokenUsage(prompt: 2572, completion: 89, cached: 2000, cacheWrite: 100))
        XCTAssertEqual(completion.body["usage"]?["prompt_tokens"], 2572)
        XCTAssertEqual(completion.body["usage"]?["prompt_tokens_details"]?["cached_tokens"], 2000)
    }

    func testThinkingBlocksBecomeReasoningContent() throws {
        let completion = try decode(
            """
            {"id":"msg_2","type":"message","role":"assistant","content":[
              {"type":"thinking","thinking":"Let me analyze this step by step...","signature":"WaUjzkypQ2mUEVM36O2TxuC06KN8xyfbJwyem2dw3URve/op91XWHOEBLLqIOMfFG/UvLEczmEsUjavL...."},
              {"type":"redacted_thinking","data":"EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP..."},
              {"type":"text","text":"Based on my analysis, "},{"type":"text","text":"the answer is 42."}],
             "stop_reason":"end_turn","usage":{"input_tokens":10,"output_tokens":200}}
            """)
        let message = completion.body["choices"]?[0]?["message"]
        XCTAssertEqual(message?["reasoning_content"], "Let me analyze this step by step...")
        XCTAssertEqual(message?["content"], "Based on my analysis, the answer is 42.")
        XCTAssertNil(message?["tool_calls"])
        XCTAssertEqual(completion.text, "Based on my analysis, the answer is 42.")
        XCTAssertEqual(completion.usage, TokenUsage(prompt: 10, completion: 200))
    }

    func testJSONOutputToolBecomesTheMessageText() throws {
        let completion = try decode(
            """
            {"id":"msg_3","type":"message","role":"assistant","content":[{"type":"tool_use","id":"toolu_9","name":"json_output","input":{"name":"Ada","born":1815}}],
             "stop_reason":"tool_use","usage":{"input_tokens":50,"output_tokens":20}}
            """)
        let choice = completion.body["choices"]?[0]
        XCTAssertEqual(choice?["finish_reason"], "stop")
        XCTAssertNil(choice?["message"]?["tool_calls"])
        XCTAssertEqual(try JSON.parse(completion.text), ["name": "Ada", "born": 1815])
    }

    func testStopReasons() {
        let table: [(String?, String?)] = [
            ("end_turn", "stop"), ("stop_sequence", "stop"), ("max_tokens", "length"), ("tool_use", "tool_calls"),
            ("refusal", "content_filter"), ("pause_turn", "stop"), (nil, nil),
        ]
        for (reason, expected) in table {
            XCTAssertEqual(AnthropicResponse.finishReason(reason, answeredWithJSONOutput: false), expected, reason ?? "nil")
        }
    }

    func testTheMatchedStopSequenceTravelsInTheChoice() throws {
        let completion = try decode(
            #"{"id":"msg_5","type":"message","role":"assistant","content":[{"type":"text","text":"a b"}],"stop_reason":"stop_sequence","stop_sequence":"END","usage":{"input_tokens":5,"output_tokens":2}}"#
        )
        XCTAssertEqual(completion.body["choices"]?[0]?["finish_reason"], "stop")
        XCTAssertEqual(completion.body["choices"]?[0]?["stop_reason"], "END", "the Messages face reports it back")
        let natural = try decode(
            #"{"id":"msg_6","type":"message","role":"assistant","content":[{"type":"text","text":"a"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":1}}"#
        )
        XCTAssertNil(natural.body["choices"]?[0]?["stop_reason"])
        let stream = """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_7","type":"message","role":"assistant","model":"claude","content":[],"stop_reason":null,"usage":{"input_tokens":5,"output_tokens":1}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":"a b"}}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"stop_sequence","stop_sequence":"END"},"usage":{"output_tokens":2}}

            event: message_stop
            data: {"type":"message_stop"}
            """
        let chunks = try ProviderFixtures.decode(adapter.makeStreamDecoder(model: "claude"), stream, sizes: [4096])
        let finish = chunks.last { $0["choices"]?[0]?["finish_reason"]?.stringValue != nil }
        XCTAssertEqual(finish?["choices"]?[0]?["finish_reason"], "stop")
        XCTAssertEqual(finish?["choices"]?[0]?["stop_reason"], "END")
    }

    func testRefusalWithoutTextIsStillAnAnswer() throws {
        let completion = try decode(
            #"{"id":"msg_4","type":"message","role":"assistant","content":[],"stop_reason":"refusal","usage":{"input_tokens":5,"output_tokens":0}}"#
        )
        XCTAssertEqual(completion.body["choices"]?[0]?["finish_reason"], "content_filter")
        XCTAssertEqual(completion.body["choices"]?[0]?["message"]?["content"], .null)
    }

    func testErrorsAndInvalidBodies() {
        XCTAssertEqual(
            ProviderFixtures.failure { () throws(UpstreamFailure) in
                _ = try decode(#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#)
            }?.kind, .overloaded)
        XCTAssertEqual(
            ProviderFixtures.failure { () throws(UpstreamFailure) in _ = try decode(#"{"id":"x"}"#) }?.kind, .invalidResponse
        )
        XCTAssertEqual(
            ProviderFixtures.failure { () throws(UpstreamFailure) in _ = try decode("[]") }?.kind, .invalidResponse)
    }
}
