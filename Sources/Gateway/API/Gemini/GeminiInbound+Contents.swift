import JSON
import Routing

// Gemini `contents` (user / model turns of parts) → OpenAI messages of parts, tool calls and tool messages.
extension GeminiInbound {
    /// Every turn in order. A user turn's `functionResponse` parts become `tool` messages placed before the rest
    /// of that turn, because OpenAI wants tool answers right after the assistant message that called the tools.
    /// Gemini answers a call by name (calls may carry no id): each response takes the oldest unanswered call of
    /// that name, so the ids made up for calls without one pair up again.
    static func conversation(_ value: JSON?) throws(RoutingError) -> [JSON] {
        guard let turns = value?.arrayValue, !turns.isEmpty else {
            throw invalid("contents: at least one Content is required", "contents")
        }
        var messages: [JSON] = []
        var unanswered: [String: [String]] = [:]
        var callCount = 0
        for (index, turn) in turns.enumerated() {
            let field = "contents[\(index)]"
            guard let parts = turn["parts"]?.arrayValue else {
                throw invalid("\(field).parts: Field required", "\(field).parts")
            }
            switch turn["role"]?.stringValue ?? "user" {
            case "user", "function", "tool":
                var userParts: [JSONObject] = []
                for (position, part) in parts.enumerated() {
                    if let response = Self.field(part, "functionResponse") {
                        messages.append(
                            try toolMessage(response, unanswered: &unanswered, field: "\(field).parts[\(position)]"))
                    } else if let converted = try userPart(part, field: "\(field).parts[\(position)]") {
                        userParts.append(converted)
                    }
                }
                if !userParts.isEmpty { messages.append(["role": "user", "content": FaceShapes.content(userParts)]) }
            case "model":
                var texts: [String] = []
                var calls: [JSON] = []
                for (position, part) in parts.enumerated() {
                    if let call = Self.field(part, "functionCall") {
                        guard let name = call["name"]?.stringValue else {
                            throw invalid(
                                "\(field).parts[\(position)].functionCall.name: Field required",
                                "\(field).parts[\(position)]")
                        }
                        let id = call["id"]?.stringValue ?? "call_\(callCount)"
                        callCount += 1
                        unanswered[name, default: []].append(id)
                        var toolCall: JSONObject = [
                            "id": .string(id), "type": "function",
                            "function": ["name": .string(name), "arguments": .string((call["args"] ?? [:]).jsonString)],
                        ]
                        // Gemini 3 rejects a history whose calls lost their signatures; the Gemini adapter reads it here.
                        if let signature = Self.field(part, "thoughtSignature")?.stringValue {
                            toolCall["extra_content"] = ["google": ["thought_signature": .string(signature)]]
                        }
                        calls.append(.object(toolCall))
                    } else if let text = part["text"]?.stringValue {
                        // Thought summaries are the model's own notes: Gemini does not take them back either.
                        if part["thought"]?.boolValue != true, !text.isEmpty { texts.append(text) }
                    } else {
                        throw invalid(
                            "\(field).parts[\(position)]: model turns may hold text and functionCall parts only",
                            "\(field).parts[\(position)]")
                    }
                }
                guard !texts.isEmpty || !calls.isEmpty else { continue }
                var message: JSONObject = ["role": "assistant", "content": texts.isEmpty ? .null : .string(texts.joined())]
                if !calls.isEmpty { message["tool_calls"] = .array(calls) }
                messages.append(.object(message))
            case let role:
                throw invalid("\(field).role '\(role)' is not one of user, model", "\(field).role")
            }
        }
        return messages
    }

    /// A user part → an OpenAI part: text; `inlineData` images → data-URL images, audio → `input_audio`, other
    /// media (PDF) → `file`; `fileData` → an image part by URL (the Gemini adapter turns it back into `fileData`).
    /// `nil` for empty text.
    static func userPart(_ part: JSON, field: String) throws(RoutingError) -> JSONObject? {
        if let text = part["text"]?.stringValue { return text.isEmpty ? nil : ["type": "text", "text": .string(text)] }
        if let inline = Self.field(part, "inlineData") {
            guard let mimeType = Self.field(inline, "mimeType")?.stringValue, let data = inline["data"]?.stringValue else {
                throw invalid("\(field).inlineData needs mimeType and data", field)
            }
            let lowered = mimeType.lowercased()
            if lowered.hasPrefix("image/") {
                return ["type": "image_url", "image_url": ["url": .string("data:\(lowered);base64,\(data)")]]
            }
            if lowered.hasPrefix("audio/") {
                let format = lowered.dropFirst(6) == "mpeg" ? "mp3" : String(lowered.dropFirst(6))
                return ["type": "input_audio", "input_audio": ["data": .string(data), "format": .string(format)]]
            }
            return ["type": "file", "file": ["file_data": .string("data:\(lowered);base64,\(data)")]]
        }
        if let file = Self.field(part, "fileData") {
            guard let uri = Self.field(file, "fileUri")?.stringValue else {
                throw invalid("\(field).fileData.fileUri: Field required", field)
            }
            return ["type": "image_url", "image_url": ["url": .string(uri)]]
        }
        let kind = part.objectValue?.keys.first ?? "empty"
        throw invalid(
            "\(field): '\(kind)' parts are not supported in user turns (text, inlineData, fileData, functionResponse are)",
            field)
    }

    /// A `functionResponse` → a `tool` message whose content is the response object as JSON text (the Gemini
    /// adapter parses it back into an object).
    static func toolMessage(_ response: JSON, unanswered: inout [String: [String]], field: String) throws(RoutingError)
        -> JSON
    {
        guard let name = response["name"]?.stringValue else {
            throw invalid("\(field).functionResponse.name: Field required", field)
        }
        let id: String
        if let given = response["id"]?.stringValue {
            id = given
            unanswered[name]?.removeAll { $0 == given }
        } else if let oldest = unanswered[name]?.first {
            id = oldest
            unanswered[name]?.removeFirst()
        } else {
            throw invalid("\(field).functionResponse: no earlier functionCall of '\(name)' is left to answer", field)
        }
        return ["role": "tool", "tool_call_id": .string(id), "content": .string((response["response"] ?? [:]).jsonString)]
    }
}
