import JSON

/// The deterministic answer to a chat request: `"Fake answer from <model>: <last user text>"` (whitespace in the
/// user text collapsed to single spaces), split into words for streaming; a tool call when the model has the
/// `tools` directive and the request offers tools; a JSON value satisfying the schema when a structured answer
/// was asked for; nothing when `content-filter` refuses.
struct FakeAnswer {
    enum Content {
        /// Text in stream pieces: the first word, then each following word with its leading space, so the
        /// pieces concatenate to the whole text.
        case text([String])
        /// A call of the request's first tool.
        case toolCall(name: String, arguments: JSON)
        /// The provider refused (Anthropic `refusal`, Gemini `promptFeedback.blockReason`).
        case refusal
    }

    var content: Content
    var promptTokens: Int
    /// Words of the text; for a tool call 1 + arguments bytes / 4; 0 for a refusal.
    var completionTokens: Int
    /// True when the request's output-token limit cut the text (finish reason `length` / `max_tokens`).
    var truncated = false

    init(prompt: FakePrompt, behaviour: FakeBehaviour, model: String) {
        promptTokens = prompt.promptTokens
        if behaviour.contentFilter {
            content = .refusal
            completionTokens = 0
        } else if behaviour.tools, let tool = prompt.tool {
            let arguments = SchemaDefaults.value(for: tool.parameters)
            content = .toolCall(name: tool.name, arguments: arguments)
            completionTokens = 1 + arguments.serialized().count / 4
        } else if let schema = prompt.responseSchema {
            // Structured output is one piece, never cut or padded: that would break the JSON asked for.
            let json = SchemaDefaults.value(for: schema).jsonString
            content = .text([json])
            completionTokens = max(1, Self.words(json).count)
        } else {
            var words = ["Fake", "answer", "from", model + ":"] + Self.words(prompt.lastUserText)
            if let count = behaviour.wordCount {
                let natural = words
                words = (0..<count).map { natural[$0 % natural.count] }
            }
            if let limit = prompt.maxTokens, words.count > max(limit, 1) {
                words.removeLast(words.count - max(limit, 1))
                truncated = true
            }
            content = .text(Self.pieces(of: words))
            completionTokens = words.count
        }
    }

    /// The whole text of a text answer; empty otherwise.
    var text: String {
        if case .text(let pieces) = content { return pieces.joined() }
        return ""
    }

    /// The text split at runs of ASCII whitespace (space, tab, CR, LF), empty words dropped. It splits UTF-8
    /// bytes rather than Characters (several times faster): ASCII bytes never occur inside a multi-byte sequence.
    static func words(_ text: String) -> [String] {
        text.utf8.split(whereSeparator: { $0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D })
            .map { String(decoding: $0, as: UTF8.self) }
    }

    /// Words as stream pieces: every word after the first carries its leading space.
    static func pieces(of words: [String]) -> [String] {
        words.enumerated().map { $0.offset == 0 ? $0.element : " " + $0.element }
    }
}
