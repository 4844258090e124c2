import FakeProvider
import JSON
import XCTest

/// The Gemini face: `generateContent`, SSE `streamGenerateContent`, embeddings, models.
final class GeminiFormatTests: XCTestCase {
    func testGenerateContent() throws {
        let harness = try FakeHarness()
        let exchange = harness.send("/v1beta/models/gemini-fake:generateContent", json: Bodies.gemini())
        XCTAssertEqual(exchange.status, 200)
        let body = exchange.json()
        XCTAssertEqual(
            body["candidates"]?[0]?["content"],
            ["parts": [["text": "Fake answer from gemini-fake: hello world"]], "role": "model"])
        XCTAssertEqual(body["candidates"]?[0]?["finishReason"], "STOP")
        XCTAssertEqual(body["usageMetadata"], ["promptTokenCount": 5, "candidatesTokenCount": 6, "totalTokenCount": 11])
        XCTAssertEqual(body["modelVersion"], "gemini-fake")
        try harness.finish()
    }

    func testStreamGenerateContentOverSSE() throws {
        let harness = try FakeHarness()
        let exchange = harness.send("/v1beta/models/gemini-fake:streamGenerateContent?alt=sse", json: Bodies.gemini("hi"))
        XCTAssertEqual(exchange.head?.header("Content-Type"), "text/event-stream")
        XCTAssertTrue(exchange.text.hasPrefix("data: {"))
        XCTAssertTrue(exchange.text.hasSuffix("}\r\n\r\n"), "Gemini ends events with CRLF CRLF")
        let events = exchange.events
        XCTAssertEqual(events.count, 5 + 1)
        let texts = events.compactMap { $0.json?["candidates"]?[0]?["content"]?["parts"]?[0]?["text"]?.stringValue }
        XCTAssertEqual(texts, ["Fake", " answer", " from", " gemini-fake:", " hi", ""])
        for event in events.dropLast() {
            XCTAssertNil(event.json?["candidates"]?[0]?["finishReason"])
            XCTAssertNil(event.json?["usageMetadata"])
        }
        XCTAssertEqual(events.last?.json?["candidates"]?[0]?["finishReason"], "STOP")
        XCTAssertEqual(events.last?.json?["usageMetadata"]?["candidatesTokenCount"], 5)
        // Without alt=sse the same responses come as one JSON array.
        let array = harness.send("/v1beta/models/gemini-fake:streamGenerateContent", json: Bodies.gemini("hi")).json()
        XCTAssertEqual(array.arrayValue?.count, 6)
        try harness.finish()
    }

    func testEncodedModelNameAndFunctionCall() throws {
        let harness = try FakeHarness()
        let tools: JSON = [
            "tools": [
                [
                    "functionDeclarations": [
                        [
                            "name": "get_weather",
                            "parameters": [
                                "type": "OBJECT", "properties": ["city": ["type": "STRING"]], "required": ["city"],
                            ],
                        ]
                    ]
                ]
            ]
        ]
        let body = harness.send("/v1beta/models/gemini-fake%2Btools:generateContent", json: Bodies.gemini(extra: tools))
            .json()
        XCTAssertEqual(
            body["candidates"]?[0]?["content"]?["parts"]?[0]?["functionCall"],
            ["name": "get_weather", "args": ["city": "fake"]])
        XCTAssertEqual(body["modelVersion"], "gemini-fake+tools")
        XCTAssertEqual(harness.server.requestCount(for: "gemini-fake+tools"), 1)
        try harness.finish()
    }

    func testEmbeddingsAndModels() throws {
        let harness = try FakeHarness()
        let request: JSON = [
            "requests": [
                ["model": "models/text-embedding-fake", "content": ["parts": [["text": "alpha"]]]],
                [
                    "model": "models/text-embedding-fake", "content": ["parts": [["text": "beta"]]],
                    "outputDimensionality": 3,
                ],
            ]
        ]
        let batch = harness.send("/v1beta/models/text-embedding-fake:batchEmbedContents", json: request).json()
        XCTAssertEqual(batch["embeddings"]?.arrayValue?.count, 2)
        XCTAssertEqual(batch["embeddings"]?[0]?["values"]?.arrayValue?.count, 8)
        XCTAssertEqual(batch["embeddings"]?[1]?["values"]?.arrayValue?.count, 3)
        let models = harness.send("/v1beta/models", method: "GET").json()
        XCTAssertEqual(models["models"]?[0]?["name"], "models/gemini-fake")
        // Gemini takes at most 100 requests per batch and says so with a 400 in its error shape.
        func requests(_ count: Int) -> JSON {
            let one: JSON = ["model": "models/text-embedding-fake", "content": ["parts": [["text": "alpha"]]]]
            return ["requests": .array(Array(repeating: one, count: count))]
        }
        let hundred = harness.send("/v1beta/models/text-embedding-fake:batchEmbedContents", json: requests(100))
        XCTAssertEqual(hundred.status, 200)
        XCTAssertEqual(hundred.json()["embeddings"]?.arrayValue?.count, 100)
        let tooMany = harness.send("/v1beta/models/text-embedding-fake:batchEmbedContents", json: requests(101))
        XCTAssertEqual(tooMany.status, 400)
        XCTAssertEqual(tooMany.json()["error"]?["code"], 400)
        XCTAssertEqual(tooMany.json()["error"]?["status"], "INVALID_ARGUMENT")
        XCTAssertEqual(
            tooMany.json()["error"]?["message"],
            "* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch")
        let unknown = harness.send("/v1beta/models/gemini-fake:frobnicate", json: Bodies.gemini())
        XCTAssertEqual(unknown.status, 404)
        XCTAssertEqual(unknown.json()["error"]?["status"], "NOT_FOUND")
        try harness.finish()
    }
}
