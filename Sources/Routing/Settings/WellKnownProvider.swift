/// Providers Switchyard knows by id, so `"groq": {}` in settings (or `GROQ_API_KEY` in the environment) needs no
/// URL, kind or key variable spelled out.
public struct WellKnownProvider: Sendable, Equatable {
    public var id: String
    public var kind: ProviderKind
    public var baseURL: String
    /// Variables that may hold the key, in order of preference; empty for keyless servers.
    public var keyVariables: [String]
    /// A variable that replaces `baseURL` during environment discovery (`OPENAI_BASE_URL`).
    public var baseURLVariable: String?

    /// In the order environment discovery adds them.
    public static let all: [WellKnownProvider] = [
        WellKnownProvider(
            id: "openai", kind: .openai, baseURL: defaultBaseURL(.openai), keyVariables: ["OPENAI_API_KEY"],
            baseURLVariable: "OPENAI_BASE_URL"),
        WellKnownProvider(
            id: "anthropic", kind: .anthropic, baseURL: defaultBaseURL(.anthropic),
            keyVariables: ["ANTHROPIC_API_KEY"], baseURLVariable: "ANTHROPIC_BASE_URL"),
        WellKnownProvider(
            id: "gemini", kind: .gemini, baseURL: defaultBaseURL(.gemini),
            keyVariables: ["GEMINI_API_KEY", "GOOGLE_API_KEY"]),
        WellKnownProvider(
            id: "openrouter", kind: .openai, baseURL: "https://openrouter.ai/api/v1",
            keyVariables: ["OPENROUTER_API_KEY"]),
        WellKnownProvider(
            id: "groq", kind: .openai, baseURL: "https://api.groq.com/openai/v1",
            keyVariables: ["GROQ_API_KEY"]),
        WellKnownProvider(
            id: "together", kind: .openai, baseURL: "https://api.together.xyz/v1",
            keyVariables: ["TOGETHER_API_KEY"]),
        WellKnownProvider(
            id: "deepseek", kind: .openai, baseURL: "https://api.deepseek.com/v1",
            keyVariables: ["DEEPSEEK_API_KEY"]),
        WellKnownProvider(id: "xai", kind: .openai, baseURL: "https://api.x.ai/v1", keyVariables: ["XAI_API_KEY"]),
        WellKnownProvider(
            id: "mistral", kind: .openai, baseURL: "https://api.mistral.ai/v1",
            keyVariables: ["MISTRAL_API_KEY"]),
        // Ollama serves an OpenAI-compatible API under /v1 and needs no key.
        WellKnownProvider(id: "ollama", kind: .openai, baseURL: "http://127.0.0.1:11434/v1", keyVariables: []),
    ]

    /// The entry for `id`, if Switchyard knows it.
    public static func named(_ id: String) -> WellKnownProvider? {
        all.first { $0.id == id }
    }

    /// The vendor's own endpoint for a kind, used when settings give a kind but no URL.
    public static func defaultBaseURL(_ kind: ProviderKind) -> String {
        switch kind {
        case .openai: return "https://api.openai.com/v1"
        case .anthropic: return "https://api.anthropic.com/v1"
        case .gemini: return "https://generativelanguage.googleapis.com/v1beta"
        }
    }

    /// The first of `keyVariables` set to a non-empty value in `environment`, with that value.
    func key(in environment: [String: String]) -> (variable: String, value: String)? {
        for variable in keyVariables {
            if let value = environment[variable], !value.isEmpty { return (variable, value) }
        }
        return nil
    }
}
