import JSON

/// A chat request in the OpenAI Chat Completions shape — the router's one internal request format. Both faces build
/// one: the HTTP API from the client's body, the `chat` MCP tool from its arguments. Only the few fields routing
/// needs are read; the rest travels untouched to the adapter.
public struct ChatRequest: Sendable {
    /// The body as received (plus what the face filled in). Adapters read and translate from here.
    public var body: JSONObject {
        didSet { encodedBody = nil }  // the client's bytes no longer say the same thing
    }

    /// The client's own bytes of `body`, when the face has them and nothing changed since: an adapter for the
    /// client's format forwards these with only the fields it must change rewritten (DESIGN §5).
    public private(set) var encodedBody: [UInt8]?

    /// The size of the body as received, when the face knows it (the HTTP API does): token estimates then cost
    /// nothing instead of serializing the messages again.
    public var sizeHint: Int?

    public init(body: JSONObject, sizeHint: Int? = nil) {
        self.body = body
        self.sizeHint = sizeHint
    }

    /// A request whose `body` was parsed from exactly `encodedBody`.
    public init(body: JSONObject, encodedBody: [UInt8]) {
        self.body = body
        self.encodedBody = encodedBody
        sizeHint = encodedBody.count
    }

    /// Fields that only steer Switchyard and are never sent upstream.
    public static let gatewayFields: Set<String> = [
        "models", "tags", "route", "provider", "transforms", "usage", "user_key",
    ]

    /// `model`: a model id, an alias name, or absent (the session's or the settings' default is used).
    public var model: String? { body["model"]?.stringValue }

    /// `models`: the fallback list tried after `model`, in order.
    public var fallbackModels: [String] { body["models"]?.arrayValue?.compactMap(\.stringValue) ?? [] }

    public var stream: Bool { body["stream"]?.boolValue ?? false }

    /// `stream_options.include_usage`: the client wants a final chunk carrying usage (and our cost).
    public var includeUsage: Bool { body["stream_options"]?["include_usage"]?.boolValue ?? false }

    /// The output cap the client asked for (`max_completion_tokens` wins over the legacy `max_tokens`).
    public var maxOutputTokens: Int? {
        if let value = body["max_completion_tokens"]?.intValue { return Int(value) }
        if let value = body["max_tokens"]?.intValue { return Int(value) }
        return nil
    }

    /// `tags`: labels recorded on the usage row (strings; anything else is ignored).
    public var tags: [String] { body["tags"]?.arrayValue?.compactMap(\.stringValue) ?? [] }

    public var messages: [JSON] { body["messages"]?.arrayValue ?? [] }

    /// The text of every message, concatenated (used by keyword classification and token estimates).
    public var promptText: String {
        var text = ""
        for message in messages {
            switch message["content"] {
            case .string(let content)?: text += content; text += "\n"
            case .array(let parts)?:
                for part in parts { if let content = part["text"]?.stringValue { text += content; text += "\n" } }
            default: break
            }
        }
        return text
    }

    /// The text of the last user message: what category routing classifies.
    public var lastUserText: String {
        for message in messages.reversed() where message["role"]?.stringValue == "user" {
            return ChatRequest(body: ["messages": [message]]).promptText
        }
        return ""
    }

    /// A cheap upper-ish estimate of prompt tokens (about four bytes of text per token, plus per-message overhead),
    /// used for context-window checks and budget reservations before the provider reports the real count.
    public var estimatedPromptTokens: Int {
        if let sizeHint { return sizeHint / 4 + 4 * messages.count + 3 }
        var bytes = 0
        for message in messages { bytes += message.jsonString.utf8.count }
        if let tools = body["tools"] { bytes += tools.jsonString.utf8.count }
        return bytes / 4 + 4 * messages.count + 3
    }

    /// Whether any message carries an image part.
    public var hasImages: Bool {
        messages.contains { message in
            message["content"]?.arrayValue?.contains { $0["type"]?.stringValue == "image_url" } ?? false
        }
    }

    /// Whether the request uses tools (or the legacy `functions`).
    public var usesTools: Bool { body["tools"] != nil || body["functions"] != nil }

    /// Whether the request asks for a JSON schema response.
    public var usesJSONSchema: Bool { body["response_format"]?["type"]?.stringValue == "json_schema" }
}
