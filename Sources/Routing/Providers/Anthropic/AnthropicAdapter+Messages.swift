import JSON

// OpenAI messages → Anthropic `system` blocks and alternating `messages` of content blocks.
extension AnthropicAdapter {
    /// The translated conversation. Anthropic wants roles to alternate, so consecutive messages of one role
    /// (including tool results, which travel in user messages) are merged into one.
    struct Conversation {
        var system: [JSONObject] = []
        var messages: [JSONObject] = []

        /// Whether the last assistant message holds `tool_use` blocks (the client is continuing a tool loop).
        var lastAssistantCallsTools: Bool {
            guard let assistant = messages.last(where: { $0["role"]?.stringValue == "assistant" }) else { return false }
            return assistant["content"]?.arrayValue?.contains { $0["type"]?.stringValue == "tool_use" } ?? false
        }

        mutating func append(role: String, blocks: [JSONObject]) {
            guard !blocks.isEmpty else { return }
            if let last = messages.indices.last, messages[last]["role"]?.stringValue == role,
                case .array(var content)? = messages[last]["content"]
            {
                content.append(contentsOf: blocks.map(JSON.object))
                messages[last]["content"] = .array(content)
            } else {
                messages.append(["role": .string(role), "content": .array(blocks.map(JSON.object))])
            }
        }
    }

    static func conversation(_ messages: [JSON]) throws(UpstreamFailure) -> Conversation {
        var conversation = Conversation()
        for (index, element) in messages.enumerated() {
            guard case .object(let message) = element else {
                throw UpstreamFailure(.badRequest, message: "messages[\(index)] is not an object")
            }
            switch message["role"]?.stringValue {
            case "system"?, "developer"?:
                for part in try MessageContent.parts(message["content"], message: index) {
                    guard let text = part["text"]?.stringValue else {
                        throw UpstreamFailure(
                            .badRequest, message: "messages[\(index)]: system messages accept only text parts")
                    }
                    if !text.isEmpty { conversation.system.append(textBlock(text, from: part)) }
                }
            case "user"?:
                var blocks: [JSONObject] = []
                for part in try MessageContent.parts(message["content"], message: index) {
                    if let block = try contentBlock(part, message: index) { blocks.append(block) }
                }
                conversation.append(role: "user", blocks: blocks)
            case "assistant"?:
                conversation.append(role: "assistant", blocks: try assistantBlocks(message, index: index))
            case "tool"?:
                conversation.append(role: "user", blocks: [try toolResult(message, index: index)])
            case let role:
                throw UpstreamFailure(
                    .badRequest,
                    message: "messages[\(index)] has role '\(role ?? "none")', which Anthropic cannot express")
            }
        }
        return conversation
    }

    /// One user content part as a block; `nil` for empty text (Anthropic rejects empty text blocks).
    static func contentBlock(_ part: JSONObject, message index: Int) throws(UpstreamFailure) -> JSONObject? {
        switch part["type"]?.stringValue {
        case "text"?:
            let text = part["text"]?.stringValue ?? ""
            return text.isEmpty ? nil : textBlock(text, from: part)
        case "image_url"?:
            guard let url = part["image_url"]?["url"]?.stringValue ?? part["image_url"]?.stringValue else {
                throw UpstreamFailure(.badRequest, message: "messages[\(index)]: an image_url part has no url")
            }
            let source: JSONObject
            switch try MediaSource.parse(url) {
            case .inline(let mediaType, let data):
                source = ["type": "base64", "media_type": .string(mediaType), "data": .string(data)]
            case .remote(let url):
                source = ["type": "url", "url": .string(url)]
            }
            return withCacheControl(["type": "image", "source": .object(source)], from: part)
        case "file"?:
            guard let data = part["file"]?["file_data"]?.stringValue,
                case .inline("application/pdf", let base64) = try MediaSource.parse(data)
            else {
                throw UpstreamFailure(
                    .badRequest,
                    message: "messages[\(index)]: Anthropic accepts file parts only as PDF data URLs in 'file_data'")
            }
            let source: JSONObject = ["type": "base64", "media_type": "application/pdf", "data": .string(base64)]
            return withCacheControl(["type": "document", "source": .object(source)], from: part)
        case "input_audio"?:
            throw UpstreamFailure(.badRequest, message: "messages[\(index)]: Anthropic models do not accept audio input")
        case let type:
            throw UpstreamFailure(
                .badRequest,
                message: "messages[\(index)]: content part type '\(type ?? "none")' is not supported for Anthropic models")
        }
    }

    /// Text (reasoning is dropped: Anthropic only takes back thinking blocks with the signature OpenAI's shape
    /// cannot carry) followed by one `tool_use` block per tool call.
    static func assistantBlocks(_ message: JSONObject, index: Int) throws(UpstreamFailure) -> [JSONObject] {
        var blocks: [JSONObject] = []
        for part in try MessageContent.parts(message["content"], message: index) {
            // A `refusal` part is text the model wrote; keep it so the history stays what the client saw.
            guard let text = part["text"]?.stringValue ?? part["refusal"]?.stringValue else {
                throw UpstreamFailure(.badRequest, message: "messages[\(index)]: assistant messages accept only text parts")
            }
            if !text.isEmpty { blocks.append(textBlock(text, from: part)) }
        }
        for call in message["tool_calls"]?.arrayValue ?? [] {
            guard let id = call["id"]?.stringValue, let name = call["function"]?["name"]?.stringValue else {
                throw UpstreamFailure(.badRequest, message: "messages[\(index)]: a tool call lacks its id or function name")
            }
            let input = try JSONPayload.arguments(call["function"]?["arguments"], tool: name)
            blocks.append(["type": "tool_use", "id": .string(id), "name": .string(name), "input": .object(input)])
        }
        return blocks
    }

    /// A `tool` message as a `tool_result` block (text, or text and image blocks).
    static func toolResult(_ message: JSONObject, index: Int) throws(UpstreamFailure) -> JSONObject {
        guard let id = message["tool_call_id"]?.stringValue else {
            throw UpstreamFailure(.badRequest, message: "messages[\(index)]: a tool message has no tool_call_id")
        }
        var block: JSONObject = ["type": "tool_result", "tool_use_id": .string(id)]
        switch message["content"] {
        case .string(let text)?:
            if !text.isEmpty { block["content"] = .string(text) }
        default:
            var blocks: [JSON] = []
            for part in try MessageContent.parts(message["content"], message: index) {
                if let content = try contentBlock(part, message: index) { blocks.append(.object(content)) }
            }
            if !blocks.isEmpty { block["content"] = .array(blocks) }
        }
        return block
    }

    /// A text block (the same shape as an OpenAI text part) keeping `part`'s `cache_control`; the Anthropic face of
    /// the HTTP API builds its OpenAI parts with it too.
    public static func textBlock(_ text: String, from part: JSONObject) -> JSONObject {
        withCacheControl(["type": "text", "text": .string(text)], from: part)
    }

    /// Keeps a part's `cache_control` marker (OpenRouter/LiteLLM clients put Anthropic prompt-caching markers on
    /// OpenAI parts), which is what makes caching work through the gateway.
    public static func withCacheControl(_ block: JSONObject, from part: JSONObject) -> JSONObject {
        guard let cacheControl = part["cache_control"] else { return block }
        var block = block
        block["cache_control"] = cacheControl
        return block
    }
}
