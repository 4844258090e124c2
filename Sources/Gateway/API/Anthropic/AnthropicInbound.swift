import JSON
import Routing

/// Anthropic Messages requests (`POST /v1/messages`) → the router's OpenAI Chat Completions body: the reverse of
/// the Anthropic provider adapter, shaped so that adapter turns it back into the same Anthropic request (system
/// blocks and `cache_control` markers survive, server tools pass through) while OpenAI and Gemini upstreams get
/// ordinary chat completions. Problems are 400s naming the field in Anthropic's dotted style (`messages.0.role`).
enum AnthropicInbound {
    /// The OpenAI body for an Anthropic request. `requireMaxTokens` is false for `count_tokens`, which has none.
    static func chatBody(_ request: JSONObject, requireMaxTokens: Bool = true) throws(RoutingError) -> JSONObject {
        var body: JSONObject = [:]
        if let model = request["model"] { body["model"] = model }
        switch request["max_tokens"] {
        case nil where requireMaxTokens:
            throw invalid("max_tokens: Field required", "max_tokens")
        case nil:
            break
        case let value?:
            guard let tokens = value.intValue, tokens >= 1 else {
                throw invalid("max_tokens: Input should be an integer greater than or equal to 1", "max_tokens")
            }
            body["max_tokens"] = .int(tokens)
        }
        var messages: [JSON] = []
        if let system = try systemMessage(request["system"]) { messages.append(system) }
        messages.append(contentsOf: try conversation(request["messages"]))
        body["messages"] = .array(messages)
        if let tools = try tools(request["tools"]) { body["tools"] = tools }
        try applyToolChoice(request["tool_choice"], to: &body)
        switch request["stop_sequences"] {
        case nil, .null?: break
        case .array(let stops)? where stops.allSatisfy({ $0.stringValue != nil }): body["stop"] = .array(stops)
        default: throw invalid("stop_sequences: Input should be a list of strings", "stop_sequences")
        }
        // Sampling values keep their names; `top_k` is read by the Anthropic and Gemini adapters.
        for name in ["temperature", "top_p", "top_k"] {
            guard let value = request[name], !value.isNull else { continue }
            guard value.doubleValue != nil else { throw invalid("\(name): Input should be a number", name) }
            body[name] = value
        }
        if let reasoning = try reasoning(request["thinking"], effort: request["output_config"]?["effort"]) {
            body["reasoning"] = .object(reasoning)
        }
        if let format = try responseFormat(request["output_config"]?["format"] ?? request["output_format"]) {
            body["response_format"] = .object(format)
        }
        if let stream = request["stream"] { body["stream"] = stream }
        // Switchyard's own fields (fallback list, usage tags) travel as on the OpenAI face. `metadata`,
        // `service_tier` and the like steer Anthropic's own service and mean nothing to other providers.
        for name in ["models", "tags"] where request[name] != nil { body[name] = request[name] }
        return body
    }

    /// `system` (a string or text blocks) → one system message. Blocks stay parts so their `cache_control`
    /// markers reach an Anthropic upstream.
    static func systemMessage(_ value: JSON?) throws(RoutingError) -> JSON? {
        switch value {
        case nil, .null?:
            return nil
        case .string(let text)?:
            return text.isEmpty ? nil : ["role": "system", "content": .string(text)]
        case .array(let blocks)?:
            var parts: [JSONObject] = []
            for (index, block) in blocks.enumerated() {
                guard let block = block.objectValue, block["type"]?.stringValue == "text",
                    let text = block["text"]?.stringValue
                else {
                    throw invalid("system.\(index): system blocks must be text blocks", "system.\(index)")
                }
                parts.append(AnthropicAdapter.textBlock(text, from: block))
            }
            return parts.isEmpty ? nil : ["role": "system", "content": FaceShapes.content(parts)]
        default:
            throw invalid("system: Input should be a string or a list of text blocks", "system")
        }
    }

