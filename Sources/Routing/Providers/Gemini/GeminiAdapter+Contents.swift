import JSON

// OpenAI messages → Gemini `systemInstruction` parts and `contents` of `user` / `model` turns.
extension GeminiAdapter {
    /// The translated conversation. Consecutive turns of one role are merged: Gemini wants the answers to parallel
    /// function calls in one turn, and alternating roles everywhere else.
    struct Contents {
        var system: [JSONObject] = []
        var contents: [JSONObject] = []

        mutating func append(role: String, parts: [JSONObject]) {
            guard !parts.isEmpty else { return }  // Gemini rejects a turn without parts
            if let last = contents.indices.last, contents[last]["role"]?.stringValue == role,
                case .array(var existing)? = contents[last]["parts"]
            {
                existing.append(contentsOf: parts.map(JSON.object))
                contents[last]["parts"] = .array(existing)
            } else {
                contents.append(["role": .string(role), "parts": .array(parts.map(JSON.object))])
            }
        }
    }

    static func contents(_ messages: [JSON]) throws(UpstreamFailure) -> Contents {
        var result = Contents()
        // Gemini answers a function call by name, OpenAI by call id: remember which id named which function.
        var toolNames: [String: String] = [:]
        for (index, element) in messages.enumerated() {
            guard case .object(let message) = element else {
                throw UpstreamFailure(.badRequest, message: "messages[\(index)] is not an object")
            }
            switch message["role"]?.stringValue {
            case "system"?, "developer"?:
                let text = try MessageContent.text(message["content"], message: index, role: "system")
                if !text.isEmpty { result.system.append(["text": .string(text)]) }
            case "user"?:
                var parts: [JSONObject] = []
                for part in try MessageContent.parts(message["content"], message: index) {
                    if let converted = try contentPart(part, message: index) { parts.append(converted) }
                }
                result.append(role: "user", parts: parts)
            case "assistant"?:
                result.append(role: "model", parts: try modelParts(message, index: index, toolNames: &toolNames))
            case "tool"?:
                result.append(role: "user", parts: [try functionResponse(message, index: index, toolNames: toolNames)])
            case let role:
                throw UpstreamFailure(
                    .badRequest,
                    message: "messages[\(index)] has role '\(role ?? "none")', which Gemini cannot express")
            }
        }
        return result
    }

    /// One user content part; `nil` for empty text.
    static func contentPart(_ part: JSONObject, message index: Int) throws(UpstreamFailure) -> JSONObject? {
        switch part["type"]?.stringValue {
        case "text"?:
            let text = part["text"]?.stringValue ?? ""
            return text.isEmpty ? nil : ["text": .string(text)]
        case "image_url"?:
            guard let url = part["image_url"]?["url"]?.stringValue ?? part["image_url"]?.stringValue else {
                throw UpstreamFailure(.badRequest, message: "messages[\(index)]: an image_url part has no url")
            }
            return try media(url)
        case "input_audio"?:
            guard let data = part["input_audio"]?["data"]?.stringValue,
                let format = part["input_audio"]?["format"]?.stringValue
            else {
                throw UpstreamFailure(
                    .badRequest, message: "messages[\(index)]: an input_audio part needs 'data' and 'format'")
            }
            return ["inlineData": ["mimeType": .string("audio/" + format), "data": .string(data)]]
        case "file"?:
            guard let data = part["file"]?["file_data"]?.stringValue else {
                throw UpstreamFailure(
                    .badRequest,
                    message: "messages[\(index)]: Gemini accepts file parts only as data URLs in 'file_data'")
            }
            return try media(data)
        case let type:
            throw UpstreamFailure(
                .badRequest,
                message: "messages[\(index)]: content part type '\(type ?? "none")' is not supported for Gemini models")
        }
    }

    /// A data URL → `inlineData`; an http(s) URL → `fileData` (with a media type guessed from the extension).
    static func media(_ url: String) throws(UpstreamFailure) -> JSONObject {
        switch try MediaSource.parse(url) {
        case .inline(let mediaType, let data):
            return ["inlineData": ["mimeType": .string(mediaType), "data": .string(data)]]
        case .remote(let url):
            var fileData: JSONObject = ["fileUri": .string(url)]
            if let mediaType = MediaSource.mediaType(guessedFrom: url) { fileData["mimeType"] = .string(mediaType) }
            return ["fileData": .object(fileData)]
        }
    }

    /// Text, then one `functionCall` part per tool call. A call's thought signature, kept by the client in
    /// `extra_content.google.thought_signature` (Google's own OpenAI-compatible convention), is sent back:
    /// Gemini 3 rejects function calls in the history without it.
    static func modelParts(
        _ message: JSONObject, index: Int,
        toolNames: inout [String: String]
    ) throws(UpstreamFailure) -> [JSONObject] {
        var parts: [JSONObject] = []
        for part in try MessageContent.parts(message["content"], message: index) {
            guard let text = part["text"]?.stringValue ?? part["refusal"]?.stringValue else {
                throw UpstreamFailure(.badRequest, message: "messages[\(index)]: assistant messages accept only text parts")
            }
            if !text.isEmpty { parts.append(["text": .string(text)]) }
        }
        for call in message["tool_calls"]?.arrayValue ?? [] {
            guard let name = call["function"]?["name"]?.stringValue else {
                throw UpstreamFailure(.badRequest, message: "messages[\(index)]: a tool call has no function name")
            }
            if let id = call["id"]?.stringValue { toolNames[id] = name }
            let arguments = try JSONPayload.arguments(call["function"]?["arguments"], tool: name)
            var part: JSONObject = ["functionCall": ["name": .string(name), "args": .object(arguments)]]
            if let signature = call["extra_content"]?["google"]?["thought_signature"]?.stringValue {
                part["thoughtSignature"] = .string(signature)
            }
            parts.append(part)
        }
        return parts
    }

    /// A `tool` message → `functionResponse`. Gemini wants an object: JSON object output is sent as it is, any
    /// other output (plain text, a number, an array) is wrapped as `{"result": …}`.
    static func functionResponse(
        _ message: JSONObject, index: Int,
        toolNames: [String: String]
    ) throws(UpstreamFailure) -> JSONObject {
        let id = message["tool_call_id"]?.stringValue
        guard let name = id.flatMap({ toolNames[$0] }) ?? message["name"]?.stringValue else {
            throw UpstreamFailure(
                .badRequest,
                message: "messages[\(index)]: the tool message answers no earlier tool call ('\(id ?? "no tool_call_id")')")
        }
        let text = try MessageContent.text(message["content"], message: index, role: "tool")
        let output: JSON
        do {
            output = try JSON.parse(text)
        } catch {
            output = .string(text)  // tool output that is not JSON is ordinary text, not a fault
        }
        let response: JSON = output.objectValue != nil ? output : ["result": output]
        return ["functionResponse": ["name": .string(name), "response": response]]
    }
}
