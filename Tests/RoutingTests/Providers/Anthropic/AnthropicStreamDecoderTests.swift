import JSON
import XCTest

@testable import Routing

final class AnthropicStreamDecoderTests: XCTestCase {
    private let adapter = AnthropicAdapter()

    /// The text stream from Anthropic's streaming documentation.
    private let textStream = """
        event: message_start
        data: {"type": "message_start", "message": {"id": "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", "type": "message", "role": "assistant", "content": [], "model": "claude-sonnet-4-5-20250929", "stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": 25, "cache_read_input_tokens": 10, "output_tokens": 1}}}

        event: content_block_start
        data: {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}

        event: ping
        data: {"type": "ping"}

        event: content_block_delta
        data: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hello"}}

        event: content_block_delta
        data: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "! Ça va? 👋"}}

        event: content_block_stop
        data: {"type": "content_block_stop", "index": 0}

        event: message_delta
        data: {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence":null}, "usage": {"output_tokens": 15}}

        event: message_stop
        data: {"type": "message_stop"}


        """

    func testTextStreamInEverySplit() throws {
        var reference: [JSON]?
        for sizes in ProviderFixtures.splits {
            let decoder = adapter.makeStreamDecoder(model: "claude-sonnet-4-5")
            let chunks = try ProviderFixtures.decode(decoder, textStream, sizes: sizes)
            XCTAssertEqual(chunks.first?["choices"]?[0]?["delta"], ["role": "assistant", "content": ""])
            XCTAssertEqual(chunks.first?["id"], "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY")
            XCTAssertEqual(chunks.first?["object"], "chat.completion.chunk")
            XCTAssertEqual(ProviderFixtures.joined(chunks, "content"), "Hello! Ça va? 👋")
            XCTAssertEqual(ProviderFixtures.finishReasons(chunks), ["stop"])
            XCTAssertTrue(chunks.allSatisfy { $0["usage"] == nil })
            XCTAssertEqual(decoder.usage, TokenUsage(prompt: 35, completion: 15, cached: 10))
            if let reference {
                XCTAssertEqual(ProviderFixtures.choices(chunks), reference, "split \(sizes)")
            } else {
                reference = ProviderFixtures.choices(chunks)
            }
        }
    }

    func testToolUseStreamBecomesToolCallDeltas() throws {
        let stream = """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant","model":"claude-sonnet-4-5","stop_sequence":null,"usage":{"input_tokens":472,"output_tokens":2},"content":[],"stop_reason":null}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Okay, let's check the weather for San Francisco, CA:"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":0}

            event: content_block_start
            data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"location\\":"}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" \\"San Francisco, CA\\", \\"unit\\": \\"fahrenheit\\"}"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":1}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}

            event: message_stop
            data: {"type":"message_stop"}
            """
        for sizes in ProviderFixtures.splits {
            let decoder = adapter.makeStreamDecoder(model: "claude-sonnet-4-5")
            let chunks = try ProviderFixtures.decode(decoder, stream, sizes: sizes)
            let calls = ProviderFixtures.toolCalls(chunks)
            XCTAssertEqual(calls.count, 1)
            XCTAssertEqual(calls.first?.id, "toolu_01T1x1fJ34qAmk2tNTrN7Up6")
            XCTAssertEqual(calls.first?.name, "get_weather")
            XCTAssertEqual(
                try JSON.parse(calls.first?.arguments ?? ""), ["location": "San Francisco, CA", "unit": "fahrenheit"])
            XCTAssertEqual(ProviderFixtures.finishReasons(chunks), ["tool_calls"])
            XCTAssertEqual(
                ProviderFixtures.joined(chunks, "content"), "Okay, let's check the weather for San Francisco, CA:")
            XCTAssertEqual(decoder.usage, TokenUsage(prompt: 472, completion: 89))
            let start = chunks.first { $0["choices"]?[0]?["delta"]?["tool_calls"]?[0]?["id"] != nil }
            XCTAssertEqual(start?["choices"]?[0]?["delta"]?["tool_calls"]?[0]?["type"], "function")
            XCTAssertEqual(start?["choices"]?[0]?["delta"]?["tool_calls"]?[0]?["function"]?["arguments"], "")
        }
    }

    func testAToolWithoutInputStreamsEmptyObjectArguments() throws {
        let stream = """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude","content":[],"stop_reason":null,"usage":{"input_tokens":10,"output_tokens":1}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"now","input":{}}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":""}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":0}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":5}}

            event: message_stop
            data: {"type":"message_stop"}
            """
        for sizes in ProviderFixtures.splits {
            let chunks = try ProviderFixtures.decode(adapter.makeStreamDecoder(model: "claude"), stream, sizes: sizes)
            let calls = ProviderFixtures.toolCalls(chunks)
            XCTAssertEqual(calls.map(\.name), ["now"])
            XCTAssertEqual(calls.first?.arguments, "{}", "as OpenAI streams it, and as the non-streamed answer has it")
        }
    }

    func testThinkingDeltasAndSignaturesAndJSONOutput() throws {
        let stream = """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_t","usage":{"input_tokens":5,"output_tokens":0}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"First, the schema"}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds..."}}

            event: content_block_start
            data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_j","name":"json_output","input":{}}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"name\\": "}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\\"Ada\\"}"}}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":30}}

            event: message_stop
            data: {"type":"message_stop"}
            """
        let chunks = try ProviderFixtures.decode(adapter.makeStreamDecoder(model: "m"), stream, sizes: [5])
        XCTAssertEqual(ProviderFixtures.joined(chunks, "reasoning_content"), "First, the schema")
        XCTAssertEqual(ProviderFixtures.joined(chunks, "content"), #"{"name": "Ada"}"#)
        XCTAssertTrue(ProviderFixtures.toolCalls(chunks).isEmpty)
        XCTAssertEqual(ProviderFixtures.finishReasons(chunks), ["stop"])
    }

    func testErrorEventMidStreamThrowsTheMappedFailure() throws {
        let decoder = adapter.makeStreamDecoder(model: "m")
        let head =
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_e\",\"usage\":{\"input_tokens\":3}}}\n\n"
        XCTAssertEqual(try decoder.feed(Array(head.utf8)).count, 1)
        let error =
            "event: error\ndata: {\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", \"message\": \"Overloaded\"}}\n\n"
        let failure = ProviderFixtures.failure { () throws(UpstreamFailure) in _ = try decoder.feed(Array(error.utf8)) }
        XCTAssertEqual(failure?.kind, .overloaded)
        XCTAssertEqual(failure?.message, "Overloaded")
        XCTAssertNil(failure?.status)
    }

    func testCutStreamFailsOnFinish() throws {
        let cut = String(textStream[..<textStream.range(of: "event: message_stop")!.lowerBound])
        let decoder = adapter.makeStreamDecoder(model: "m")
        let failure = ProviderFixtures.failure { () throws(UpstreamFailure) in
            _ = try ProviderFixtures.decode(decoder, cut, sizes: [9])
        }
        XCTAssertEqual(failure?.kind, .invalidResponse)
        XCTAssertEqual(decoder.usage?.completion, 15, "usage seen before the cut is still known")
    }

    func testInvalidJSONEventThrows() {
        let failure = ProviderFixtures.failure { () throws(UpstreamFailure) in
            _ = try adapter.makeStreamDecoder(model: "m").feed(Array("event: message_start\ndata: {\"type\":\n\n".utf8))
        }
        XCTAssertEqual(failure?.kind, .invalidResponse)
    }
}
