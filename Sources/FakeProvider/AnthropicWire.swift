import HTTPServer
import JSON

/// The Anthropic Messages wire format: `message` objects; `message_start`, `content_block_start`, `ping`,
/// `content_block_delta`, `content_block_stop`, `message_delta`, `message_stop` events; and
/// `{"type": "error", "error": {"type", "message"}}` errors.
enum AnthropicWire: WireFormat {
    static let contentFilterIsError = false

    /// What the real API refuses before looking at the model: missing credentials (401), a missing
    /// `anthropic-version` header or `max_tokens` (400). `Authorization` also counts, as in the real API.
    static func validate(_ headers: HTTPHeaders, body: JSON) -> FakeFailure? {
        if headers["x-api-key"] == nil && headers["authorization"] == nil {
            return .authentication("x-api-key header is required")
        }
        if headers["anthropic-version"] == nil { return .badRequest("anthropic-version: header is required") }
        if body["max_tokens"] == nil { return .badRequest("max_tokens: Field required") }
        return nil
    }

    static func error(_ failure: FakeFailure) -> FakeReply {
        let (type, message): (String, String)
        switch failure {
        case .status(let status): (type, message) = (errorType(status), FakeFailure.message(forStatus: status))
        case .contextTooLong:
            (type, message) = ("invalid_request_error", "prompt is too long: 250000 tokens > 200000 maximum")
        case .contentFilter: (type, message) = ("invalid_request_error", "Output blocked by content filtering policy")
        case .badRequest(let text): (type, message) = ("invalid_request_error", text)
        case .authentication(let text): (type, message) = ("authentication_error", text)
        case .notFound(let text): (type, message) = ("not_found_error", text)
        }
        return .json(
            ["type": "error", "error": ["type": .string(type), "message": .string(message)]],
            status: failure.status)
    }

    /// Anthropic's error `type` for an HTTP status (API docs, "Errors").
    private static func errorType(_ status: Int) -> String {
        switch status {
        case 401: "authentication_error"
        case 402: "billing_error"
        case 403: "permission_error"
        case 404: "not_found_error"
        case 413: "request_too_large"
        case 429: "rate_limit_error"
        case 504: "timeout_error"
        case 529: "overloaded_error"
        case 500...: "api_error"
        default: "invalid_request_error"
        }
    }

    // MARK: Answers

    static func completion(_ answer: FakeAnswer, prompt: FakePrompt, model: String, id: Int) -> [UInt8] {
        var content: [JSON] = []
        switch answer.content {
        case .text:
            content = [["type": "text", "text": .string(answer.text)]]
        case .toolCall(let name, let arguments):
            content = [["type": "tool_use", "id": .string("toolu_fake_\(id)"), "name": .string(name), "input": arguments]]
        case .refusal:
            break
        }
        var message = messageHead(
            model: model, id: id, inputTokens: answer.promptTokens,
            outputTokens: answer.completionTokens)
        message["content"] = .array(content)
        message["stop_reason"] = .string(stopReason(answer))
        return message.serialized()
    }

    static func stream(_ answer: FakeAnswer, prompt: FakePrompt, model: String, id: Int) -> StreamPlan {
        var plan = StreamPlan()
        // The real stream opens with the input tokens and a provisional output count; message_delta's count is
        // the cumulative final one.
        let head = messageHead(model: model, id: id, inputTokens: answer.promptTokens, outputTokens: 1)
        plan.prefix = [SSEEvent("message_start", ["type": "message_start", "message": head])]
        var hasBlock = true
        switch answer.content {
        case .text(let pieces):
            plan.prefix.append(blockStart(["type": "text", "text": ""]))
            plan.content = pieces.map(textDelta)
        case .toolCall(let name, let arguments):
            plan.prefix.append(
                blockStart([
                    "type": "tool_use", "id": .string("toolu_fake_\(id)"),
                    "name": .string(name), "input": [:],
                ]))
            plan.content = arguments.jsonString.halves.map {
                blockDelta(["type": "input_json_delta", "partial_json": .string($0)])
            }
        case .refusal:
            hasBlock = false
        }
        plan.prefix.append(SSEEvent("ping", ["type": "ping"]))
        if hasBlock { plan.suffix.append(SSEEvent("content_block_stop", ["type": "content_block_stop", "index": 0])) }
        plan.suffix.append(
            SSEEvent(
                "message_delta",
                [
                    "type": "message_delta", "delta": ["stop_reason": .string(stopReason(answer)), "stop_sequence": .null],
                    "usage": ["output_tokens": .int(Int64(answer.completionTokens))],
                ]))
        plan.suffix.append(SSEEvent("message_stop", ["type": "message_stop"]))
        return plan
    }

    /// A message without content or stop reason: the frame of the whole answer, and `message_start`'s payload.
    private static func messageHead(model: String, id: Int, inputTokens: Int, outputTokens: Int) -> JSON {
        [
            "id": .string("msg_fake_\(id)"), "type": "message", "role": "assistant", "model": .string(model),
            "content": [], "stop_reason": .null, "stop_sequence": .null,
            "usage": [
                "input_tokens": .int(Int64(inputTokens)), "output_tokens": .int(Int64(outputTokens)),
                "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
            ],
        ]
    }

    private static func blockStart(_ block: JSON) -> SSEEvent {
        SSEEvent("content_block_start", ["type": "content_block_start", "index": 0, "content_block": block])
    }

    private static func blockDelta(_ delta: JSON) -> SSEEvent {
        SSEEvent("content_block_delta", ["type": "content_block_delta", "index": 0, "delta": delta])
    }

    /// A `text_delta` event written around the piece directly: the hot path of every streamed answer, so no JSON
    /// object is built per word (the bytes equal `blockDelta(["type": "text_delta", "text": piece])`).
    private static func textDelta(_ piece: String) -> SSEEvent {
        var data = Array(#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"#.utf8)
        JSON.string(piece).write(into: &data)
        data += "}}".utf8
        return SSEEvent(name: "content_block_delta", raw: data)
    }

    private static func stopReason(_ answer: FakeAnswer) -> String {
        switch answer.content {
        case .toolCall: "tool_use"
        case .refusal: "refusal"
        case .text: answer.truncated ? "max_tokens" : "end_turn"
        }
    }

    // MARK: Other endpoints

    /// `GET /v1/models` when the request carries Anthropic headers.
    static func models() -> FakeReply {
        let data = FakeCatalog.anthropic.map { name -> JSON in
            ["type": "model", "id": .string(name), "display_name": .string(name), "created_at": "2025-01-01T00:00:00Z"]
        }
        return .json([
            "data": .array(data), "has_more": false,
            "first_id": data.first?["id"] ?? .null, "last_id": data.last?["id"] ?? .null,
        ])
    }
}
