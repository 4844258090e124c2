import JSON

/// Small OpenAI-shape pieces the translating faces (Anthropic, Gemini) share in both directions.
enum FaceShapes {
    /// Message content from parts: one plain text part becomes a string (what every OpenAI-compatible server
    /// accepts); anything else stays a list of parts.
    static func content(_ parts: [JSONObject]) -> JSON {
        if parts.count == 1, parts[0]["type"]?.stringValue == "text", parts[0]["cache_control"] == nil,
            let text = parts[0]["text"]
        {
            return text
        }
        return .array(parts.map(JSON.object))
    }

    /// A tool call's OpenAI `arguments` (a JSON string) as the object Anthropic (`input`) and Gemini (`args`)
    /// clients expect; none (or only whitespace) is `{}`. Arguments that are not a JSON object (a model that wrote
    /// broken JSON) are kept whole under `_raw_arguments` rather than lost.
    static func toolArguments(_ arguments: JSON?) -> JSONObject {
        guard case .string(let text)? = arguments else { return arguments?.objectValue ?? [:] }
        guard !text.allSatisfy(\.isWhitespace) else { return [:] }
        let raw: JSONObject = ["_raw_arguments": .string(text)]
        do {
            return try JSON.parse(text).objectValue ?? raw
        } catch {
            return raw
        }
    }
}
