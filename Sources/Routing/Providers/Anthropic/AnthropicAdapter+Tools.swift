import JSON

// OpenAI tools, tool choice and JSON-schema answers → Anthropic tools.
extension AnthropicAdapter {
    /// The tool standing in for `response_format: json_schema`: Anthropic has no schema-constrained text, but a
    /// forced tool call's input follows its schema. Decoders turn this tool's input back into message text, so a
    /// client tool of the same name would be read as the JSON answer too.
    static let jsonOutputToolName = "json_output"

    /// `{type: function, function: {name, description, parameters}}` → `{name, description, input_schema}`.
    /// Tools of other types are passed as they are: they can only be Anthropic's own (server tools such as web
    /// search), written in Anthropic's shape by a client that knows where it is going.
    static func tools(_ value: JSON?) throws(UpstreamFailure) -> [JSON] {
        guard let value, !value.isNull else { return [] }
        guard case .array(let tools) = value else {
            throw UpstreamFailure(.badRequest, message: "'tools' must be an array")
        }
        var result: [JSON] = []
        for tool in tools {
            guard tool["type"]?.stringValue == "function" || (tool["type"] == nil && tool["function"] != nil) else {
                result.append(tool)
                continue
            }
            guard let function = tool["function"], let name = function["name"]?.stringValue else {
                throw UpstreamFailure(.badRequest, message: "a function tool has no name")
            }
            var converted: JSONObject = ["name": .string(name)]
            if let description = function["description"]?.stringValue { converted["description"] = .string(description) }
            converted["input_schema"] =
                function["parameters"].flatMap { $0.isNull ? nil : $0 }
                ?? ["type": "object", "properties": [:]]
            if let cacheControl = tool["cache_control"] { converted["cache_control"] = cacheControl }
            result.append(.object(converted))
        }
        return result
    }

    /// `auto` → `auto`, `none` → `none`, `required` → `any`, a named function → `{type: tool, name}`;
    /// `parallel_tool_calls: false` → `disable_parallel_tool_use`.
    static func toolChoice(_ value: JSON?, parallelToolCalls: Bool?) throws(UpstreamFailure) -> JSONObject? {
        var choice: JSONObject?
        switch value {
        case nil, .null?:
            choice = nil
        case .string("auto")?:
            choice = ["type": "auto"]
        case .string("none")?:
            choice = ["type": "none"]
        case .string("required")?:
            choice = ["type": "any"]
        case .object(let object)?:
            guard let name = object["function"]?["name"]?.stringValue else {
                throw UpstreamFailure(.badRequest, message: "tool_choice names no function")
            }
            choice = ["type": "tool", "name": .string(name)]
        default:
            throw UpstreamFailure(.badRequest, message: "tool_choice must be 'auto', 'none', 'required' or a function")
        }
        if parallelToolCalls == false, choice?["type"]?.stringValue != "none" {
            var withFlag = choice ?? ["type": "auto"]
            withFlag["disable_parallel_tool_use"] = true
            choice = withFlag
        }
        return choice
    }

    /// The `json_output` tool for `response_format.json_schema` (`{name, description, schema, strict}`). Tool
    /// inputs are objects, so a schema for anything else cannot be emulated.
    static func jsonOutputTool(_ format: JSON?) throws(UpstreamFailure) -> JSON {
        guard let schema = format?["schema"], case .object(let object) = schema else {
            throw UpstreamFailure(.badRequest, message: "response_format.json_schema.schema must be a JSON schema object")
        }
        if let type = object["type"]?.stringValue, type != "object" {
            throw UpstreamFailure(
                .badRequest,
                message: "Anthropic models can only be held to a JSON schema whose top level is an object, not '\(type)'")
        }
        var description = "Give your answer by calling this tool: its input is the answer, as JSON matching the schema."
        if let extra = format?["description"]?.stringValue { description += " " + extra }
        return ["name": .string(jsonOutputToolName), "description": .string(description), "input_schema": schema]
    }
}
