import JSON

// OpenAI tools and tool choice → Gemini function declarations and function-calling config.
extension GeminiAdapter {
    /// `{type: function, function: {name, description, parameters}}` → `{name, description, parameters}` with
    /// the schema cleaned for Gemini. Other tool types have no Gemini equivalent.
    static func functionDeclarations(_ value: JSON?) throws(UpstreamFailure) -> [JSON] {
        guard let value, !value.isNull else { return [] }
        guard case .array(let tools) = value else {
            throw UpstreamFailure(.badRequest, message: "'tools' must be an array")
        }
        var declarations: [JSON] = []
        for tool in tools {
            let type = tool["type"]?.stringValue ?? "function"
            guard type == "function", let function = tool["function"] else {
                throw UpstreamFailure(.badRequest, message: "tool type '\(type)' is not supported for Gemini models")
            }
            guard let name = function["name"]?.stringValue else {
                throw UpstreamFailure(.badRequest, message: "a function tool has no name")
            }
            var declaration: JSONObject = ["name": .string(name)]
            if let description = function["description"]?.stringValue { declaration["description"] = .string(description) }
            // Gemini rejects an OBJECT schema with no properties ("should be non-empty for OBJECT type"): a
            // function without parameters is declared without a schema.
            if let parameters = function["parameters"], !parameters.isNull,
                !(parameters["properties"]?.objectValue?.isEmpty ?? true)
            {
                declaration["parameters"] = GeminiSchema.cleaned(parameters)
            }
            declarations.append(.object(declaration))
        }
        return declarations
    }

    /// `auto` → AUTO, `none` → NONE, `required` → ANY, a named function → ANY limited to that name.
    static func toolConfig(_ value: JSON?) throws(UpstreamFailure) -> JSONObject? {
        let config: JSONObject
        switch value {
        case nil, .null?:
            return nil
        case .string("auto")?:
            config = ["mode": "AUTO"]
        case .string("none")?:
            config = ["mode": "NONE"]
        case .string("required")?:
            config = ["mode": "ANY"]
        case .object(let object)?:
            guard let name = object["function"]?["name"]?.stringValue else {
                throw UpstreamFailure(.badRequest, message: "tool_choice names no function")
            }
            config = ["mode": "ANY", "allowedFunctionNames": [.string(name)]]
        default:
            throw UpstreamFailure(.badRequest, message: "tool_choice must be 'auto', 'none', 'required' or a function")
        }
        return ["functionCallingConfig": .object(config)]
    }
}

/// Function `parameters` for Gemini, which takes an OpenAPI subset of JSON Schema and answers 400 ("Invalid JSON
/// payload received. Unknown name …") to keywords outside it. Clients write full JSON Schema (often generated from
/// Pydantic or Zod), so the keywords Gemini rejects are removed, recursively through every sub-schema but never
/// from a `properties` map itself (where they would be property names). `$ref`/`$defs` are left as they are.
enum GeminiSchema {
    static let rejectedKeywords: Set<String> = [
        "$schema", "$id", "$comment", "additionalProperties", "strict", "examples", "exclusiveMinimum",
        "exclusiveMaximum", "patternProperties", "unevaluatedProperties", "propertyNames", "const",
    ]

    /// The schema with rejected keywords removed, `const` turned into a one-value `enum`, a `["T", "null"]` type
    /// turned into `T` plus `nullable`, and string formats other than `enum` and `date-time` dropped.
    static func cleaned(_ schema: JSON) -> JSON {
        guard case .object(let object) = schema else { return schema }
        var result: JSONObject = [:]
        for (key, value) in object where !rejectedKeywords.contains(key) {
            switch key {
            case "properties", "$defs", "definitions":
                guard case .object(let members) = value else {
                    result[key] = value
                    continue
                }
                result[key] = .object(JSONObject(members.map { ($0.key, cleaned($0.value)) }))
            case "items", "not", "additionalItems":
                result[key] = cleaned(value)
            case "anyOf", "oneOf", "allOf", "prefixItems":
                result[key] = value.arrayValue.map { .array($0.map(cleaned)) } ?? value
            case "type":
                if case .array(let types) = value {
                    let concrete = types.filter { $0.stringValue != "null" }
                    result["type"] = concrete.count == 1 ? concrete[0] : value
                    if concrete.count < types.count { result["nullable"] = true }
                } else {
                    result["type"] = value
                }
            case "format":
                // Gemini: "only 'enum' and 'date-time' are supported for STRING type".
                let format = value.stringValue ?? ""
                if object["type"]?.stringValue != "string" || format == "enum" || format == "date-time" {
                    result[key] = value
                }
            default:
                result[key] = value
            }
        }
        if let constant = object["const"], result["enum"] == nil { result["enum"] = [constant] }
        return .object(result)
    }
}
