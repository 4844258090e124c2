import JSON
import XCTest

@testable import Gateway
@testable import Routing

/// OpenAI completions, chunks and router errors → Anthropic Messages shapes.
final class AnthropicOutboundTests: XCTestCase {
    static func outcome(prompt: Int = 12, completion: Int = 5, cached: Int = 0, cost: Double = 0.25) -> RouteOutcome {
        RouteOutcome(
            id: "gen-1", model: ModelID(provider: "fake", model: "m"),
            usage: TokenUsage(prompt: prompt, completion: completion, cached: cached), cost: cost,
            latencyMilliseconds: 1, timeToFirstTokenMilliseconds: nil, attempts: [])
    }

    func testCompletionBecomesAMessageWithBlocksStopReasonAndUsage() {
        let completion: JSONObject = [
            "id": "gen-1", "object": "chat.completion", "model": "fakeant/claude",
            "choices": [
                [
                    "index": 0, "finish_reason": "tool_calls",
                    "message": [
                        "role": "assistant", "content": "Let me check.", "reasoning_content": "thinking…",
                        "tool_calls": [
                            ["id": "call_1", "type": "function", "function": ["name": "f", "arguments": #"{"a":1}"#]],
                            ["id": "call_2", "type": "function", "function": ["name": "g", "arguments": "{broken"]],
                        ],
                    ],
                ]
            ],
            "usage": [
                "prompt_tokens": 130, "completion_tokens": 9,
                "prompt_tokens_details": ["cached_tokens": 10, "cache_write_tokens": 100], "cost": 0.5,
            ],
        ]
        XCTAssertEqual(
            AnthropicOutbound.message(completion),
            [
                "id": "gen-1", "type": "message", "role": "assistant", "model": "fakeant/claude",
                "content": [
                    ["type": "thinking", "thinking": "thinking…", "signature": ""],
                    ["type": "text", "text": "Let me check."],
                    ["type": "tool_use", "id": "call_1", "name": "f", "input": ["a": 1]],
                    ["type": "tool_use", "id": "call_2", "name": "g", "input": ["_raw_arguments": "{broken"]],
                ],
                "stop_reason": "tool_use", "stop_sequence": .null,
                // Anthropic counts cache reads and writes apart from input_tokens.
                "usage": [
                    "input_tokens": 20, "output_tokens": 9, "cache_creation_input_tokens": 100,
                    "cache_read_input_tokens": 10, "cost": 0.5,
                ],
            ])
    }

    func testAnOpenAIRefusalIsTextWithStopReasonRefusal() {
        let completion: JSONObject = [
            "id": "gen-2", "model": "fake/m",
            "choices": [
                [
                    "index": 0, "finish_reason": "stop",
                    "message": ["role": "assistant", "content": .null, "refusal": "I can't help."],
                ]
            ],
        ]
        let message = AnthropicOutbound.message(completion)
        XCTAssertEqual(message["content"], [["type": "text", "text": "I can't help."]])
        XCTAssertEqual(message["stop_reason"], "refusal")
        XCTAssertEqual(
            message["usage"],
            ["input_tokens": 0, "output_tokens": 0, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0])
    }

    func testStopReasons() {
        XCTAssertEqual(AnthropicOutbound.stopReason("stop").0, "end_turn")
        XCTAssertEqual(AnthropicOutbound.stopReason(nil).0, "end_turn")
        XCTAssertEqual(AnthropicOutbound.stopReason("length").0, "max_tokens")
        XCTAssertEqual(AnthropicOutbound.stopReason("tool_calls").0, "tool_use")
        XCTAssertEqual(AnthropicOutbound.stopReason("content_filter").0, "refusal")
        // vLLM names the stop string that matched; only one the client asked for counts.
        XCTAssertTrue(
            AnthropicOutbound.stopReason("stop", matched: "END", stopSequences: ["END"]) == ("stop_sequence", "END"))
        XCTAssertTrue(AnthropicOutbound.stopReason("stop", matched: 42, stopSequences: ["END"]) == ("end_turn", nil))
    }

    func testErrorsTakeAnthropicTypesAndStatuses() {
        let cases: [(Int, String, Int)] = [
            (400, "invalid_request_error", 400), (401, "authentication_error", 401), (402, "billing_error", 402),
            (403, "permission_error", 403), (404, "not_found_error", 404), (415, "invalid_request_error", 415),
            (429, "rate_limit_error", 429), (502, "api_error", 502), (503, "overloaded_error", 529),
            (504, "timeout_error", 504),
        ]
        for (status, type, answered) in cases {
            let error = RoutingError(status: status, type: "x", code: "c", message: "m")
            XCTAssertEqual(AnthropicOutbound.errorType(error), type, "\(status)")
            XCTAssertEqual(AnthropicOutbound.status(error), answered, "\(status)")
        }
        let attempt = AttemptRecord(
            model: ModelID(provider: "fake", model: "m"), outcome: "rate_limited", status: 429,
            latencyMilliseconds: 2)
        let body = AnthropicOutbound.errorBody(
            RoutingError(
                status: 429, type: "rate_limit_error", code: "rate_limited",
                message: "slow down", attempts: [attempt]))
        XCTAssertEqual(body["type"], "error")
        XCTAssertEqual(body["error"], ["type": "rate_limit_error", "message": "slow down"])
        XCTAssertEqual(body["switchyard"]?["code"], "rate_limited")
        XCTAssertEqual(body["switchyard"]?["attempts"]?[0]?["model"], "fake/m")
        let broken = RoutingError(status: 429, type: "upstream_error", code: "stream_interrupted", message: "cut")
        XCTAssertEqual(AnthropicOutbound.streamErrorBody(broken)["error"]?["type"], "api_error")
    }

    private func chunk(_ delta: JSONObject, finish: String? = nil) -> JSONObject {
        [
            "object": "chat.completion.chunk",
            "choices": [["index": 0, "delta": .object(delta), "finish_reason": finish.map(JSON.string) ?? .null]],
        ]
    }

    func testStreamOfThinkingTextAndToolCallsBecomesBlocks() {
        var encoder = AnthropicStreamEncoder()
        var events = encoder.start(model: "fake/m", id: "gen-1")
        events += encoder.chunk(chunk(["role": "assistant", "content": ""]))
        events += encoder.chunk(chunk(["reasoning_content": "hmm"]))
        events += encoder.chunk(chunk(["content": "Hi"]))
        events += encoder.chunk(chunk(["content": " there"]))
        events += encoder.chunk(
            chunk([
                "tool_calls": [
                    [
                        "index": 0, "id": "call_1", "type": "function",
                        "function": ["name": "f", "arguments": ""],
                    ]
                ]
            ]))
        events += encoder.chunk(chunk(["tool_calls": [["index": 0, "function": ["arguments": #"{"a":"#]]]]))
        events += encoder.chunk(chunk(["tool_calls": [["index": 0, "function": ["arguments": "1}"]]]]))
        events += encoder.chunk(chunk([:], finish: "tool_calls"))
        events += encoder.finish(Self.outcome())
        XCTAssertEqual(
            events.map(\.name),
            [
                "message_start",
                "content_block_start", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
                "message_delta", "message_stop",
            ])
        XCTAssertEqual(events[0].data["message"]?["id"], "gen-1")
        XCTAssertEqual(
            events[1].data,
            [
                "type": "content_block_start", "index": 0,
                "content_block": ["type": "thinking", "thinking": "", "signature": ""],
            ])
        XCTAssertEqual(events[2].data["delta"], ["type": "thinking_delta", "thinking": "hmm"])
        XCTAssertEqual(
            events[5].data, ["type": "content_block_delta", "index": 1, "delta": ["type": "text_delta", "text": "Hi"]])
        XCTAssertEqual(events[8].data["content_block"], ["type": "tool_use", "id": "call_1", "name": "f", "input": [:]])
        XCTAssertEqual(events[9].data["delta"], ["type": "input_json_delta", "partial_json": #"{"a":"#])
        XCTAssertEqual(events[11].data, ["type": "content_block_stop", "index": 2])
        XCTAssertEqual(
            events[12].data,
            [
                "type": "message_delta", "delta": ["stop_reason": "tool_use", "stop_sequence": .null],
                "usage": [
                    "input_tokens": 12, "output_tokens": 5, "cache_creation_input_tokens": 0,
                    "cache_read_input_tokens": 0, "cost": 0.25,
                ],
            ])
        let wire = String(decoding: AnthropicEvent.sse([events[13]]), as: UTF8.self)
        XCTAssertEqual(wire, "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
    }

    func testAStreamedRefusalIsTextWithStopReasonRefusal() {
        var encoder = AnthropicStreamEncoder()
        var events = encoder.start(model: "fake/m", id: "gen-1")
        events += encoder.chunk(chunk(["role": "assistant", "refusal": ""]))
        events += encoder.chunk(chunk(["refusal": "I can't"]))
        events += encoder.chunk(chunk(["refusal": " help with that."]))
        events += encoder.chunk(chunk([:], finish: "stop"))
        events += encoder.finish(Self.outcome())
        let text = events.compactMap { $0.data["delta"]?["text"]?.stringValue }.joined()
        XCTAssertEqual(text, "I can't help with that.")
        XCTAssertEqual(events.last { $0.name == "message_delta" }?.data["delta"]?["stop_reason"], "refusal")
    }

    func testWholeToolCallsFromGeminiAndABrokenStream() {
        var encoder = AnthropicStreamEncoder()
        var events = encoder.chunk(
            chunk([
                "tool_calls": [
                    ["index": 0, "id": "call_0", "type": "function", "function": ["name": "f", "arguments": "{}"]],
                    ["index": 1, "id": "call_1", "type": "function", "function": ["name": "g", "arguments": #"{"b":2}"#]],
                ]
            ]))
        XCTAssertEqual(
            events.map(\.name),
            [
                "content_block_start", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta",
            ])
        XCTAssertEqual(events[3].data["index"], 1)
        events = encoder.fail(RoutingError(status: 503, type: "upstream_error", code: "stream_interrupted", message: "gone"))
        XCTAssertEqual(
            events,
            [
                AnthropicEvent(
                    name: "error",
                    data: [
                        "type": "error", "error": ["type": "overloaded_error", "message": "gone"],
                        "switchyard": ["code": "stream_interrupted"],
                    ])
            ])
    }

    func testRoutesClaimOnlyTheirPaths() {
        XCTAssertEqual(AnthropicRoutes.route("/v1/messages"), "messages")
        XCTAssertEqual(AnthropicRoutes.route("/api/v1/messages/count_tokens"), "messages/count_tokens")
        XCTAssertEqual(AnthropicRoutes.route("/anthropic/v1/messages/"), "messages")
        XCTAssertEqual(AnthropicRoutes.route("/anthropic/v1/models"), "models")
        XCTAssertNil(AnthropicRoutes.route("/v1/chat/completions"))
        XCTAssertNil(AnthropicRoutes.route("/v1/messagesx"))
        XCTAssertNil(AnthropicRoutes.route("/openai/v1/messages"))
    }
}
