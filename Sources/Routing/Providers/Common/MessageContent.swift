import JSON

/// Reading an OpenAI message's `content`, which is a string, an array of typed parts, or null.
enum MessageContent {
    /// The content as parts: a string becomes one text part, null or absent no parts. Throws `.badRequest` for
    /// anything else (or a part that is not an object), naming the message.
    static func parts(_ content: JSON?, message index: Int) throws(UpstreamFailure) -> [JSONObject] {
        switch content {
        case nil, .null?:
            return []
        case .string(let text)?:
            return [["type": "text", "text": .string(text)]]
        case .array(let elements)?:
            var parts: [JSONObject] = []
            parts.reserveCapacity(elements.count)
            for element in elements {
                guard case .object(let part) = element else {
                    throw UpstreamFailure(
                        .badRequest, message: "messages[\(index)].content has a part that is not an object")
                }
                parts.append(part)
            }
            return parts
        default:
            throw UpstreamFailure(.badRequest, message: "messages[\(index)].content must be a string or an array of parts")
        }
    }

    /// The text of every text part, joined with newlines (tool results and system prompts). Throws `.badRequest`
    /// when a part is not text: `role` names where such parts are not accepted.
    static func text(_ content: JSON?, message index: Int, role: String) throws(UpstreamFailure) -> String {
        var texts: [String] = []
        for part in try parts(content, message: index) {
            guard let text = part["text"]?.stringValue else {
                let type = part["type"]?.stringValue ?? "untyped"
                throw UpstreamFailure(
                    .badRequest,
                    message: "messages[\(index)]: \(role) messages accept only text parts, not '\(type)'")
            }
            texts.append(text)
        }
        return texts.joined(separator: "\n")
    }
}
