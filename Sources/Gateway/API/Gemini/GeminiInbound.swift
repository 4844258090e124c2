import JSON
import Routing

/// Gemini `generateContent` requests → the router's OpenAI Chat Completions body: the reverse of the Gemini
/// provider adapter. `contents` become messages (`GeminiInbound+Contents`), `systemInstruction` a system message,
/// function declarations OpenAI tools, and `generationConfig` the sampling, limit, format and reasoning fields.
/// Safety settings, cached content and labels have no OpenAI equivalent and are not read. Problems are 400s.
enum GeminiInbound {
    /// The OpenAI body for a request to `model` (from the URL path), streaming or not (from the method).
    static func chatBody(_ request: JSONObject, model: String, stream: Bool) throws(RoutingError) -> JSONObject {
        let root = JSON.object(request)
        var body: JSONObject = ["model": .string(model)]
        var messages: [JSON] = []
        if let system = try systemMessage(field(root, "systemInstruction")) { messages.append(system) }
        messages.append(contentsOf: try conversation(field(root, "contents")))
        body["messages"] = .array(messages)
        try applyTools(root, to: &body)
        try applyGenerationConfig(field(root, "generationConfig"), to: &body)
        if stream { body["stream"] = true }
        // Switchyard's own fields (fallback list, usage tags), as on the OpenAI face.
        for name in ["models", "tags"] where request[name] != nil { body[name] = request[name] }
        return body
    }

    /// A field by its camelCase name or its snake_case one: Gemini's REST API takes both (proto JSON accepts the
    /// proto field names, which Google's own curl samples use).
    static func field(_ object: JSON?, _ camelName: String) -> JSON? {
        if let value = object?[camelName] { return value }
        var snake = ""
        for character in camelName {
            if character.isUppercase {
                snake.append("_")
                snake.append(contentsOf: character.lowercased())
            } else {
                snake.append(character)
            }
        }
        return object?[snake]
    }

    /// `systemInstruction` (a `Content`, or a plain string) → one system message of its text parts.
    static func systemMessage(_ value: JSON?) throws(RoutingError) -> JSON? {
        if let text = value?.stringValue { return text.isEmpty ? nil : ["role": "system", "content": .string(text)] }
        guard let value, !value.isNull else { return nil }
        var texts: [String] = []
        for part in value["parts"]?.arrayValue ?? [] {
            guard let text = part["text"]?.stringValue else {
                throw invalid("systemInstruction.parts: only text parts are supported", "systemInstruction")
            }
            texts.append(text)
        }
        let text = texts.joined(separator: "\n")
        return text.isEmpty ? nil : ["role": "system", "content": .string(text)]
    }

    /// `tools[].functionDeclarations` → function tools, and `toolConfig.functionCallingConfig` → `tool_choice`.
    /// `ANY` limited to several names keeps only those tools (OpenAI can force one tool or any, not a subset).
    /// Google's built-in tools (search, code execution, URL context) exist only at Google and are refused.
    static func applyTools(_ root: JSON, to body: inout JSONObject) throws(RoutingError) {
        var functions: [JSON] = []
        for (index, tool) in (root["tools"]?.arrayValue ?? []).enumerated() {
            guard let declarations = field(tool, "functionDeclarations")?.arrayValue else {
                let kind = tool.objectValue?.keys.first ?? "unknown"
                throw invalid(
                    "tools[\(index)]: '\(kind)' is not supported through Switchyard (only functionDeclarations are)",
                    "tools[\(index)]")
            }
            for declaration in declarations {
                guard let name = declaration["name"]?.stringValue else {
                    throw invalid("tools[\(index)].functionDeclarations: every declaration needs a name", "tools[\(index)]")
                }
                var function: JSONObject = ["name": .string(name)]
                if let description = declaration["description"]?.stringValue {
                    function["description"] = .string(description)
                }
                if let schema = field(declaration, "parametersJsonSchema") {
                    function["parameters"] = schema
                } else if let schema = declaration["parameters"] {
                    function["parameters"] = GeminiSchemaInbound.jsonSchema(schema)
                } else {
                    function["parameters"] = ["type": "object", "properties": [:]]
                }
                functions.append(["type": "function", "function": .object(function)])
            }
        }
        let config = field(field(root, "toolConfig"), "functionCallingConfig")
        let allowed = field(config, "allowedFunctionNames")?.arrayValue?.compactMap(\.stringValue) ?? []
        switch config?["mode"]?.stringValue?.uppercased() {
        case nil, "MODE_UNSPECIFIED"?, "AUTO"?, "VALIDATED"?:
            break  // OpenAI's default with tools is `auto` too
        case "NONE"?:
            body["tool_choice"] = "none"
        case "ANY"? where allowed.count == 1:
            body["tool_choice"] = ["type": "function", "function": ["name": .string(allowed[0])]]
        case "ANY"?:
            body["tool_choice"] = "required"
            if !allowed.isEmpty {
                functions = functions.filter { allowed.contains($0["function"]?["name"]?.stringValue ?? "") }
            }
        case let mode?:
            throw invalid(
                "toolConfig.functionCallingConfig.mode '\(mode)' is not one of AUTO, ANY, NONE, VALIDATED",
                "toolConfig.functionCallingConfig.mode")
        }
        if !functions.isEmpty { body["tools"] = .array(functions) }
    }