    /// `tools` → function tools (`input_schema` → `parameters`). Anthropic's server tools (a `type` such as
    /// `web_search_20250305`) pass unchanged: the Anthropic adapter forwards tools that are not functions as they
    /// are, so they still work when the request lands on Anthropic.
    static func tools(_ value: JSON?) throws(RoutingError) -> JSON? {
        guard let value, !value.isNull else { return nil }
        guard case .array(let tools) = value else { throw invalid("tools: Input should be a list", "tools") }
        var result: [JSON] = []
        for (index, tool) in tools.enumerated() {
            let type = tool["type"]?.stringValue
            guard type == nil || type == "custom" else {
                result.append(tool)
                continue
            }
            guard let name = tool["name"]?.stringValue else {
                throw invalid("tools.\(index).name: Field required", "tools.\(index).name")
            }
            guard let schema = tool["input_schema"], schema.objectValue != nil else {
                throw invalid(
                    "tools.\(index).input_schema: Field required (a JSON schema object)", "tools.\(index).input_schema")
            }
            var function: JSONObject = ["name": .string(name), "parameters": schema]
            if let description = tool["description"]?.stringValue { function["description"] = .string(description) }
            var converted: JSONObject = ["type": "function", "function": .object(function)]
            if let cacheControl = tool["cache_control"] { converted["cache_control"] = cacheControl }
            result.append(.object(converted))
        }
        return .array(result)
    }

    /// `auto` / `any` / `tool {name}` / `none` → `auto` / `required` / a named function / `none`;
    /// `disable_parallel_tool_use` → `parallel_tool_calls: false`.
    static func applyToolChoice(_ value: JSON?, to body: inout JSONObject) throws(RoutingError) {
        guard let value, !value.isNull else { return }
        switch value["type"]?.stringValue {
        case "auto"?: body["tool_choice"] = "auto"
        case "any"?: body["tool_choice"] = "required"
        case "none"?: body["tool_choice"] = "none"
        case "tool"?:
            guard let name = value["name"]?.stringValue else {
                throw invalid("tool_choice.name: Field required", "tool_choice.name")
            }
            body["tool_choice"] = ["type": "function", "function": ["name": .string(name)]]
        default:
            throw invalid("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'", "tool_choice.type")
        }
        if value["disable_parallel_tool_use"]?.boolValue == true { body["parallel_tool_calls"] = false }
    }

    /// `thinking` → OpenRouter-style `reasoning` (what every adapter reads): `enabled` with `budget_tokens` → a
    /// token budget, `disabled` → off, `adaptive` → on at the provider's discretion. `output_config.effort` sets
    /// the effort when no budget was given.
    static func reasoning(_ thinking: JSON?, effort: JSON?) throws(RoutingError) -> JSONObject? {
        var reasoning: JSONObject?
        switch thinking?["type"]?.stringValue {
        case nil:
            guard thinking == nil || thinking?.isNull == true else {
                throw invalid("thinking.type: Field required", "thinking.type")
            }
        case "enabled"?:
            guard let budget = thinking?["budget_tokens"]?.intValue, budget >= 1 else {
                throw invalid("thinking.budget_tokens: Field required (an integer)", "thinking.budget_tokens")
            }
            reasoning = ["max_tokens": .int(budget)]
        case "disabled"?:
            reasoning = ["enabled": false]
        case "adaptive"?:
            reasoning = ["enabled": true]
        case let other?:
            throw invalid("thinking.type: '\(other)' is not one of 'enabled', 'disabled', 'adaptive'", "thinking.type")
        }
        if let effort = effort?.stringValue, reasoning?["max_tokens"] == nil, reasoning?["enabled"] != false {
            reasoning = ["effort": .string(effort)]
        }
        return reasoning
    }

    /// `output_config.format` (or the older `output_format`) `{type: json_schema, schema}` → `response_format`.
    static func responseFormat(_ value: JSON?) throws(RoutingError) -> JSONObject? {
        guard let value, !value.isNull else { return nil }
        guard value["type"]?.stringValue == "json_schema", let schema = value["schema"], schema.objectValue != nil else {
            throw invalid("output_config.format: only {type: json_schema, schema: {…}} is supported", "output_config.format")
        }
        return ["type": "json_schema", "json_schema": ["name": "output", "schema": schema]]
    }

    /// A 400 `invalid_request_error` naming the field.
    static func invalid(_ message: String, _ field: String) -> RoutingError {
        .invalidRequest(message, parameter: field)
    }
}
