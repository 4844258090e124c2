import JSON
import Routing

/// The router's OpenAI-shaped answers and errors → Gemini shapes: `GenerateContentResponse` (candidates,
/// `usageMetadata`, `modelVersion`, `responseId`) and `{"error":{"code","message","status"}}`. The stream
/// counterpart is `GeminiStreamEncoder`.
enum GeminiOutbound {
    /// A `chat.completion` (with our `id`, the answering `model` and usage) → a `GenerateContentResponse`.
    static func response(_ completion: JSONObject) -> JSONObject {
        var candidates: [JSON] = []
        for (position, choice) in (completion["choices"]?.arrayValue ?? []).enumerated() {
            let message = choice["message"]
            // A refusal (`content` null, the reason in `refusal`) is the answer's text: an empty answer says nothing.
            let parts = self.parts(
                text: message?["content"]?.stringValue ?? message?["refusal"]?.stringValue,
                thought: message?["reasoning_content"]?.stringValue, toolCalls: message?["tool_calls"]?.arrayValue ?? [])
            candidates.append(
                .object(
                    candidate(
                        index: Int(choice["index"]?.intValue ?? Int64(position)), parts: parts,
                        finishReason: finishReason(choice["finish_reason"]?.stringValue))))
        }
        return [
            "candidates": .array(candidates),
            "usageMetadata": .object(usageMetadata(TokenUsage(openAI: completion["usage"]) ?? TokenUsage())),
            "modelVersion": completion["model"] ?? .null, "responseId": completion["id"] ?? .null,
        ]
    }

    /// One candidate: `content {role: model, parts}`, its index, and `finishReason` once it ended.
    static func candidate(index: Int, parts: [JSON], finishReason: String?) -> JSONObject {
        var candidate: JSONObject = ["content": ["role": "model", "parts": .array(parts)], "index": .int(Int64(index))]
        if let finishReason { candidate["finishReason"] = .string(finishReason) }
        return candidate
    }

    /// Thoughts (`thought: true`), then text, then one `functionCall` per tool call (with its id, so clients can
    /// answer it by id, and the thought signature Gemini 3 wants back).
    static func parts(text: String?, thought: String?, toolCalls: [JSON]) -> [JSON] {
        var parts: [JSON] = []
        if let thought, !thought.isEmpty { parts.append(["text": .string(thought), "thought": true]) }
        if let text, !text.isEmpty { parts.append(["text": .string(text)]) }
        for call in toolCalls { parts.append(functionCall(call)) }
        return parts
    }

    /// An OpenAI tool call → a `functionCall` part.
    static func functionCall(_ call: JSON) -> JSON {
        var functionCall: JSONObject = [
            "name": .string(call["function"]?["name"]?.stringValue ?? ""),
            "args": .object(FaceShapes.toolArguments(call["function"]?["arguments"])),
        ]
        if let id = call["id"]?.stringValue, !id.isEmpty { functionCall["id"] = .string(id) }
        var part: JSONObject = ["functionCall": .object(functionCall)]
        if let signature = call["extra_content"]?["google"]?["thought_signature"]?.stringValue {
            part["thoughtSignature"] = .string(signature)
        }
        return .object(part)
    }

    /// `stop` and `tool_calls` → STOP (Gemini ends function calls with STOP too), `length` → MAX_TOKENS,
    /// `content_filter` → SAFETY; nil while the candidate is still going.
    static func finishReason(_ reason: String?) -> String? {
        switch reason {
        case nil: nil
        case "length"?: "MAX_TOKENS"
        case "content_filter"?: "SAFETY"
        default: "STOP"
        }
    }

    /// Gemini counts thinking apart from the answer (`thoughtsTokenCount`); the OpenAI shape counts it inside
    /// completion tokens.
    static func usageMetadata(_ usage: TokenUsage) -> JSONObject {
        var metadata: JSONObject = [
            "promptTokenCount": .int(Int64(usage.prompt)),
            "candidatesTokenCount": .int(Int64(max(0, usage.completion - usage.reasoning))),
            "totalTokenCount": .int(Int64(usage.total)),
        ]
        if usage.reasoning > 0 { metadata["thoughtsTokenCount"] = .int(Int64(usage.reasoning)) }
        if usage.cached > 0 { metadata["cachedContentTokenCount"] = .int(Int64(usage.cached)) }
        return metadata
    }

    // MARK: Errors

    /// `{"error":{"code","message","status","details"}}`: Google's canonical status name, an `ErrorInfo` with
    /// Switchyard's code, and a `RetryInfo` when the error says when to come back (where Gemini clients look).
    static func errorBody(_ error: RoutingError) -> JSONObject {
        var info: JSONObject = [
            "@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": .string(error.code), "domain": "switchyard",
        ]
        if let id = error.generationID { info["metadata"] = ["generation_id": .string(id)] }
        var details: [JSON] = [.object(info)]
        if let seconds = error.retryAfterSeconds {
            details.append([
                "@type": "type.googleapis.com/google.rpc.RetryInfo",
                "retryDelay": .string("\(Int(seconds.rounded(.up)))s"),
            ])
        }
        return [
            "error": [
                "code": .int(Int64(error.status)), "message": .string(error.message),
                "status": .string(status(error.status)),
                "details": .array(details),
            ]
        ]
    }

    /// The canonical status name (google.rpc.Code) Google pairs with an HTTP status.
    static func status(_ httpStatus: Int) -> String {
        switch httpStatus {
        case 401: "UNAUTHENTICATED"
        case 402, 429: "RESOURCE_EXHAUSTED"
        case 403: "PERMISSION_DENIED"
        case 404: "NOT_FOUND"
        case 409: "ABORTED"
        case 499: "CANCELLED"
        case 501: "UNIMPLEMENTED"
        case 503, 529: "UNAVAILABLE"
        case 504: "DEADLINE_EXCEEDED"
        case 500...: "INTERNAL"
        default: "INVALID_ARGUMENT"
        }
    }
}
