import JSON
import XCTest

@testable import Routing

final class OpenAIResponseTests: XCTestCase {
    private let adapter = OpenAIAdapter()

    func testToolCallAnswerWithUsageDetails() throws {
        let body = """
            {"id":"chatcmpl-abc123","object":"chat.completion","created":1699896916,"model":"gpt-4o-mini","choices":[{"index":0,
             "message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_abc123","type":"function",
             "function":{"name":"get_current_weather","arguments":"{\\n\\"location\\": \\"Boston, MA\\"\\n}"}}]},
             "logprobs":null,"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":82,"completion_tokens":17,"total_tokens":99,
             "prompt_tokens_details":{"cached_tokens":64},"completion_tokens_details":{"reasoning_tokens":5}}}
            """
        let completion = try adapter.chatResponse(Array(body.utf8), model: "gpt-4o-mini")
        XCTAssertEqual(completion.usage, TokenUsage(prompt: 82, completion: 17, cached: 64, reasoning: 5))
        XCTAssertEqual(completion.body["choices"]?[0]?["finish_reason"], "tool_calls")
        XCTAssertEqual(
            completion.body["choices"]?[0]?["message"]?["tool_calls"]?[0]?["function"]?["name"], "get_current_weather")
        XCTAssertEqual(completion.body["id"], "chatcmpl-abc123")
    }

    func testReasoningFromCompatibleServersBecomesReasoningContent() throws {
        let body =
            #"{"choices":[{"index":0,"message":{"role":"assistant","content":"4","reasoning":"2+2=4"},"finish_reason":"stop"}]}"#
        let completion = try adapter.chatResponse(Array(body.utf8), model: "qwen3")
        let message = completion.body["choices"]?[0]?["message"]
        XCTAssertEqual(message?["reasoning_content"], "2+2=4")
        XCTAssertNil(message?["reasoning"])
        XCTAssertEqual(completion.body["object"], "chat.completion")
        XCTAssertEqual(completion.body["model"], "qwen3")
        XCTAssertEqual(completion.text, "4")
        XCTAssertEqual(completion.usage, TokenUsage())
    }

    func testContentFilterFinishWithoutContentIsStillAnAnswer() throws {
        let body =
            #"{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":null},"finish_reason":"content_filter"}],"usage":{"prompt_tokens":10,"completion_tokens":0,"total_tokens":10}}"#
        let completion = try adapter.chatResponse(Array(body.utf8), model: "gpt-4o")
        XCTAssertEqual(completion.body["choices"]?[0]?["finish_reason"], "content_filter")
        XCTAssertEqual(completion.usage.prompt, 10)
    }

    func testInvalidBodiesAndErrorsInsideA200() {
        XCTAssertEqual(
            ProviderFixtures.failure { () throws(UpstreamFailure) in
                _ = try adapter.chatResponse(Array("not json".utf8), model: "m")
            }?.kind, .invalidResponse)
        XCTAssertEqual(
            ProviderFixtures.failure { () throws(UpstreamFailure) in
                _ = try adapter.chatResponse(Array(#"{"id":"x"}"#.utf8), model: "m")
            }?.kind, .invalidResponse)
        XCTAssertEqual(
            ProviderFixtures.failure { () throws(UpstreamFailure) in
                _ = try adapter.chatResponse(
                    Array(
                        #"{"error":{"message":"This model's maximum context length is 8192 tokens","type":"invalid_request_error"}}"#
                            .utf8), model: "m")
            }?.kind, .contextTooLong)
    }

    func testEmbeddingsAndModelList() throws {
        let body = """
            {"object":"list","data":[{"object":"embedding","embedding":[0.0023064255,-0.009327292],"index":0}],
             "model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}
            """
        let (list, usage) = try adapter.embeddingsResponse(Array(body.utf8), model: "text-embedding-3-small")
        XCTAssertEqual(usage, TokenUsage(prompt: 8))
        XCTAssertEqual(list["data"]?[0]?["embedding"], [0.0023064255, -0.009327292])
        XCTAssertEqual(
            ProviderFixtures.failure { () throws(UpstreamFailure) in
                _ = try adapter.embeddingsResponse(Array(#"{"object":"list"}"#.utf8), model: "m")
            }?.kind, .invalidResponse)

        let models =
            #"{"object":"list","data":[{"id":"gpt-4o","object":"model","created":1686935002,"owned_by":"openai"},{"id":"o3","object":"model"}]}"#
        XCTAssertEqual(try adapter.modelNames(Array(models.utf8)), ["gpt-4o", "o3"])
        XCTAssertEqual(
            ProviderFixtures.failure { () throws(UpstreamFailure) in
                _ = try adapter.modelNames(Array(#"{"models":[]}"#.utf8))
            }?.kind, .invalidResponse)
    }
}
