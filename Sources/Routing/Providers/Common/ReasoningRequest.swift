import JSON

/// What the client asked for in reasoning, read from OpenAI's `reasoning_effort` or the OpenRouter-style
/// `reasoning: {effort | max_tokens | enabled | exclude}` object, as translating adapters need it: a token budget.
enum ReasoningRequest: Equatable {
    /// Reasoning explicitly off (`reasoning_effort: "none"`, `reasoning: {enabled: false}`).
    case disabled
    /// Think with this many tokens; `exclude` asks not to return the reasoning text.
    case budget(Int, exclude: Bool)

    /// Budgets per effort level. Anthropic's minimum budget is 1024 tokens, so `minimal` cannot go lower.
    static func budget(forEffort effort: String) -> Int? {
        switch effort.lowercased() {
        case "minimal", "low": 1024
        case "medium": 4096
        case "high": 16_384
        case "xhigh": 32_768
        default: nil
        }
    }

    /// The reasoning asked for in `body`, or `nil` when it did not ask (the provider's default applies). An
    /// effort level this table does not know is treated as not asking, as OpenAI-compatible servers do.
    init?(_ body: JSONObject) {
        if let reasoning = body["reasoning"]?.objectValue {
            let exclude = reasoning["exclude"]?.boolValue ?? false
            if reasoning["enabled"]?.boolValue == false || reasoning["effort"]?.stringValue == "none" {
                self = .disabled
            } else if let tokens = reasoning["max_tokens"]?.intValue, tokens > 0 {
                self = .budget(Int(tokens), exclude: exclude)
            } else if let effort = reasoning["effort"]?.stringValue, let budget = Self.budget(forEffort: effort) {
                self = .budget(budget, exclude: exclude)
            } else if reasoning["enabled"]?.boolValue == true {
                self = .budget(4096, exclude: exclude)
            } else {
                return nil
            }
            return
        }
        guard let effort = body["reasoning_effort"]?.stringValue else { return nil }
        if effort == "none" {
            self = .disabled
        } else if let budget = Self.budget(forEffort: effort) {
            self = .budget(budget, exclude: false)
        } else {
            return nil
        }
    }
}
