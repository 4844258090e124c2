import FakeProvider
import Foundation
import JSON
import XCTest

/// The OpenAI face: `chat.completion`, `chat.completion.chunk` streams, embeddings, models.
final class OpenAIFormatTests: XCTestCase {
    func testPlainCompletion() throws {
        let harness = try FakeHarness()
        let exchange = harness.send("/v1/chat/completions", json: Bodies.openAI("gpt-fake"))
        XCTAssertEqual(exchange.status, 200)
        XCTAssertEqual(exchange.head?.header("Content-Type"), "application/json")
        let body = exchange.json()
        XCTAssertEqual(body["object"], "chat.completion")
        XCTAssertEqual(body["model"], "gpt-fake")
        XCTAssertEqual(body["id"], "chatcmpl-fake-1")
        XCTAssertEqual(body["choices"]?[0]?["message"]?["role"], "assistant")
        XCTAssertEqual(body["choices"]?[0]?["message"]?["content"], "Fake answer from gpt-fake: hello world")
        XCTAssertEqual(body["choices"]?[0]?["finish_reason"], "stop")
        // "Be brief." (9 bytes) + "hello  world" (12 bytes) = 21 bytes → 5 prompt tokens; 6 words answered.
        XCTAssertEqual(body["usage"]?["prompt_tokens"], 5)
        XCTAssertEqual(body["usage"]?["completion_tokens"], 6)
        XCTAssertEqual(body["usage"]?["total_tokens"], 11)
        XCTAssertEqual(body["usage"]?["prompt_tokens_details"], ["cached_tokens": 0, "audio_tokens": 0])
        XCTAssertEqual(
            body["usage"]?["completion_tokens_details"],
            [
                "reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            ])
        try harness.finish()
    }

    func testStreamIsRoleChunkThenOneWordPerChunkThenFinishThenDone() throws {
        let harness = try FakeHarness()
        let exchange = harness.send("/v1/chat/completions", json: Bodies.openAI("gpt-fake", "hi there", stream: true))
        XCTAssertEqual(exchange.status, 200)
        XCTAssertEqual(exchange.head?.header("Content-Type"), "text/event-stream")
        let events = exchange.events
        XCTAssertEqual(events.map(\.event), Array(repeating: nil, count: events.count))
        XCTAssertEqual(
            events.map { $0.json?["choices"]?[0]?["delta"] },
            [
                ["role": "assistant", "content": ""],
                ["content": "Fake"], ["content": " answer"], ["content": " from"], ["content": " gpt-fake:"],
                ["content": " hi"], ["content": " there"],
                [:],
                nil,
            ])
        XCTAssertEqual(
            events.dropLast().map { $0.json?["choices"]?[0]?["finish_reason"] },
            Array(repeating: JSON.null, count: 7) + ["stop"])
        for event in events.dropLast() {
            XCTAssertEqual(event.json?["object"], "chat.completion.chunk")
            XCTAssertEqual(event.json?["model"], "gpt-fake")
            XCTAssertNil(event.json?["usage"], "no usage member without stream_options.include_usage")
        }
        XCTAssertEqual(events.last?.data, "[DONE]")
        XCTAssertTrue(exchange.text.hasSuffix("data: [DONE]\n\n"))
        try harness.finish()
    }

    func testIncludeUsageAddsAFinalChunkWithEmptyChoices() throws {
        let harness = try FakeHarness()
        let body = Bodies.openAI("gpt-fake", "one two", stream: true, extra: ["stream_options": ["include_usage": true]])
        let events = harness.send("/v1/chat/completions", json: body).events
        XCTAssertEqual(events.count, 1 + 6 + 1 + 1 + 1)
        for event in events.dropLast(2) { XCTAssertEqual(event.json?["usage"], .null) }
        let usage = events[events.count - 2].json
        XCTAssertEqual(usage?["choices"], [])
        // "Be brief." + "one two" = 16 bytes → 4 tokens; "Fake answer from gpt-fake: one two" = 6 words.
        XCTAssertEqual(usage?["usage"]?["prompt_tokens"], 4)
        XCTAssertEqual(usage?["usage"]?["completion_tokens"], 6)
        XCTAssertEqual(usage?["usage"]?["total_tokens"], 10)
        XCTAssertEqual(usage?["usage"]?["completion_tokens_details"]?["accepted_prediction_tokens"], 0)
        XCTAssertEqual(events.last?.data, "[DONE]")
        try harness.finish()
    }

    func testChunksDirectiveAndMaxTokens() throws {
        let harness = try FakeHarness()
        let long = harness.send("/v1/chat/completions", json: Bodies.openAI("gpt-fake+chunks-9", "a b", stream: true))
        let words = long.events.compactMap { $0.json?["choices"]?[0]?["delta"]?["content"]?.stringValue }.dropFirst()
        XCTAssertEqual(words.joined(), "Fake answer from gpt-fake+chunks-9: a b Fake answer from")
        let cut = harness.send("/v1/chat/completions", json: Bodies.openAI("gpt-fake", "a b", extra: ["max_tokens": 3]))
            .json()
        XCTAssertEqual(cut["choices"]?[0]?["message"]?["content"], "Fake answer from")
        XCTAssertEqual(cut["choices"]?[0]?["finish_reason"], "length")
        XCTAssertEqual(cut["usage"]?["completion_tokens"], 3)
        try harness.finish()
    }

    func testToolCallWithRequiredArgumentDefaults() throws {
        let harness = try FakeHarness()
        let tools: JSON = [
            "tools": [["type": "function", "function": ["name": "get_weather", "parameters": Bodies.weatherParameters]]]
        ]
        let plain = harness.send("/v1/chat/completions", json: Bodies.openAI("gpt-fake+tools", extra: tools)).json()
        let message = plain["choices"]?[0]?["message"]
        XCTAssertEqual(message?["content"], .null)
        XCTAssertEqual(message?["tool_calls"]?[0]?["type"], "function")
        XCTAssertEqual(message?["tool_calls"]?[0]?["function"]?["name"], "get_weather")
        let arguments = try JSON.parse(message?["tool_calls"]?[0]?["function"]?["arguments"]?.stringValue ?? "")
        XCTAssertEqual(arguments, ["city": "fake", "days": 0])
        XCTAssertEqual(plain["choices"]?[0]?["finish_reason"], "tool_calls")

        let streamed = Bodies.openAI("gpt-fake+tools", stream: true, extra: tools)
        let events = harness.send("/v1/chat/completions", json: streamed).events
        let first = events.first?.json?["choices"]?[0]?["delta"]?["tool_calls"]?[0]
        XCTAssertEqual(first?["function"]?["name"], "get_weather")
        XCTAssertEqual(first?["index"], 0)
        let fragments = events.dropFirst().compactMap {
            $0.json?["choices"]?[0]?["delta"]?["tool_calls"]?[0]?["function"]?["arguments"]?.stringValue
        }
        XCTAssertEqual(fragments.count, 2, "arguments arrive in fragments the client must join")
        XCTAssertEqual(try JSON.parse(fragments.joined()), ["city": "fake", "days": 0])
        XCTAssertEqual(events[events.count - 2].json?["choices"]?[0]?["finish_reason"], "tool_calls")

        // Without the directive, tools in the request are ignored.
        let ignored = harness.send("/v1/chat/completions", json: Bodies.openAI("gpt-fake", extra: tools)).json()
        XCTAssertEqual(ignored["choices"]?[0]?["finish_reason"], "stop")
        try harness.finish()
    }

    func testJSONSchemaResponseFormat() throws {
        let harness = try FakeHarness()
        let schema: JSON = [
            "type": "object",
            "properties": [
                "name": ["type": "string"], "score": ["type": "number"], "tags": ["type": "array"],
                "ok": ["type": "boolean"], "mood": ["type": "string", "enum": ["happy", "sad"]],
                "owner": ["type": "object", "properties": ["id": ["type": "integer"]], "required": ["id"]],
                "optional": ["type": "string"],
            ],
            "required": ["name", "score", "tags", "ok", "mood", "owner"],
        ]
        let format: JSON = ["response_format": ["type": "json_schema", "json_schema": ["name": "x", "schema": schema]]]
        let body = harness.send("/v1/chat/completions", json: Bodies.openAI("gpt-fake", extra: format)).json()
        let content = try JSON.parse(body["choices"]?[0]?["message"]?["content"]?.stringValue ?? "")
        XCTAssertEqual(content, ["name": "fake", "score": 0, "tags": [], "ok": false, "mood": "happy", "owner": ["id": 0]])
        try harness.finish()
    }

    func testEmbeddingsFloatAndBase64() throws {
        let harness = try FakeHarness()
        let floats = harness.send("/v1/embeddings", json: ["model": "text-embedding-fake", "input": ["alpha", "beta"]])
            .json()
        XCTAssertEqual(floats["object"], "list")
        XCTAssertEqual(floats["model"], "text-embedding-fake")
        XCTAssertEqual(floats["data"]?.arrayValue?.count, 2)
        let vector = floats["data"]?[0]?["embedding"]?.arrayValue?.compactMap(\.doubleValue) ?? []
        XCTAssertEqual(vector.count, 8)
        XCTAssertTrue(vector.allSatisfy { $0 >= -1 && $0 < 1 })
        XCTAssertNotEqual(floats["data"]?[0]?["embedding"], floats["data"]?[1]?["embedding"])
        XCTAssertEqual(floats["usage"], ["prompt_tokens": 2, "total_tokens": 2])

        let again = harness.send(
            "/v1/embeddings",
            json: [
                "model": "text-embedding-fake", "input": "alpha",
                "encoding_format": "base64", "dimensions": 4,
            ]
        ).json()
        let encoded = again["data"]?[0]?["embedding"]?.stringValue ?? ""
        let decoded = try XCTUnwrap(Data(base64Encoded: encoded))
        let values = stride(from: 0, to: decoded.count, by: 4).map { offset in
            Double(
                Float(
                    bitPattern: decoded[offset..<offset + 4].enumerated().reduce(UInt32(0)) {
                        $0 | UInt32($1.element) << (8 * $1.offset)
                    }))
        }
        XCTAssertEqual(values, Array(vector.prefix(4)), "base64 float32 decodes to the same deterministic vector")
        try harness.finish()
    }

    func testModelListAndUnknownPath() throws {
        let harness = try FakeHarness()
        let models = harness.send("/v1/models", method: "GET").json()
        XCTAssertEqual(models["object"], "list")
        XCTAssertEqual(models["data"]?[0]?["id"], "gpt-fake")
        let missing = harness.send("/v1/completions", json: ["model": "gpt-fake"])
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.json()["error"]?["type"], "invalid_request_error")
        let broken = harness.send("/v1/chat/completions", headers: [("Content-Type", "application/json")]) {
            $0.body = Array("{not json".utf8)
        }
        XCTAssertEqual(broken.status, 400)
        XCTAssertNotNil(broken.json()["error"]?["message"]?.stringValue)
        try harness.finish()
    }
}
