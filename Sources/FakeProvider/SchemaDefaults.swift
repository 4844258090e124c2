import JSON

/// The smallest value that satisfies a JSON schema's `required` properties, used for structured answers and for
/// the arguments of fake tool calls: string `"fake"`, number and integer `0`, boolean `false`, array `[]`, and an
/// object holding each required property's default, recursively. `const` and `enum` win over the type; `anyOf` /
/// `oneOf` / `allOf` take their first branch. Gemini's upper-case OpenAPI types (`"OBJECT"`) read the same.
enum SchemaDefaults {
    /// Nesting deeper than this answers `null`: schemas can be recursive through `$ref`, which we do not follow,
    /// but a hand-written deep schema must not make the fake recurse without bound either.
    static let maxDepth = 32

    /// The default value for `schema`; a missing top-level schema means an empty object (tool arguments `{}`).
    static func value(for schema: JSON?, depth: Int = 0) -> JSON {
        guard let schema, case .object = schema, depth < maxDepth else { return depth == 0 ? [:] : .null }
        if let constant = schema["const"] { return constant }
        if let first = schema["enum"]?[0] { return first }
        for combinator in ["anyOf", "oneOf", "allOf"] {
            if let branch = schema[combinator]?[0] { return value(for: branch, depth: depth + 1) }
        }
        switch typeName(schema["type"]) {
        case "string": return "fake"
        case "number", "integer": return 0
        case "boolean": return false
        case "array": return []
        case "null": return .null
        case "object": return object(for: schema, depth: depth)
        default:
            // No type: an object when it describes properties (or is the whole schema), else the string default.
            return schema["properties"] != nil || depth == 0 ? object(for: schema, depth: depth) : "fake"
        }
    }

    private static func object(for schema: JSON, depth: Int) -> JSON {
        var members = JSONObject()
        let properties = schema["properties"]
        for case .string(let name) in schema["required"]?.arrayValue ?? [] {
            members[name] = value(for: properties?[name], depth: depth + 1)
        }
        return .object(members)
    }

    /// The type as a lower-case name; for a list of types (`["string", "null"]`) the first that is not null.
    private static func typeName(_ type: JSON?) -> String? {
        switch type {
        case .string(let name)?:
            return name.lowercased()
        case .array(let names)?:
            let names = names.compactMap { $0.stringValue?.lowercased() }
            return names.first { $0 != "null" } ?? names.first
        default:
            return nil
        }
    }
}
