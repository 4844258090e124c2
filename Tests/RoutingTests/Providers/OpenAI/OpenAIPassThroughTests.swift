import JSON
import XCTest

@testable import Routing

/// The pass-through path must forward exactly what the object path would: the same chunk (as JSON values), the
/// same token decision, and the same events left to the object path.
final class OpenAIPassThroughTests: XCTestCase {
    private let stamp = ChunkStamp(id: "gen-1", model: ModelID(provider: "fake", model: "m"))

    /// What the object path makes of one event: the decoder's chunks, rewritten as `RoutedCall.rewrite` does.
    private func objectPath(_ event: String) throws -> [JSONObject] {
        let decoder = OpenAIStreamDecoder(model: "m")
        return try decoder.feed(Array("data: \(event)\n\n".utf8)).map { chunk in
            var chunk = chunk
            chunk["id"] = "gen-1"
            chunk["model"] = "fake/m"
            chunk["provider"] = "fake"
            chunk["usage"] = nil
            return chunk
        }
    }

    func testCommonChunksPassAsTheSameJSONWithTheSameTokenDecision() throws {
        let events = [
            #"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"up","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":null}"#,
            #"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"up","system_fingerprint":"fp","choices":[{"index":0,"delta":{"content":"Hi \"you\" \u00e9"},"logprobs":null,"finish_reason":null}]}"#,
            #"{"id":"c1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
            #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]},"finish_reason":null}],"provider":"theirs"}"#,
            #"{"choices":[{"index":0,"delta":{"tool_calls":[ ]},"finish_reason":null}]}"#,
            #"{"choices":[{"index":0,"delta":{"reasoning_content":"thinking"},"finish_reason":null}]}"#,
            #"{"choices":[{"index":0,"delta":{"function_call":{"name":"f"}},"finish_reason":null}]}"#,
            #"{ "id" : "c2" , "choices" : [ { "delta" : { "content" : null } } ] }"#,
            // Some servers put a null error on every chunk: there is none, and it is not forwarded.
            #"{"id":"c3","choices":[{"index":0,"delta":{"content":"x"},"finish_reason":null}],"error":null}"#,
        ]
        for event in events {
            guard
                case .encoded(let bytes, let carriesToken, let textBytes)? = OpenAIStreamDecoder.passThrough(
                    Array(event.utf8), stamp: stamp)
            else {
                return XCTFail("not passed through: \(event)")
            }
            let expected = try objectPath(event)
            XCTAssertEqual(expected.count, 1, event)
            XCTAssertEqual(
                try JSON.parse(bytes).objectValue.map { JSON.object($0) }, expected.first.map { JSON.object($0) }, event)
            XCTAssertEqual(carriesToken, RoutedCall.carriesToken(expected[0]), event)
            // Text is counted as written (escapes included, tool calls whole): never less than the object path's
            // count, and zero exactly when that is.
            let objectTextBytes = RoutedCall.textBytes(expected[0])
            XCTAssertGreaterThanOrEqual(textBytes, objectTextBytes, event)
            XCTAssertEqual(textBytes == 0, objectTextBytes == 0, event)
        }
    }

    func testEverythingElseTakesTheObjectPath() {
        let events = [
            "[DONE]",
            #"{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}"#,
            #"{"choices":[{"delta":{"content":"x"}}],"usage":{"prompt_tokens":1,"completion_tokens":2}}"#,
            #"{"error":{"message":"overloaded","type":"server_error"}}"#,
            #"{"choices":[{"delta":{"reasoning":"renamed to reasoning_content"}}]}"#,
            #"{"choices":[{"delta":{"cont\u0065nt":"escaped key"}}]}"#,
            #"{"id":"no choices"}"#,
            #"{"choices":"not an array"}"#,
            #"{"choices":[{"delta":"not an object"}]}"#,
            #"{"choices":[{"delta":{"content":"cut"#,
        ]
        for event in events {
            XCTAssertNil(OpenAIStreamDecoder.passThrough(Array(event.utf8), stamp: stamp), event)
        }
    }

