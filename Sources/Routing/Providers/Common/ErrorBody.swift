import JSON

/// What a provider's error body says, read leniently: providers and OpenAI-compatible servers disagree on the
/// shape, and an error must never become a second error just because its body was odd.
///
/// Shapes understood: `{"error":{"message","type","code","status"}}` (OpenAI, Anthropic, Gemini),
/// `[{"error":{…}}]` (Gemini's streaming endpoint wraps errors in an array), `{"error":"text"}` (llama.cpp,
/// some proxies), `{"message":"text"}`, `{"detail":"text"}` or `{"detail":[{"msg":"text"}]}` (FastAPI-based
/// servers such as vLLM); anything else is quoted as text.
struct ErrorBody {
    /// The `error` object, when there is one.
    let error: JSONObject?
    /// The provider's message, or a description of the body when it had none.
    let message: String

    /// Reads a raw response body.
    init(_ body: [UInt8]) {
        let trimmed = body.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        if trimmed.isEmpty {
            self.init(error: nil, message: "the provider sent an empty error body")
            return
        }
        do {
            self.init(json: try JSON.parse(body))
        } catch {
            // Not JSON (an HTML page from a proxy, plain text): quote its start, which is what a person needs.
            self.init(error: nil, message: Self.excerpt(String(decoding: trimmed, as: UTF8.self)))
        }
    }

    /// Reads an already parsed error value (e.g. a mid-stream error event).
    init(json: JSON) {
        var root = json
        if case .array(let elements) = root, let first = elements.first { root = first }
        let error = root["error"]?.objectValue
        var message: String?
        if let text = error?["message"]?.stringValue {
            message = text
        } else if let text = root["error"]?.stringValue {
            message = text
        } else if let text = root["message"]?.stringValue {
            message = text
        } else if let text = root["detail"]?.stringValue {
            message = text
        } else if let text = root["detail"]?[0]?["msg"]?.stringValue {
            message = text
        }
        self.init(error: error, message: message.map(Self.excerpt) ?? Self.excerpt(json.jsonString))
    }

    private init(error: JSONObject?, message: String) {
        self.error = error
        self.message = message
    }

    /// `error.type` (OpenAI, Anthropic).
    var type: String? { error?["type"]?.stringValue }

    /// `error.code` as text (OpenAI sends strings, Gemini the HTTP status as a number).
    var code: String? {
        switch error?["code"] {
        case .string(let text)?: text
        case .int(let number)?: String(number)
        default: nil
        }
    }

    /// `error.status` (Gemini's canonical gRPC status name, e.g. `RESOURCE_EXHAUSTED`).
    var status: String? { error?["status"]?.stringValue }

    /// Whether the message, lowercased, contains any of `phrases`.
    func mentions(_ phrases: [String]) -> Bool {
        let lowered = message.lowercased()
        return phrases.contains { lowered.contains($0) }
    }

    /// Error text is shown to users and logged: keep it to a readable length.
    static func excerpt(_ text: String) -> String {
        let limit = 500
        guard text.count > limit else { return text }
        return String(text.prefix(limit)) + "…"
    }

    /// Phrases providers and OpenAI-compatible servers (vLLM, llama.cpp, Ollama) use in a 400 when the prompt does
    /// not fit the context window; only read for statuses that already mean "bad request".
    static let contextOverflowPhrases = [
        "maximum context length", "context_length_exceeded", "context length", "context window",
        "exceeds the available context size", "prompt is too long", "too many tokens", "exceed context limit",
    ]
}
