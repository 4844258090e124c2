import JSON
import Routing

// Anthropic `messages` of content blocks → OpenAI messages of parts, tool calls and tool messages.
extension AnthropicInbound {
    /// Every message in order. A user message's `tool_result` blocks become `tool` messages placed before the rest
    /// of that message, because OpenAI wants tool answers right after the assistant message that called the tools.
    static func conversation(_ value: JSON?) throws(RoutingError) -> [JSON] {
        guard case .array(let list)? = value else {
            throw invalid("messages: Field required (a list of {role, content})", "messages")
        }
        guard !list.isEmpty else { throw invalid("messages: at least one message is required", "messages") }
        var messages: [JSON] = []
        for (index, message) in list.enumerated() {
            let field = "messages.\(index)"
            let blocks = try contentBlocks(message["content"], field: field)
            switch message["role"]?.stringValue {
            case "user"?:
                var parts: [JSONObject] = []
                for (position, block) in blocks.enumerated() {
                    if block["type"]?.stringValue == "tool_result" {
                        messages.append(try toolMessage(block, field: "\(field).content.\(position)"))
                    } else {
                        parts.append(try userPart(block, field: "\(field).content.\(position)"))
                    }
                }
                if !parts.isEmpty { messages.append(["role": "user", "content": FaceShapes.content(parts)]) }
            case "assistant"?:
                if let assistant = try assistantMessage(blocks, field: field) { messages.append(assistant) }
            default:
                throw invalid("\(field).role: Input should be 'user' or 'assistant'", "\(field).role")
            }
        }
        return messages
    }

    /// `content` as blocks: a string is one text block.
    static func contentBlocks(_ value: JSON?, field: String) throws(RoutingError) -> [JSONObject] {
        switch value {
        case .string(let text)?:
            return [["type": "text", "text": .string(text)]]
        case .array(let elements)?:
            var blocks: [JSONObject] = []
            for (position, element) in elements.enumerated() {
                guard case .object(let block) = element else {
                    throw invalid(
                        "\(field).content.\(position): Input should be a content block object",
                        "\(field).content.\(position)")
                }
                blocks.append(block)
            }
            return blocks
        default:
            throw invalid("\(field).content: Input should be a string or a list of content blocks", "\(field).content")
        }
    }

    /// A user block → an OpenAI part: text, image (`base64` → data URL, `url` as is), document (PDF → `file`
    /// part, plain text → text).
    static func userPart(_ block: JSONObject, field: String) throws(RoutingError) -> JSONObject {
        let source = block["source"]
        switch (block["type"]?.stringValue, source?["type"]?.stringValue) {
        case ("text"?, _):
            guard let text = block["text"]?.stringValue else {
                throw invalid("\(field).text: Field required", "\(field).text")
            }
            return AnthropicAdapter.textBlock(text, from: block)
        case ("image"?, "base64"?):
            let url = try dataURL(source, field: field)
            return AnthropicAdapter.withCacheControl(["type": "image_url", "image_url": ["url": .string(url)]], from: block)
        case ("image"?, "url"?):
            guard let url = source?["url"]?.stringValue else {
                throw invalid("\(field).source.url: Field required", "\(field).source.url")
            }
            return AnthropicAdapter.withCacheControl(["type": "image_url", "image_url": ["url": .string(url)]], from: block)
        case ("document"?, "base64"?):
            var file: JSONObject = ["file_data": .string(try dataURL(source, field: field))]
            if let title = block["title"]?.stringValue { file["filename"] = .string(title) }
            return AnthropicAdapter.withCacheControl(["type": "file", "file": .object(file)], from: block)
        case ("document"?, "text"?):
            guard let text = source?["data"]?.stringValue else {
                throw invalid("\(field).source.data: Field required", "\(field).source.data")
            }
            return AnthropicAdapter.textBlock(text, from: block)
        case ("image"?, let kind), ("document"?, let kind):
            throw invalid(
                "\(field).source.type '\(kind ?? "none")' is not supported here: send the data inline (base64)",
                "\(field).source.type")
        case (let type, _):
            throw invalid(
                "\(field).type '\(type ?? "none")' is not supported in user messages (text, image, document, tool_result are)",
                "\(field).type")
        }
    }

    /// A `tool_result` block → a `tool` message. Its content may hold text and images; `is_error` has no OpenAI
    /// field, so it is said in words before the result, where the model reads it.
    static func toolMessage(_ block: JSONObject, field: String) throws(RoutingError) -> JSON {
        guard let id = block["tool_use_id"]?.stringValue else {
            throw invalid("\(field).tool_use_id: Field required", "\(field).tool_use_id")
        }
        var parts: [JSONObject] = []
        if block["is_error"]?.boolValue == true { parts.append(["type": "text", "text": "The tool reported an error:"]) }
        if let value = block["content"], !value.isNull {
            for (position, inner) in try contentBlocks(value, field: field).enumerated() {
                parts.append(try userPart(inner, field: "\(field).content.\(position)"))
            }
        }
        return ["role": "tool", "tool_call_id": .string(id), "content": parts.isEmpty ? "" : FaceShapes.content(parts)]
    }

    /// Text and `tool_use` blocks → content and `tool_calls`; nil when nothing is left. Thinking blocks are
    /// dropped: their signatures cannot travel in the OpenAI shape, and the Anthropic adapter could not send them
    /// back anyway.
    static func assistantMessage(_ blocks: [JSONObject], field: String) throws(RoutingError) -> JSON? {
        var parts: [JSONObject] = []
        var calls: [JSON] = []
        for (position, block) in blocks.enumerated() {
            let blockField = "\(field).content.\(position)"
            switch block["type"]?.stringValue {
            case "text"?:
                let text = block["text"]?.stringValue ?? ""
                if !text.isEmpty { parts.append(AnthropicAdapter.textBlock(text, from: block)) }
            case "tool_use"?:
                guard let id = block["id"]?.stringValue, let name = block["name"]?.stringValue else {
                    throw invalid("\(blockField): tool_use blocks need 'id' and 'name'", blockField)
                }
                let arguments = (block["input"] ?? [:]).jsonString
                calls.append([
                    "id": .string(id), "type": "function",
                    "function": ["name": .string(name), "arguments": .string(arguments)],
                ])
            case "thinking"?, "redacted_thinking"?:
                continue
            case let type:
                throw invalid(
                    "\(blockField).type '\(type ?? "none")' is not supported in assistant messages", "\(blockField).type")
            }
        }
        guard !parts.isEmpty || !calls.isEmpty else { return nil }
        var message: JSONObject = ["role": "assistant", "content": parts.isEmpty ? .null : FaceShapes.content(parts)]
        if !calls.isEmpty { message["tool_calls"] = .array(calls) }
        return .object(message)
    }

    /// A `base64` source → `data:<media_type>;base64,<data>`.
    static func dataURL(_ source: JSON?, field: String) throws(RoutingError) -> String {
        guard let mediaType = source?["media_type"]?.stringValue, let data = source?["data"]?.stringValue else {
            throw invalid("\(field).source: base64 sources need 'media_type' and 'data'", "\(field).source")
        }
        return "data:\(mediaType);base64,\(data)"
    }
}
