import FoundationEssentials
import JSON

/// Builders for the OpenAI shapes every decoder outputs, so the Anthropic and Gemini decoders agree on them.
enum OpenAIShape {
    /// Unix time in whole seconds, for `created` (the only clock read in the adapters).
    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }

    /// An id for answers whose provider sent none (`chatcmpl-…`, the prefix clients expect).
    static func newID() -> String { "chatcmpl-" + UUID().uuidString.filter { $0 != "-" }.lowercased() }

    /// A `chat.completion` object.
    static func completion(id: String, model: String, created: Int64, choices: [JSON], usage: TokenUsage) -> JSONObject {
        [
            "id": .string(id), "object": "chat.completion", "created": .int(created), "model": .string(model),
            "choices": .array(choices), "usage": .object(usage.openAIObject),
        ]
    }

    /// One `choices[]` entry of a `chat.completion`. `content` is `null` when the model wrote no text (as OpenAI
    /// answers tool calls); `reasoning_content` and `tool_calls` appear only when present.
    static func choice(index: Int, content: String?, reasoning: String?, toolCalls: [JSON], finishReason: String?) -> JSON {
        var message: JSONObject = ["role": "assistant", "content": content.map(JSON.string) ?? .null]
        if let reasoning { message["reasoning_content"] = .string(reasoning) }
        if !toolCalls.isEmpty { message["tool_calls"] = .array(toolCalls) }
        return [
            "index": .int(Int64(index)), "message": .object(message),
            "finish_reason": finishReason.map(JSON.string) ?? .null,
        ]
    }

    /// A `chat.completion.chunk` with one choice.
    static func chunk(
        id: String, model: String, created: Int64, index: Int = 0, delta: JSONObject,
        finishReason: String? = nil
    ) -> JSONObject {
        [
            "id": .string(id), "object": "chat.completion.chunk", "created": .int(created), "model": .string(model),
            "choices": [
                [
                    "index": .int(Int64(index)), "delta": .object(delta),
                    "finish_reason": finishReason.map(JSON.string) ?? .null,
                ]
            ],
        ]
    }

    /// A complete tool call in a message (`arguments` is a JSON string, as OpenAI sends it).
    static func toolCall(id: String, name: String, arguments: String) -> JSON {
        ["id": .string(id), "type": "function", "function": ["name": .string(name), "arguments": .string(arguments)]]
    }
}
