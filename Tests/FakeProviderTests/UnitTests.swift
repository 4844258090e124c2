import JSON
import XCTest

@testable import FakeProvider

/// The pure parts, without sockets: directive parsing, schema defaults, answer words.
final class FakeProviderUnitTests: XCTestCase {
    func testDirectiveParsing() throws {
        let behaviour = try FakeBehaviour(
            model: "gpt-fake+latency-50+chunk-delay-5+chunks-3+status-503+retry-after-2"
                + "+context-too-long+content-filter+hang+cut-after-4+invalid-json+fail-first-1+tools")
        XCTAssertEqual(behaviour.baseName, "gpt-fake")
        XCTAssertEqual(behaviour.latencyMilliseconds, 50)
        XCTAssertEqual(behaviour.chunkDelayMilliseconds, 5)
        XCTAssertEqual(behaviour.wordCount, 3)
        XCTAssertEqual(behaviour.status, 503)
        XCTAssertEqual(behaviour.retryAfterSeconds, 2)
        XCTAssertEqual(behaviour.cutAfter, 4)
        XCTAssertEqual(behaviour.failFirst, 1)
        XCTAssertTrue(
            behaviour.contextTooLong && behaviour.contentFilter && behaviour.hang && behaviour.invalidJSON
                && behaviour.tools)
        XCTAssertEqual(try FakeBehaviour(model: "plain-model"), FakeBehaviour(baseNameOnly: "plain-model"))
        for bad in [
            "m+", "m+latency", "m+latency-", "m+latency-x", "m+status-200", "m+status-600", "m+chunks-0",
            "m+retry-after--1", "m+Hang", "m+hang+bogus",
        ] {
            XCTAssertThrowsError(try FakeBehaviour(model: bad), bad)
        }
    }

    func testSchemaDefaults() {
        XCTAssertEqual(SchemaDefaults.value(for: nil), [:])
        XCTAssertEqual(SchemaDefaults.value(for: ["type": "object"]), [:])
        let schema: JSON = [
            "type": "OBJECT",
            "properties": [
                "a": ["type": ["string", "null"]], "b": ["anyOf": [["type": "integer"], ["type": "string"]]],
                "c": ["const": "fixed"], "d": ["properties": ["e": ["type": "boolean"]], "required": ["e"]],
                "f": ["type": "NUMBER"], "g": ["type": "array", "items": ["type": "string"]],
            ],
            "required": ["a", "b", "c", "d", "f", "g", "missing"],
        ]
        XCTAssertEqual(
            SchemaDefaults.value(for: schema),
            [
                "a": "fake", "b": 0, "c": "fixed", "d": ["e": false], "f": 0, "g": [], "missing": .null,
            ])
    }

    func testAnswerWordsAndUsage() {
        var prompt = FakePrompt(openAI: [
            "messages": [
                [
                    "role": "user",
                    "content": [
                        ["type": "text", "text": "line one\n"], ["type": "image_url", "image_url": ["url": "x"]],
                        ["type": "text", "text": "two"],
                    ],
                ]
            ]
        ])
        XCTAssertEqual(prompt.lastUserText, "line one\n two")
        XCTAssertEqual(prompt.promptTokens, 3)  // 13 bytes of joined text
        let answer = FakeAnswer(prompt: prompt, behaviour: FakeBehaviour(), model: "m")
        guard case .text(let pieces) = answer.content else { return XCTFail("\(answer.content)") }
        XCTAssertEqual(pieces, ["Fake", " answer", " from", " m:", " line", " one", " two"])
        XCTAssertEqual(answer.completionTokens, 7)
        prompt.lastUserText = ""
        prompt.promptBytes = 0
        let empty = FakeAnswer(prompt: prompt, behaviour: FakeBehaviour(), model: "m")
        XCTAssertEqual(empty.text, "Fake answer from m:")
        XCTAssertEqual(empty.promptTokens, 1, "at least one prompt token")
    }

    func testAnthropicToolResultTextCountsAsTheUserMessage() {
        let prompt = FakePrompt(anthropic: [
            "messages": [
                ["role": "user", "content": "first"],
                ["role": "assistant", "content": [["type": "tool_use", "id": "t", "name": "n", "input": [:]]]],
                ["role": "user", "content": [["type": "tool_result", "tool_use_id": "t", "content": "72F sunny"]]],
            ]
        ])
        XCTAssertEqual(prompt.lastUserText, "72F sunny")
    }

    /// The per-word events are written around the word; they must be exactly what serialising the object gives.
    func testTemplatedStreamEventsEqualSerialisedObjects() {
        var prompt = FakePrompt(openAI: [:])
        prompt.includeUsage = true
        var answer = FakeAnswer(prompt: prompt, behaviour: FakeBehaviour(), model: "m")
        answer.content = .text(["w\u{f6}rd \"q\"\n"])
        let model = "m\"x"
        let openAI = OpenAIWire.stream(answer, prompt: prompt, model: model, id: 7).content[0].data
        let openAIObject: JSON = [
            "id": "chatcmpl-fake-7", "object": "chat.completion.chunk", "created": 1_700_000_000, "model": .string(model),
            "system_fingerprint": "fp_fake",
            "choices": [["index": 0, "delta": ["content": "w\u{f6}rd \"q\"\n"], "logprobs": .null, "finish_reason": .null]],
            "usage": .null,
        ]
        XCTAssertEqual(String(decoding: openAI, as: UTF8.self), openAIObject.jsonString)

        let anthropic = AnthropicWire.stream(answer, prompt: prompt, model: model, id: 7).content[0]
        let anthropicObject: JSON = [
            "type": "content_block_delta", "index": 0,
            "delta": ["type": "text_delta", "text": "w\u{f6}rd \"q\"\n"],
        ]
        XCTAssertEqual(anthropic.name, "content_block_delta")
        XCTAssertEqual(String(decoding: anthropic.data, as: UTF8.self), anthropicObject.jsonString)

        let gemini = GeminiWire.stream(answer, prompt: prompt, model: model, id: 7).content[0].data
        let geminiObject: JSON = [
            "candidates": [["content": ["parts": [["text": "w\u{f6}rd \"q\"\n"]], "role": "model"], "index": 0]],
            "modelVersion": .string(model), "responseId": "fake-7",
        ]
        XCTAssertEqual(String(decoding: gemini, as: UTF8.self), geminiObject.jsonString)
    }

    func testBase64() {
        XCTAssertEqual(FakeEmbeddings.base64([]), "")
        XCTAssertEqual(FakeEmbeddings.base64(Array("f".utf8)), "Zg==")
        XCTAssertEqual(FakeEmbeddings.base64(Array("fo".utf8)), "Zm8=")
        XCTAssertEqual(FakeEmbeddings.base64(Array("foobar".utf8)), "Zm9vYmFy")
    }

    func testGeminiPathParsing() {
        let call = GeminiCall(path: "/v1beta/models/gemini-fake%2Blatency-5:streamGenerateContent", query: "key=k&alt=sse")
        XCTAssertEqual(call?.model, "gemini-fake+latency-5")
        XCTAssertEqual(call?.method, "streamGenerateContent")
        XCTAssertEqual(call?.sse, true)
        XCTAssertNil(GeminiCall(path: "/v1beta/models/gemini-fake", query: nil))
        XCTAssertEqual(GeminiCall.percentDecoded("a%zzb%2"), "a%zzb%2")
    }
}

extension FakeBehaviour {
    init(baseNameOnly name: String) {
        self.init()
        baseName = Substring(name)
    }
}
