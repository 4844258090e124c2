import JSON

/// OpenAI's own API is stricter than the servers that copy its format: it rejects request fields it does not know
/// (400 "Unrecognized request argument") where OpenRouter, vLLM, llama.cpp or Together take `top_k` and the
/// OpenRouter-style `reasoning` object — which is what the Anthropic and Gemini faces produce from `top_k` and
/// `thinking`/`thinkingConfig`. For api.openai.com those two are rewritten to what it understands.
extension OpenAIAdapter {
    static func isOpenAIPlatform(_ provider: ProviderConfig) -> Bool {
        provider.baseURL.hasPrefix("https://api.openai.com/")
    }

    static func hasOtherServersFields(_ body: JSONObject) -> Bool {
        body["top_k"] != nil || body["reasoning"] != nil
    }

    /// Drops `top_k` (OpenAI samples with temperature and top_p only) and turns a `reasoning` object into
    /// `reasoning_effort` (its effort, or the effort a token budget corresponds to; left to the model's default when
    /// reasoning is switched off, since not every model accepts "none").
    static func fitForOpenAIPlatform(_ body: inout JSONObject) {
        body["top_k"] = nil
        guard body["reasoning"] != nil else { return }
        if body["reasoning_effort"] == nil {
            if let effort = body["reasoning"]?["effort"]?.stringValue {
                body["reasoning_effort"] = .string(effort)
            } else if case .budget(let tokens, _)? = ReasoningRequest(body) {
                body["reasoning_effort"] = .string(tokens <= 1_024 ? "low" : tokens <= 8_192 ? "medium" : "high")
            }
        }
        body["reasoning"] = nil
    }
}