    func testBytesThatCannotBeCopiedAreWrittenAnewByTheObjectPath() throws {
        // JSON spread over two data: lines arrives joined with a line feed; copied, it would end the client's line.
        let spread = Array(#"{"id":"c","choices":"#.utf8) + [0x0A] + Array(#"[{"delta":{"content":"Hello"}}]}"#.utf8)
        XCTAssertNil(OpenAIStreamDecoder.passThrough(spread, stamp: stamp))
        // Invalid UTF-8: the object path repairs it to U+FFFD, as the parser does everywhere.
        let invalid = Array(#"{"choices":[{"delta":{"content":"bad"#.utf8) + [0xFF, 0xFE] + Array(#"byte"}}]}"#.utf8)
        XCTAssertNil(OpenAIStreamDecoder.passThrough(invalid, stamp: stamp))

        let stream =
            Array(#"data: {"id":"c","choices":"#.utf8) + Array("\ndata: ".utf8)
            + Array(#"[{"delta":{"content":"Hello"}}]}"#.utf8) + Array("\n\ndata: ".utf8) + invalid
            + Array("\n\ndata: [DONE]\n\n".utf8)
        let decoder = OpenAIStreamDecoder(model: "m")
        var written: [[UInt8]] = []
        try decoder.feed(stream, stamp: stamp) { chunks in
            for case .object(let object) in chunks { written.append(JSON.object(object).serialized()) }
            return true
        }
        XCTAssertEqual(written.count, 2)
        XCTAssertFalse(written.contains { $0.contains(0x0A) }, "no raw line feed reaches the client's data: line")
        let repaired = try JSON.parse(written[1])
        XCTAssertEqual(repaired["choices"]?[0]?["delta"]?["content"], "bad\u{FFFD}\u{FFFD}byte")
        XCTAssertTrue(written.allSatisfy { UTF8Check.isValid($0) })
    }

    func testAStreamThroughTheDecoderMixesBothPathsInOrder() throws {
        let stream = """
            data: {"id":"c","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}],"usage":null}

            data:

            data: {"id":"c","choices":[{"index":0,"delta":{"reasoning":"hmm"},"finish_reason":null}]}

            data: {"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}

            data: {"id":"c","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}

            data: [DONE]

            data: {"id":"after","choices":[{"delta":{"content":"ignored"}}]}


            """
        let decoder = OpenAIStreamDecoder(model: "m")
        var kinds: [String] = []
        try decoder.feed(Array(stream.utf8), stamp: stamp) { chunks in
            for chunk in chunks {
                switch chunk {
                case .encoded(_, let token, _): kinds.append("bytes token=\(token)")
                case .object(let object):
                    kinds.append(
                        "object reasoning=\(object["choices"]?[0]?["delta"]?["reasoning_content"]?.stringValue ?? "-")")
                }
            }
            return true
        }
        XCTAssertEqual(kinds, ["bytes token=true", "object reasoning=hmm", "bytes token=true"])
        XCTAssertEqual(decoder.usage, TokenUsage(prompt: 5, completion: 2))
        XCTAssertTrue(decoder.isComplete, "nothing after [DONE] is read")
    }
}

/// The non-streamed answer: the same rules as for chunks.
final class OpenAIResponsePassThroughTests: XCTestCase {
    private let stamp = ChunkStamp(id: "gen-1", model: ModelID(provider: "fake", model: "m"))

    /// What the object path makes of an answer, with our identity members (usage left out: the router adds it).
    private func objectPath(_ text: String) throws -> (JSONObject, TokenUsage, JSONObject?) {
        let completion = try OpenAIResponse.completion(Array(text.utf8), model: "m")
        var body = completion.body
        body["id"] = "gen-1"
        body["model"] = "fake/m"
        body["provider"] = "fake"
        body["usage"] = nil
        return (body, completion.usage, completion.reportedUsage)
    }

    func testCommonAnswersPassAsTheSameJSONAndUsage() throws {
        let answers = [
            #"{"id":"c1","object":"chat.completion","created":1,"model":"up","choices":[{"index":0,"message":{"role":"assistant","content":"Hi \"x\""},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7,"prompt_tokens_details":{"cached_tokens":1,"audio_tokens":0},"completion_tokens_details":{"accepted_prediction_tokens":1},"new":true}}"#,
            #"{"choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"t","type":"function","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls"}],"system_fingerprint":"fp","usage":{"prompt_tokens":3}}"#,
            #"{ "choices" : [ ] , "provider" : "theirs" , "usage" : { "completion_tokens" : 0 } }"#,
        ]
        for text in answers {
            guard let (head, usage, reported) = OpenAIAdapter().passThroughCompletion(Array(text.utf8), stamp: stamp)
            else {
                return XCTFail("not passed through: \(text)")
            }
            let (expected, expectedUsage, expectedReported) = try objectPath(text)
            XCTAssertEqual(try JSON.parse(head + Array("}".utf8)), JSON.object(expected), text)
            XCTAssertEqual(usage, expectedUsage, text)
            // The provider's usage object as sent, on both paths (nil when it sent none).
            XCTAssertEqual(reported, expectedReported, text)
            XCTAssertEqual(reported.map(JSON.object), try JSON.parse(text)["usage"], text)
        }
    }

    func testEverythingElseTakesTheObjectPath() {
        let answers = [
            #"{"error":{"message":"overloaded"}}"#,
            #"{"id":"no choices"}"#,
            #"{"choices":{"0":1}}"#,
            #"{"choices":[{"message":{"content":"a","reasoning":"renamed"}}]}"#,
            #"{"choic\u0065s":[]}"#,
            #"{"choices":[{"message":{"content":"cut"#,
            #"{"choices":[{"message":{"content":"no usage reported: the router estimates it"}}]}"#,
            #"{"choices":[],"usage":null}"#,
        ]
        for text in answers {
            XCTAssertNil(OpenAIAdapter().passThroughCompletion(Array(text.utf8), stamp: stamp), text)
        }
        let invalidUTF8 = Array(#"{"choices":[{"message":{"content":"bad"#.utf8) + [0xC3] + Array(#""}}]}"#.utf8)
        XCTAssertNil(OpenAIAdapter().passThroughCompletion(invalidUTF8, stamp: stamp), "repaired on the object path")
    }
}
