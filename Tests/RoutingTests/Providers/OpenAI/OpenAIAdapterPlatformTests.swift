import JSON
import XCTest

@testable import Routing

/// api.openai.com rejects `top_k` and the OpenRouter-style `reasoning` object (what the Anthropic and Gemini faces
/// produce from `top_k` and thinking); compatible servers take them as they are.
final class OpenAIAdapterPlatformTests: XCTestCase {
    private let adapter = OpenAIAdapter()
    private let compatible = ProviderConfig(id: "vllm", kind: .openai, baseURL: "http://127.0.0.1:8000/v1")

    private func body(_ json: String, provider: ProviderConfig, encoded: Bool = false) throws -> JSONObject {
        let parsed = ProviderFixtures.chat(json)
        let request = encoded ? ChatRequest(body: parsed.body, encodedBody: Array(json.utf8)) : parsed
        return ProviderFixtures.body(
            try adapter.chatRequest(request, model: "gpt-5", provider: provider, info: nil, stream: false))
    }

    func testOpenAIsOwnAPIGetsAReasoningEffortAndNoTopK() throws {
        for encoded in [false, true] {
            let budget = try body(
                #"{"messages":[],"top_k":40,"reasoning":{"max_tokens":1024}}"#, provider: ProviderFixtures.openAI,
                encoded: encoded)
            XCTAssertNil(budget["top_k"])
            XCTAssertNil(budget["reasoning"])
            XCTAssertEqual(budget["reasoning_effort"], "low")
        }
        let effort = try body(#"{"messages":[],"reasoning":{"effort":"high"}}"#, provider: ProviderFixtures.openAI)
        XCTAssertEqual(effort["reasoning_effort"], "high")
        let large = try body(#"{"messages":[],"reasoning":{"max_tokens":20000}}"#, provider: ProviderFixtures.openAI)
        XCTAssertEqual(large["reasoning_effort"], "high")
        let off = try body(#"{"messages":[],"reasoning":{"enabled":false}}"#, provider: ProviderFixtures.openAI)
        XCTAssertNil(off["reasoning_effort"], "off is left to the model's default: not every model takes \"none\"")
        XCTAssertNil(off["reasoning"])
        let explicit = try body(
            #"{"messages":[],"reasoning_effort":"minimal","reasoning":{"effort":"high"}}"#,
            provider: ProviderFixtures.openAI)
        XCTAssertEqual(explicit["reasoning_effort"], "minimal", "the client's own reasoning_effort wins")
    }

    func testCompatibleServersGetTheFieldsAsSent() throws {
        let sent = try body(#"{"messages":[],"top_k":40,"reasoning":{"max_tokens":1024}}"#, provider: compatible)
        XCTAssertEqual(sent["top_k"], 40)
        XCTAssertEqual(sent["reasoning"], ["max_tokens": 1024])
        XCTAssertNil(sent["reasoning_effort"])
    }
}
