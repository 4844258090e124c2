import JSON
import XCTest

@testable import Routing

/// Helpers shared by the provider adapter tests (one namespace, so nothing collides with other RoutingTests files).
enum ProviderFixtures {
    static let openAI = ProviderConfig(id: "openai", kind: .openai, baseURL: "https://api.openai.com/v1", apiKey: "sk-test")
    static let anthropic = ProviderConfig(
        id: "anthropic", kind: .anthropic, baseURL: "https://api.anthropic.com/v1",
        apiKey: "sk-ant-test")
    static let gemini = ProviderConfig(
        id: "gemini", kind: .gemini,
        baseURL: "https://generativelanguage.googleapis.com/v1beta", apiKey: "AIza-test")

    /// A JSON object from text written in a test (a typo there is a test bug, so it traps with the reason).
    static func object(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> JSONObject {
        do {
            guard case .object(let object) = try JSON.parse(text) else {
                XCTFail("fixture is not an object", file: file, line: line)
                return [:]
            }
            return object
        } catch {
            XCTFail("fixture is not JSON: \(error)", file: file, line: line)
            return [:]
        }
    }

    static func chat(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> ChatRequest {
        ChatRequest(body: object(text, file: file, line: line))
    }

    /// The JSON body an adapter built.
    static func body(_ request: UpstreamRequest, file: StaticString = #filePath, line: UInt = #line) -> JSONObject {
        guard let bytes = request.body else {
            XCTFail("request has no body", file: file, line: line)
            return [:]
        }
        return object(String(decoding: bytes, as: UTF8.self), file: file, line: line)
    }

    /// The failure `body` throws, or `nil` (with a test failure) when it does not throw one.
    static func failure(
        file: StaticString = #filePath, line: UInt = #line,
        _ body: () throws(UpstreamFailure) -> Void
    ) -> UpstreamFailure? {
        do {
            try body()
            XCTFail("expected an UpstreamFailure", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    /// Feeds `text` to `decoder` in pieces whose sizes cycle through `sizes` (1 = byte by byte), then finishes.
    static func decode(_ decoder: ChatStreamDecoder, _ text: String, sizes: [Int] = [Int.max]) throws(UpstreamFailure)
        -> [JSONObject]
    {
        let bytes = Array(text.utf8)
        var chunks: [JSONObject] = []
        var position = 0
        var turn = 0
        while position < bytes.count {
            let size = min(sizes[turn % sizes.count], bytes.count - position)
            chunks += try decoder.feed(Array(bytes[position..<position + size]))
            position += size
            turn += 1
        }
        chunks += try decoder.finish()
        return chunks
    }

    /// The splits every stream test runs: whole, byte by byte, and odd sizes that cut lines, CRLFs and UTF-8.
    static let splits: [[Int]] = [[Int.max], [1], [2, 3], [7], [13, 1, 5], [64]]

    /// The `choices` of each chunk: what must not depend on how the body was split (ids and times may).
    static func choices(_ chunks: [JSONObject]) -> [JSON] {
        chunks.map { $0["choices"] ?? .null }
    }

    /// Concatenates one string field of the first choice's delta across chunks.
    static func joined(_ chunks: [JSONObject], _ field: String) -> String {
        chunks.compactMap { $0["choices"]?[0]?["delta"]?[field]?.stringValue }.joined()
    }

    /// Rebuilds streamed tool calls the way OpenAI's SDKs do: by `index`, concatenating argument fragments.
    static func toolCalls(_ chunks: [JSONObject]) -> [(id: String, name: String, arguments: String)] {
        var calls: [Int: (id: String, name: String, arguments: String)] = [:]
        for chunk in chunks {
            for call in chunk["choices"]?[0]?["delta"]?["tool_calls"]?.arrayValue ?? [] {
                let index = Int(call["index"]?.intValue ?? -1)
                var entry = calls[index] ?? ("", "", "")
                if let id = call["id"]?.stringValue { entry.id = id }
                if let name = call["function"]?["name"]?.stringValue { entry.name += name }
                entry.arguments += call["function"]?["arguments"]?.stringValue ?? ""
                calls[index] = entry
            }
        }
        return calls.keys.sorted().compactMap { calls[$0] }
    }

    static func finishReasons(_ chunks: [JSONObject]) -> [String] {
        chunks.compactMap { $0["choices"]?[0]?["finish_reason"]?.stringValue }
    }
}
