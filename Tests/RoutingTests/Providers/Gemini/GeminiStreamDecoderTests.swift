import JSON
import XCTest

@testable import Routing

final class GeminiStreamDecoderTests: XCTestCase {
    private let adapter = GeminiAdapter()

    /// A `streamGenerateContent?alt=sse` body as Gemini sends it (CRLF line ends, usage in every event).
    private let textStream =
        "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Thinking about cats\",\"thought\": true}],\"role\": \"model\"},\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 8,\"totalTokenCount\": 8},\"modelVersion\": \"gemini-2.5-flash\",\"responseId\": \"resp-1\"}\r\n\r\n"
        + "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Cats purr\"}],\"role\": \"model\"},\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 8,\"totalTokenCount\": 12},\"modelVersion\": \"gemini-2.5-flash\",\"responseId\": \"resp-1\"}\r\n\r\n"
        + "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \" — ça ronronne 🐈\"}],\"role\": \"model\"},\"finishReason\": \"STOP\",\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 8,\"candidatesTokenCount\": 9,\"totalTokenCount\": 40,\"thoughtsTokenCount\": 23},\"modelVersion\": \"gemini-2.5-flash\",\"responseId\": \"resp-1\"}\r\n\r\n"

    func testTextStreamInEverySplit() throws {
        var reference: [JSON]?
        for sizes in ProviderFixtures.splits {
            let decoder = adapter.makeStreamDecoder(model: "gemini-2.5-flash")
            let chunks = try ProviderFixtures.decode(decoder, textStream, sizes: sizes)
            XCTAssertEqual(chunks.first?["choices"]?[0]?["delta"]?["role"], "assistant")
            XCTAssertEqual(chunks.filter { $0["choices"]?[0]?["delta"]?["role"] != nil }.count, 1)
            XCTAssertEqual(ProviderFixtures.joined(chunks, "reasoning_content"), "Thinking about cats")
            XCTAssertEqual(ProviderFixtures.joined(chunks, "content"), "Cats purr — ça ronronne 🐈")
            XCTAssertEqual(ProviderFixtures.finishReasons(chunks), ["stop"])
            XCTAssertEqual(chunks.last?["choices"]?[0]?["delta"], [:])
            XCTAssertTrue(
                chunks.allSatisfy { $0["id"] == "resp-1" && $0["object"] == "chat.completion.chunk" && $0["usage"] == nil })
            XCTAssertEqual(decoder.usage, TokenUsage(prompt: 8, completion: 32, reasoning: 23))
            if let reference {
                XCTAssertEqual(ProviderFixtures.choices(chunks), reference, "split \(sizes)")
            } else {
                reference = ProviderFixtures.choices(chunks)
            }
        }
    }

    func testFunctionCallsStreamWholeWithRunningIndexes() throws {
        let stream = """
            data: {"candidates":[{"content":{"parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"sig=="}],"role":"model"},"index":0}]}

            data: {"candidates":[{"content":{"parts":[{"functionCall":{"name":"get_time","args":{}}}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":30,"candidatesTokenCount":10,"totalTokenCount":40}}


            """
        for sizes in ProviderFixtures.splits {
            let chunks = try ProviderFixtures.decode(adapter.makeStreamDecoder(model: "m"), stream, sizes: sizes)
            let calls = ProviderFixtures.toolCalls(chunks)
            XCTAssertEqual(calls.map(\.id), ["call_0", "call_1"])
            XCTAssertEqual(calls.map(\.name), ["get_weather", "get_time"])
            XCTAssertEqual(calls.map(\.arguments), [#"{"city":"Paris"}"#, "{}"])
            XCTAssertEqual(ProviderFixtures.finishReasons(chunks), ["tool_calls"])
            let first = chunks[0]["choices"]?[0]?["delta"]?["tool_calls"]?[0]
            XCTAssertEqual(first?["index"], 0)
            XCTAssertEqual(first?["type"], "function")
            XCTAssertEqual(first?["extra_content"]?["google"]?["thought_signature"], "sig==")
        }
    }

    func testCutStreamFailsOnFinish() throws {
        let cut = String(
            textStream[
                ..<textStream.range(of: "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \" —")!.lowerBound])
        let decoder = adapter.makeStreamDecoder(model: "m")
        let failure = ProviderFixtures.failure { () throws(UpstreamFailure) in
            _ = try ProviderFixtures.decode(decoder, cut, sizes: [3])
        }
        XCTAssertEqual(failure?.kind, .invalidResponse)
        XCTAssertEqual(decoder.usage?.prompt, 8)
    }

    func testErrorEventAndBlockedPromptThrow() throws {
        let error =
            #"data: {"error": {"code": 503, "message": "The model is overloaded. Please try again later.", "status": "UNAVAILABLE"}}"#
            + "\r\n\r\n"
        let overloaded = ProviderFixtures.failure { () throws(UpstreamFailure) in
            _ = try adapter.makeStreamDecoder(model: "m").feed(Array(error.utf8))
        }
        XCTAssertEqual(overloaded?.kind, .overloaded)
        XCTAssertEqual(overloaded?.message, "The model is overloaded. Please try again later.")
        let blocked =
            #"data: {"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": {"promptTokenCount": 5, "totalTokenCount": 5}}"#
            + "\n\n"
        XCTAssertEqual(
            ProviderFixtures.failure { () throws(UpstreamFailure) in
                _ = try adapter.makeStreamDecoder(model: "m").feed(Array(blocked.utf8))
            }?.kind, .contentFiltered)
    }
}
