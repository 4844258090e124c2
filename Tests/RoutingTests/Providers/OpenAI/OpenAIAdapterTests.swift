import JSON
import XCTest

@testable import Routing

final class OpenAIAdapterTests: XCTestCase {
    private let adapter = OpenAIAdapter()

    func testForwardsTheBodyWithModelReplacedAndAuthHeaders() throws {
        let request = ProviderFixtures.chat(
            """
            {"model":"openai/gpt-4o","messages":[{"role":"user","content":[{"type":"text","text":"What is in this image?"},
             {"type":"image_url","image_url":{"url":"https://example.com/cat.png","detail":"low"}}]}],
             "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],"tool_choice":"auto",
             "response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"object"},"strict":true}},
             "reasoning_effort":"low","seed":7,"presence_penalty":0.5,"logprobs":true,"n":2,"max_tokens":100,"stream":false,
             "stream_options":{"include_usage":true},"models":["openai/gpt-4o-mini"],"tags":["x"]}
            """)
        let upstream = try adapter.chatRequest(
            request, model: "gpt-4o", provider: ProviderFixtures.openAI, info: nil, stream: false)
        XCTAssertEqual(upstream.method, "POST")
        XCTAssertEqual(upstream.url, "https://api.openai.com/v1/chat/completions")
        XCTAssertEqual(upstream.header("Authorization"), "Bearer sk-test")
        XCTAssertEqual(upstream.header("Content-Type"), "application/json")
        XCTAssertNil(upstream.header("Accept"))
        var expected = request.body
        expected["model"] = "gpt-4o"
        expected["models"] = nil
        expected["tags"] = nil
        expected["stream"] = nil
        expected["stream_options"] = nil
        XCTAssertEqual(ProviderFixtures.body(upstream), expected)
        XCTAssertEqual(ProviderFixtures.body(upstream).keys.first, "model", "field order is kept")
    }

    func testStreamingAsksForUsageAndKeepsOtherStreamOptions() throws {
        let request = ProviderFixtures.chat(#"{"messages":[],"stream_options":{"include_obfuscation":false}}"#)
        let upstream = try adapter.chatRequest(
            request, model: "gpt-4o", provider: ProviderFixtures.openAI, info: nil, stream: true)
        let body = ProviderFixtures.body(upstream)
        XCTAssertEqual(body["stream"], true)
        XCTAssertEqual(body["stream_options"], ["include_obfuscation": false, "include_usage": true])
        XCTAssertEqual(upstream.header("accept"), "text/event-stream")
    }

    func testMaxTokensRenamedForModelsThatWantMaxCompletionTokens() throws {
        let info = ModelInfo(id: ModelID(provider: "openai", model: "o3"), usesMaxCompletionTokens: true)
        let request = ProviderFixtures.chat(#"{"messages":[],"max_tokens":500}"#)
        let body = ProviderFixtures.body(
            try adapter.chatRequest(
                request, model: "o3", provider: ProviderFixtures.openAI,
                info: info, stream: false))
        XCTAssertNil(body["max_tokens"])
        XCTAssertEqual(body["max_completion_tokens"], 500)

        let both = ProviderFixtures.chat(#"{"messages":[],"max_tokens":500,"max_completion_tokens":900}"#)
        let bothBody = ProviderFixtures.body(
            try adapter.chatRequest(
                both, model: "o3", provider: ProviderFixtures.openAI,
                info: info, stream: false))
        XCTAssertNil(bothBody["max_tokens"])
        XCTAssertEqual(bothBody["max_completion_tokens"], 900)

        let legacy = ProviderFixtures.body(
            try adapter.chatRequest(
                request, model: "gpt-4o", provider: ProviderFixtures.openAI,
                info: nil, stream: false))
        XCTAssertEqual(legacy["max_tokens"], 500)
        XCTAssertNil(legacy["max_completion_tokens"])
    }

    func testLegacyFunctionsPassThroughUntouched() throws {
        let request = ProviderFixtures.chat(#"{"messages":[],"functions":[{"name":"f"}],"function_call":"auto"}"#)
        let body = ProviderFixtures.body(
            try adapter.chatRequest(
                request, model: "gpt-3.5-turbo", provider: ProviderFixtures.openAI,
                info: nil, stream: false))
        XCTAssertEqual(body["functions"], [["name": "f"]])
        XCTAssertEqual(body["function_call"], "auto")
    }

    func testKeylessServersGetNoAuthorizationAndExtraHeadersAreAdded() throws {
        let ollama = ProviderConfig(
            id: "local", kind: .openai, baseURL: "http://localhost:11434/v1/",
            headers: [("HTTP-Referer", "https://switchyard.dev")])
        let upstream = try adapter.chatRequest(
            ProviderFixtures.chat(#"{"messages":[]}"#), model: "llama3.2",
            provider: ollama, info: nil, stream: false)
        XCTAssertEqual(upstream.url, "http://localhost:11434/v1/chat/completions")
        XCTAssertNil(upstream.header("authorization"))
        XCTAssertEqual(upstream.header("http-referer"), "https://switchyard.dev")
    }

    func testEmbeddingsAndModelsRequests() throws {
        let embeddings = try adapter.embeddingsRequest(
            ["model": "openai/text-embedding-3-small", "input": ["a", "b"], "tags": ["x"]],
            model: "text-embedding-3-small", provider: ProviderFixtures.openAI)
        XCTAssertEqual(embeddings.url, "https://api.openai.com/v1/embeddings")
        XCTAssertEqual(ProviderFixtures.body(embeddings), ["model": "text-embedding-3-small", "input": ["a", "b"]])
        let models = adapter.modelsRequest(provider: ProviderFixtures.openAI)
        XCTAssertEqual(models.method, "GET")
        XCTAssertEqual(models.url, "https://api.openai.com/v1/models")
        XCTAssertNil(models.body)
        XCTAssertEqual(models.header("authorization"), "Bearer sk-test")
    }
}
