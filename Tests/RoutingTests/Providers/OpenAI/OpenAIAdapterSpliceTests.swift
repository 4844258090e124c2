import JSON
import XCTest

@testable import Routing

/// The client's bytes forwarded with only the changed fields rewritten must mean exactly what the object path
/// builds, and anything the splice cannot do must take the object path.
final class OpenAIAdapterSpliceTests: XCTestCase {
    private let adapter = OpenAIAdapter()
    private let o3 = ModelInfo(id: ModelID(provider: "openai", model: "o3"), usesMaxCompletionTokens: true)

    /// The upstream body from the client's bytes, and from the object alone (the object path).
    private func bothPaths(_ text: String, stream: Bool, info: ModelInfo? = nil) throws -> (spliced: [UInt8], built: [UInt8])
    {
        let object = ProviderFixtures.object(text)
        let encoded = try adapter.chatRequest(
            ChatRequest(body: object, encodedBody: Array(text.utf8)), model: "gpt-4o", provider: ProviderFixtures.openAI,
            info: info, stream: stream)
        let built = try adapter.chatRequest(
            ChatRequest(body: object), model: "gpt-4o", provider: ProviderFixtures.openAI, info: info, stream: stream)
        XCTAssertEqual(encoded.headers.map(\.0), built.headers.map(\.0))
        return (encoded.body ?? [], built.body ?? [])
    }

    /// Members by name: the splice writes `model` first, the object path keeps it where the client had it.
    private func members(_ bytes: [UInt8]) throws -> [String: JSON] {
        guard let object = try JSON.parse(bytes).objectValue else { return [:] }
        return Dictionary(uniqueKeysWithValues: object.map { ($0.key, $0.value) })
    }

    func testTheSplicedBodyMeansWhatTheObjectPathBuilds() throws {
        let bodies = [
            #"{"model":"fast","models":["a","b"],"messages":[{"role":"user","content":"Hi \"there\" \u00e9"}],"tags":["t"]}"#,
            #"{ "messages" : [ {"role":"user","content":[{"type":"text","text":"x"}]} ] , "temperature": 0.5, "stream": true }"#,
            #"{"messages":[],"tools":[{"type":"function","function":{"name":"f","parameters":{}}}],"max_tokens":10,"user_key":"k"}"#,
            #"{"messages":[],"stream":false,"route":"fallback","provider":{"order":["x"]},"transforms":[],"usage":{"include":true}}"#,
        ]
        for text in bodies {
            for stream in [false, true] {
                let (spliced, built) = try bothPaths(text, stream: stream)
                XCTAssertNotEqual(spliced, built, "the splice path was taken: \(text)")
                XCTAssertEqual(try members(spliced), try members(built), "\(text) stream=\(stream)")
                XCTAssertTrue(String(decoding: spliced, as: UTF8.self).hasPrefix(#"{"model":"gpt-4o""#))
            }
        }
    }

    func testWhatNeedsTheObjectTakesTheObjectPath() throws {
        let cases: [(String, ModelInfo?)] = [
            (#"{"messages":[],"stream_options":{"include_obfuscation":false}}"#, nil),  // options to merge
            (#"{"messages":[],"max_tokens":500}"#, o3),  // renamed to max_completion_tokens
            (#"{"messages":[],"mod\u0065l":"x"}"#, nil),  // an escaped key
        ]
        for (text, info) in cases {
            let (spliced, built) = try bothPaths(text, stream: true, info: info)
            XCTAssertEqual(spliced, built, text)
        }
    }
}
