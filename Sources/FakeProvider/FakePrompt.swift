import JSON

/// The parts of a chat request the fake's answer depends on, read from any of the three wire formats.
///
/// Only text counts: `promptBytes` sums the UTF-8 bytes of every text in the system prompt and the messages
/// (text parts, and for Anthropic the text of `tool_result` blocks, which are user messages there), and
/// `lastUserText` is the text of the last message whose role is `user`, its parts joined with spaces.
struct FakePrompt {
    /// The first tool the request offers.
    struct Tool {
        var name: String
        /// The JSON schema of its arguments, if any.
        var parameters: JSON?
    }

    var lastUserText = ""
    var promptBytes = 0
    var stream = false
    /// OpenAI `stream_options.include_usage`: a final chunk with `choices: []` and `usage`.
    var includeUsage = false
    var tool: Tool?
    /// The schema of a structured answer (`response_format` json_schema, Anthropic `output_format`, Gemini
    /// `responseSchema` / `responseJsonSchema`).
    var responseSchema: JSON?
    /// The request's output-token limit, if any.
    var maxTokens: Int?

    /// The prompt-token figure every format reports: bytes / 4, at least 1.
    var promptTokens: Int { max(1, promptBytes / 4) }

    // MARK: OpenAI

    /// Reads a `POST /v1/chat/completions` body.
    init(openAI body: JSON) {
        for message in body["messages"]?.arrayValue ?? [] {
            let text = Self.text(of: message["content"])
            promptBytes += text.utf8.count
            if message["role"]?.stringValue == "user" { lastUserText = text }
        }
        stream = body["stream"]?.boolValue ?? false
        includeUsage = body["stream_options"]?["include_usage"]?.boolValue ?? false
        if let function = body["tools"]?[0]?["function"], let name = function["name"]?.stringValue {
            tool = Tool(name: name, parameters: function["parameters"])
        }
        if let format = body["response_format"], format["type"]?.stringValue == "json_schema" {
            responseSchema = format["json_schema"]?["schema"] ?? [:]
        }
        maxTokens = Self.int(body["max_completion_tokens"]) ?? Self.int(body["max_tokens"])
    }

    // MARK: Anthropic

    /// Reads a `POST /v1/messages` body.
    init(anthropic body: JSON) {
        promptBytes = Self.text(of: body["system"]).utf8.count
        for message in body["messages"]?.arrayValue ?? [] {
            let text = Self.text(of: message["content"])
            promptBytes += text.utf8.count
            if message["role"]?.stringValue == "user" { lastUserText = text }
        }
        stream = body["stream"]?.boolValue ?? false
        if let first = body["tools"]?[0], let name = first["name"]?.stringValue {
            tool = Tool(name: name, parameters: first["input_schema"])
        }
        if let format = body["output_format"], format["type"]?.stringValue == "json_schema" {
            responseSchema = format["schema"] ?? [:]
        }
        maxTokens = Self.int(body["max_tokens"])
    }

    // MARK: Gemini

    /// Reads a `generateContent` / `streamGenerateContent` body; `stream` comes from the method in the URL.
    init(gemini body: JSON, stream: Bool) {
        self.stream = stream
        promptBytes = Self.text(of: body["systemInstruction"]?["parts"]).utf8.count
        for content in body["contents"]?.arrayValue ?? [] {
            let text = Self.text(of: content["parts"])
            promptBytes += text.utf8.count
            // The role may be omitted for single-turn requests, and then means the user.
            if (content["role"]?.stringValue ?? "user") == "user" { lastUserText = text }
        }
        for tool in body["tools"]?.arrayValue ?? [] {
            guard let declaration = tool["functionDeclarations"]?[0], let name = declaration["name"]?.stringValue
            else { continue }
            self.tool = Tool(name: name, parameters: declaration["parameters"] ?? declaration["parametersJsonSchema"])
            break
        }
        if let config = body["generationConfig"] {
            responseSchema = config["responseSchema"] ?? config["responseJsonSchema"]
            maxTokens = Self.int(config["maxOutputTokens"])
        }
    }

    // MARK: Helpers

    /// The text of a content value in any of the three shapes: a string; an array of parts or blocks, each with a
    /// `text` (OpenAI and Gemini parts, Anthropic text blocks) or, for Anthropic `tool_result`, a `content`
    /// that is itself a string or blocks. Parts are joined with a space.
    static func text(of content: JSON?) -> String {
        switch content {
        case .string(let text)?:
            return text
        case .array(let parts)?:
            var joined = ""
            for part in parts {
                let text: String
                if let partText = part["text"]?.stringValue {
                    text = partText
                } else if part["type"]?.stringValue == "tool_result" {
                    text = Self.text(of: part["content"])
                } else {
                    continue
                }
                if !joined.isEmpty { joined += " " }
                joined += text
            }
            return joined
        default:
            return ""
        }
    }

    private static func int(_ value: JSON?) -> Int? {
        value?.intValue.map { Int(clamping: $0) }
    }
}