    /// `generationConfig` → sampling fields, `max_tokens`, `stop`, `n`, `response_format` and `reasoning`.
    static func applyGenerationConfig(_ config: JSON?, to body: inout JSONObject) throws(RoutingError) {
        guard let config, !config.isNull else { return }
        let renamed = [
            ("temperature", "temperature"), ("topP", "top_p"), ("topK", "top_k"), ("maxOutputTokens", "max_tokens"),
            ("candidateCount", "n"), ("seed", "seed"), ("presencePenalty", "presence_penalty"),
            ("frequencyPenalty", "frequency_penalty"), ("stopSequences", "stop"),
        ]
        for (geminiName, openAIName) in renamed {
            if let value = field(config, geminiName), !value.isNull { body[openAIName] = value }
        }
        let schema =
            field(config, "responseJsonSchema") ?? field(config, "responseSchema").map(GeminiSchemaInbound.jsonSchema)
        switch field(config, "responseMimeType")?.stringValue {
        case "application/json"?:
            body["response_format"] =
                schema.map { ["type": "json_schema", "json_schema": ["name": "response", "schema": $0]] }
                ?? ["type": "json_object"]
        case nil, "text/plain"?:
            break
        case let other?:
            throw invalid(
                "generationConfig.responseMimeType '\(other)' is not supported (application/json and text/plain are)",
                "generationConfig.responseMimeType")
        }
        if let reasoning = reasoning(field(config, "thinkingConfig")) { body["reasoning"] = .object(reasoning) }
    }

    /// `thinkingConfig` → OpenRouter-style `reasoning`: budget 0 → off, a positive budget → that many tokens,
    /// `thinkingLevel` → an effort, -1 (dynamic) or only `includeThoughts` → on. Gemini returns thoughts only when
    /// asked (`includeThoughts`), so otherwise the reasoning text is excluded.
    static func reasoning(_ thinking: JSON?) -> JSONObject? {
        guard let thinking, thinking.objectValue != nil else { return nil }
        let exclude = JSON.bool(!(field(thinking, "includeThoughts")?.boolValue ?? false))
        if let budget = field(thinking, "thinkingBudget")?.intValue {
            if budget == 0 { return ["enabled": false] }
            if budget > 0 { return ["max_tokens": .int(budget), "exclude": exclude] }
        }
        if let level = field(thinking, "thinkingLevel")?.stringValue {
            return ["effort": .string(level.lowercased()), "exclude": exclude]
        }
        return ["enabled": true, "exclude": exclude]
    }

    /// A 400 `INVALID_ARGUMENT` naming the field.
    static func invalid(_ message: String, _ field: String) -> RoutingError {
        .invalidRequest(message, parameter: field)
    }
}

/// Gemini's `Schema` (an OpenAPI subset: upper-case `type`, `nullable`, `propertyOrdering`) → JSON Schema, the
/// reverse of what the Gemini adapter does to function parameters.
enum GeminiSchemaInbound {
    static func jsonSchema(_ schema: JSON) -> JSON {
        guard case .object(let object) = schema else { return schema }
        var result: JSONObject = [:]
        for (key, value) in object {
            switch key {
            case "type":
                result["type"] = value.stringValue.map { .string($0.lowercased()) } ?? value
            case "nullable", "propertyOrdering":
                continue
            case "properties":
                result[key] =
                    value.objectValue.map { .object(JSONObject($0.map { ($0.key, jsonSchema($0.value)) })) } ?? value
            case "items":
                result[key] = jsonSchema(value)
            case "anyOf":
                result[key] = value.arrayValue.map { .array($0.map(jsonSchema)) } ?? value
            default:
                result[key] = value
            }
        }
        if object["nullable"]?.boolValue == true, let type = result["type"] { result["type"] = [type, "null"] }
        return .object(result)
    }
}
