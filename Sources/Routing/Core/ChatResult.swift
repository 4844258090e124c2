import JSON

/// Tokens one call used, as the provider reported them.
public struct TokenUsage: Sendable, Equatable {
    public var prompt: Int
    public var completion: Int
    /// Prompt tokens served from the provider's cache (billed at the cached price).
    public var cached: Int
    /// Prompt tokens written to the provider's cache (already included in `prompt`; billed at the cache-write
    /// price): Anthropic's `cache_creation_input_tokens`, OpenRouter's `cache_write_tokens`.
    public var cacheWrite: Int
    /// Completion tokens spent on reasoning (already included in `completion`).
    public var reasoning: Int

    public init(prompt: Int = 0, completion: Int = 0, cached: Int = 0, cacheWrite: Int = 0, reasoning: Int = 0) {
        self.prompt = prompt
        self.completion = completion
        self.cached = cached
        self.cacheWrite = cacheWrite
        self.reasoning = reasoning
    }

    public var total: Int { prompt + completion }

    /// The OpenAI `usage` object (`prompt_tokens_details.cached_tokens`, `completion_tokens_details.reasoning_tokens`),
    /// with OpenRouter's `prompt_tokens_details.cache_write_tokens` when the prompt was written to a cache.
    public var openAIObject: JSONObject {
        var promptDetails: JSONObject = ["cached_tokens": .int(Int64(cached))]
        if cacheWrite > 0 { promptDetails["cache_write_tokens"] = .int(Int64(cacheWrite)) }
        return [
            "prompt_tokens": .int(Int64(prompt)), "completion_tokens": .int(Int64(completion)),
            "total_tokens": .int(Int64(total)),
            "prompt_tokens_details": .object(promptDetails),
            "completion_tokens_details": ["reasoning_tokens": .int(Int64(reasoning))],
        ]
    }

    /// Reads an OpenAI-shaped `usage` object (with OpenRouter's `prompt_tokens_details.cache_write_tokens`).
    public init?(openAI usage: JSON?) {
        guard let usage, usage.objectValue != nil else { return nil }
        self.init(
            prompt: Int(usage["prompt_tokens"]?.intValue ?? 0),
            completion: Int(usage["completion_tokens"]?.intValue ?? 0),
            cached: Int(usage["prompt_tokens_details"]?["cached_tokens"]?.intValue ?? 0),
            cacheWrite: Int(usage["prompt_tokens_details"]?["cache_write_tokens"]?.intValue ?? 0),
            reasoning: Int(usage["completion_tokens_details"]?["reasoning_tokens"]?.intValue ?? 0))
    }
}

/// A decoded non-streaming answer, already in the OpenAI `chat.completion` shape.
public struct ChatCompletion: Sendable {
    /// The full `chat.completion` object (`id`, `choices`, `usage`, …). The router rewrites `id`, `model` and
    /// adds `usage.cost` before it reaches the client.
    public var body: JSONObject
    public var usage: TokenUsage
    /// The provider's own `usage` object when it already speaks OpenAI's shape, every member as sent (details
    /// such as `audio_tokens` and members we do not know included): the client gets it with only `cost` set. Nil
    /// for translated answers, whose `usage` the router writes from `usage`.
    public var reportedUsage: JSONObject?

    public init(body: JSONObject, usage: TokenUsage, reportedUsage: JSONObject? = nil) {
        self.body = body
        self.usage = usage
        self.reportedUsage = reportedUsage
    }

    /// The first choice's text (what the `chat` tool shows).
    public var text: String {
        body["choices"]?[0]?["message"]?["content"]?.stringValue ?? ""
    }
}
