import JSON
import Routing

/// The router's OpenAI-shaped answers and errors → Anthropic Messages shapes: the `message` object, stop reasons,
/// usage and `{"type":"error","error":{…}}` bodies. The stream counterpart is `AnthropicStreamEncoder`.
enum AnthropicOutbound {
    /// A `chat.completion` (with our `id`, the answering `model` and `usage.cost`) → a `message`. `stopSequences`
    /// are the ones the client asked for, to recognise which one ended the answer.
    static func message(_ completion: JSONObject, stopSequences: [String] = []) -> JSONObject {
        let choice = completion["choices"]?[0]
        let message = choice?["message"]
        var content: [JSON] = []
        if let reasoning = message?["reasoning_content"]?.stringValue, !reasoning.isEmpty {
            // The OpenAI shape carries no signature; clients that send thinking back get it dropped (see inbound).
            content.append(["type": "thinking", "thinking": .string(reasoning), "signature": ""])
        }
        // OpenAI models that refuse say why in `refusal` (with `content` null and finish reason `stop`).
        let refusal = message?["refusal"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        if let text = message?["content"]?.stringValue ?? refusal, !text.isEmpty {
            content.append(["type": "text", "text": .string(text)])
        }
        for call in message?["tool_calls"]?.arrayValue ?? [] {
            content.append([
                "type": "tool_use", "id": .string(call["id"]?.stringValue ?? ""),
                "name": .string(call["function"]?["name"]?.stringValue ?? ""),
                "input": .object(FaceShapes.toolArguments(call["function"]?["arguments"])),
            ])
        }
        var (reason, sequence) = stopReason(
            choice?["finish_reason"]?.stringValue, matched: choice?["stop_reason"],
            stopSequences: stopSequences)
        if refusal != nil, message?["content"]?.stringValue == nil { reason = "refusal" }
        return [
            "id": completion["id"] ?? .null, "type": "message", "role": "assistant", "content": .array(content),
            "model": completion["model"] ?? .null, "stop_reason": .string(reason),
            "stop_sequence": sequence.map(JSON.string) ?? .null,
            "usage": .object(
                usage(
                    TokenUsage(openAI: completion["usage"]) ?? TokenUsage(),
                    cost: completion["usage"]?["cost"]?.doubleValue)),
        ]
    }

    /// `stop` → `end_turn` (or `stop_sequence` when the upstream named which stop string matched, as vLLM does in
    /// `stop_reason`), `length` → `max_tokens`, `tool_calls` → `tool_use`, `content_filter` → `refusal`.
    static func stopReason(
        _ finishReason: String?, matched: JSON? = nil,
        stopSequences: [String] = []
    ) -> (String, String?) {
        switch finishReason {
        case "length"?: return ("max_tokens", nil)
        case "tool_calls"?, "function_call"?: return ("tool_use", nil)
        case "content_filter"?: return ("refusal", nil)
        default:
            if let sequence = matched?.stringValue, stopSequences.contains(sequence) { return ("stop_sequence", sequence) }
            return ("end_turn", nil)
        }
    }

    /// Anthropic counts cache reads and cache writes apart from `input_tokens`; the OpenAI shape counts both inside
    /// the prompt. `cost` is Switchyard's addition (USD), as on the OpenAI face.
    static func usage(_ usage: TokenUsage, cost: Double?) -> JSONObject {
        var object: JSONObject = [
            "input_tokens": .int(Int64(max(0, usage.prompt - usage.cached - usage.cacheWrite))),
            "output_tokens": .int(Int64(usage.completion)),
            "cache_creation_input_tokens": .int(Int64(usage.cacheWrite)),
            "cache_read_input_tokens": .int(Int64(usage.cached)),
        ]
        if let cost { object["cost"] = .double(cost) }
        return object
    }

    // MARK: Errors

    /// `{"type":"error","error":{"type","message"}}`, plus Switchyard's code and the attempts that failed.
    static func errorBody(_ error: RoutingError) -> JSONObject {
        var body: JSONObject = [
            "type": "error",
            "error": ["type": .string(errorType(error)), "message": .string(error.message)],
        ]
        var details: JSONObject = ["code": .string(error.code)]
        if let id = error.generationID { details["generation_id"] = .string(id) }
        if !error.attempts.isEmpty { details["attempts"] = .array(error.attempts.map(\.json)) }
        body["switchyard"] = .object(details)
        return body
    }

    /// The `error` event that ends a stream broken after it started: Anthropic streams report only
    /// `overloaded_error` or `api_error` there.
    static func streamErrorBody(_ error: RoutingError) -> JSONObject {
        var body = errorBody(error)
        body["error"]?["type"] = (error.status == 503 || error.status == 529) ? "overloaded_error" : "api_error"
        return body
    }

    /// The status Anthropic would answer: 529 where the router says the upstream is overloaded (Anthropic's
    /// `overloaded_error` status, which its SDKs map to `OverloadedError`), the router's status otherwise.
    static func status(_ error: RoutingError) -> Int {
        error.status == 503 ? 529 : error.status
    }

    /// Anthropic's error `type` for a router error, by status (the router's own types are OpenAI's).
    static func errorType(_ error: RoutingError) -> String {
        switch error.status {
        case 401: "authentication_error"
        case 402: "billing_error"
        case 403: "permission_error"
        case 404: "not_found_error"
        case 413: "request_too_large"
        case 429: "rate_limit_error"
        case 503, 529: "overloaded_error"
        case 504: "timeout_error"
        case 500...: "api_error"
        default: "invalid_request_error"
        }
    }
}
