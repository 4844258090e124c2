/// The wire format a provider speaks.
public enum ProviderKind: String, Sendable, CaseIterable {
    /// OpenAI's Chat Completions API, and every server that copies it (OpenRouter, Groq, Together, DeepSeek, xAI,
    /// Mistral, Ollama, vLLM, llama.cpp, …) through its base URL.
    case openai
    /// Anthropic's Messages API.
    case anthropic
    /// Google's Gemini API (generateContent / streamGenerateContent).
    case gemini
}

/// One configured upstream provider: where it is and how to authenticate. Keys are the user's own (read from the
/// environment variable named in settings) and are never logged or forwarded anywhere else.
public struct ProviderConfig: Sendable {
    /// The id used in model ids (`<id>/<model>`), e.g. `openai`, `openrouter`, `local`.
    public var id: String
    public var kind: ProviderKind
    /// Base URL without a trailing slash, e.g. `https://api.openai.com/v1`.
    public var baseURL: String
    /// The secret, already read from the environment; `nil` for keyless servers (Ollama, llama.cpp).
    public var apiKey: String?
    /// The environment variable the key came from (for messages; never the value).
    public var apiKeyEnv: String?
    /// Extra headers sent on every request (e.g. OpenRouter's `HTTP-Referer`).
    public var headers: [(String, String)]
    /// Per-attempt timeouts.
    public var timeouts: AttemptTimeouts
    /// The price of this provider's models that have none of their own (e.g. zero for a local server), so their
    /// calls are counted — and usable by keys with a budget.
    public var pricing: Pricing?

    public init(
        id: String, kind: ProviderKind, baseURL: String, apiKey: String? = nil, apiKeyEnv: String? = nil,
        headers: [(String, String)] = [], timeouts: AttemptTimeouts = AttemptTimeouts(), pricing: Pricing? = nil
    ) {
        self.id = id
        self.kind = kind
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.apiKey = apiKey
        self.apiKeyEnv = apiKeyEnv
        self.headers = headers
        self.timeouts = timeouts
        self.pricing = pricing
    }
}

/// Limits for one upstream attempt, in milliseconds.
public struct AttemptTimeouts: Sendable, Equatable {
    /// DNS + TCP + TLS.
    public var connectMilliseconds: Int
    /// From sending the request until the response head (for streams: until the first event arrives as well).
    public var firstByteMilliseconds: Int
    /// The whole attempt; `nil` means no limit beyond the first-byte one (long streams).
    public var totalMilliseconds: Int?

    public init(connectMilliseconds: Int = 10_000, firstByteMilliseconds: Int = 60_000, totalMilliseconds: Int? = 600_000) {
        self.connectMilliseconds = connectMilliseconds
        self.firstByteMilliseconds = firstByteMilliseconds
        self.totalMilliseconds = totalMilliseconds
    }
}
