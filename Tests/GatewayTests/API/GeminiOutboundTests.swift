import JSON
import XCTest

@testable import Gateway
@testable import Routing

/// OpenAI completions, chunks and router errors → Gemini shapes.
final class GeminiOutboundTests: XCTestCase {
    func testARefusalIsTheAnswersText() {
        let completion: JSONObject = [
            "id": "gen-1", "object": "chat.completion", "model": "fake/m",
            "choices": [
                [
                    "index": 0, "finish_reason": "stop",
                    "message": ["role": "assistant", "content": .null, "refusal": "I can't help with that."],
                ]
            ],
        ]
        let response = GeminiOutbound.response(completion)
        XCTAssertEqual(
            response["candidates"]?[0]?["content"]?["parts"], [["text": "I can't help with that."]],
            "an empty answer would say nothing about why")
    }

    func testCompletionBecomesAGenerateContentResponse() {
        let completion: JSONObject = [
            "id": "gen-1", "object": "chat.completion", "model": "fakeant/claude",
            "choices": [
                [
                    "index": 0, "finish_reason": "tool_calls",
                    "message": [
                        "role": "assistant", "content": "Checking.", "reasoning_content": "hmm",
                        "tool_calls": [
                            [
                                "id": "call_1", "type": "function", "function": ["name": "f", "arguments": #"{"a":1}"#],
                                "extra_content": ["google": ["thought_signature": "sig"]],
                            ]
                        ],
                    ],
                ],
                ["index": 1, "finish_reason": "length", "message": ["role": "assistant", "content": "Cut"]],
            ],
            "usage": [
                "prompt_tokens": 30, "completion_tokens": 9, "cost": 0.5,
                "prompt_tokens_details": ["cached_tokens": 4], "completion_tokens_details": ["reasoning_tokens": 3],
            ],
        ]
        XCTAssertEqual(
            GeminiOutbound.response(completion),
            [
                "candidates": [
                    [
                        "index": 0, "finishReason": "STOP",
                        "content": [
                            "role": "model",
                            "parts": [
                                ["text": "hmm", "thought": true], ["text": "Checking."],
                                [
                                    "functionCall": ["name": "f", "args": ["a": 1], "id": "call_1"],
                                    "thoughtSignature": "sig",
                                ],
                            ],
                        ],
                    ],
                    ["index": 1, "finishReason": "MAX_TOKENS", "content": ["role": "model", "parts": [["text": "Cut"]]]],
                ],
                "usageMetadata": [
                    "promptTokenCount": 30, "candidatesTokenCount": 6, "totalTokenCount": 39,
                    "thoughtsTokenCount": 3, "cachedContentTokenCount": 4,
                ],
                "modelVersion": "fakeant/claude", "responseId": "gen-1",
            ])
    }

    func testFinishReasonsAndErrorStatuses() {
        XCTAssertEqual(GeminiOutbound.finishReason("stop"), "STOP")
        XCTAssertEqual(GeminiOutbound.finishReason("tool_calls"), "STOP")
        XCTAssertEqual(GeminiOutbound.finishReason("content_filter"), "SAFETY")
        XCTAssertNil(GeminiOutbound.finishReason(nil))
        let statuses: [(Int, String)] = [
            (400, "INVALID_ARGUMENT"), (401, "UNAUTHENTICATED"), (402, "RESOURCE_EXHAUSTED"), (403, "PERMISSION_DENIED"),
            (404, "NOT_FOUND"), (415, "INVALID_ARGUMENT"), (429, "RESOURCE_EXHAUSTED"), (499, "CANCELLED"),
            (502, "INTERNAL"), (503, "UNAVAILABLE"), (504, "DEADLINE_EXCEEDED"),
        ]
        for (code, name) in statuses { XCTAssertEqual(GeminiOutbound.status(code), name, "\(code)") }
        let body = GeminiOutbound.errorBody(
            RoutingError(
                status: 429, type: "rate_limit_error", code: "rate_limited",
                message: "slow down", retryAfterSeconds: 1.2))
        XCTAssertEqual(
            body,
            [
                "error": [
                    "code": 429, "message": "slow down", "status": "RESOURCE_EXHAUSTED",
                    "details": [
                        [
                            "@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "rate_limited",
                            "domain": "switchyard",
                        ],
                        ["@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "2s"],
                    ],
                ]
            ])
    }

    private func chunk(_ delta: JSONObject, index: Int = 0, finish: String? = nil) -> JSONObject {
        [
            "object": "chat.completion.chunk",
            "choices": [
                ["index": .int(Int64(index)), "delta": .object(delta), "finish_reason": finish.map(JSON.string) ?? .null]
            ],
        ]
    }

    func testStreamSendsTextAtOnceAndWholeFunctionCallsAtTheEnd() {
        var encoder = GeminiStreamEncoder()
        encoder.start(model: "fake/m", id: "gen-1")
        XCTAssertNil(encoder.chunk(chunk(["role": "assistant", "content": ""])))
        XCTAssertEqual(
            encoder.chunk(chunk(["content": "Hi"])),
            [
                "candidates": [["content": ["role": "model", "parts": [["text": "Hi"]]], "index": 0]],
                "modelVersion": "fake/m", "responseId": "gen-1",
            ])
        XCTAssertNil(
            encoder.chunk(
                chunk([
                    "tool_calls": [
                        [
                            "index": 0, "id": "call_1", "type": "function",
                            "function": ["name": "f", "arguments": #"{"a""#],
                        ]
                    ]
                ])))
        XCTAssertNil(encoder.chunk(chunk(["tool_calls": [["index": 0, "function": ["arguments": ":1}"]]]])))
        XCTAssertNil(encoder.chunk(chunk([:], finish: "tool_calls")))
        let outcome = AnthropicOutboundTests.outcome(prompt: 10, completion: 4)
        XCTAssertEqual(
            encoder.finish(outcome),
            [
                "candidates": [
                    [
                        "content": [
                            "role": "model", "parts": [["functionCall": ["name": "f", "args": ["a": 1], "id": "call_1"]]],
                        ],
                        "index": 0, "finishReason": "STOP",
                    ]
                ],
                "modelVersion": "fake/m", "responseId": "gen-1",
                "usageMetadata": ["promptTokenCount": 10, "candidatesTokenCount": 4, "totalTokenCount": 14],
            ])
    }

    func testStreamFramings() {
        var array = GeminiStreamFraming(sse: false)
        var bytes = array.element(["a": 1]) + array.element(["b": 2]) + array.end()
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), "[{\"a\":1},\r\n{\"b\":2}]")
        XCTAssertEqual(String(decoding: GeminiStreamFraming(sse: false).end(), as: UTF8.self), "[]")
        var sse = GeminiStreamFraming(sse: true)
        bytes = sse.element(["a": 1]) + sse.end()
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), "data: {\"a\":1}\n\n")
        XCTAssertEqual(sse.contentType, "text/event-stream")
    }
}
