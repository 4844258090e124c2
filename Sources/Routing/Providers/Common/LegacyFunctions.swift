import JSON

/// OpenAI's deprecated `functions` / `function_call` request fields and `function` role messages, rewritten to
/// today's `tools` / `tool_choice` / `tool_calls` / `tool` so that translating adapters handle one shape only.
/// (The OpenAI adapter forwards the legacy fields untouched: OpenAI-compatible servers understand them.)
enum LegacyFunctions {
    /// `body` with `functions` → `tools`, `function_call` → `tool_choice` and legacy messages rewritten. Fields
    /// already in the new shape win over their legacy twins.
    static func normalized(_ body: JSONObject) -> JSONObject {
        var body = body
        if body["tools"] == nil, let functions = body["functions"]?.arrayValue {
            body["tools"] = .array(functions.map { ["type": "function", "function": $0] })
        }
        body["functions"] = nil
        if body["tool_choice"] == nil, let call = body["function_call"] {
            body["tool_choice"] = toolChoice(fromFunctionCall: call)
        }
        body["function_call"] = nil
        if let messages = body["messages"]?.arrayValue {
            body["messages"] = .array(normalizedMessages(messages))
        }
        return body
    }

    /// `"none"` and `"auto"` keep their meaning; `{"name": "f"}` forces that function.
    static func toolChoice(fromFunctionCall call: JSON) -> JSON {
        if let name = call["name"]?.stringValue {
            return ["type": "function", "function": ["name": .string(name)]]
        }
        return call
    }

    /// Assistant `function_call` → one `tool_calls` entry with a made-up id; a following `function` message →
    /// a `tool` message answering that id (legacy messages are matched by function name, the only link they have).
    static func normalizedMessages(_ messages: [JSON]) -> [JSON] {
        var pendingIDs: [String: String] = [:]
        var counter = 0
        var result: [JSON] = []
        result.reserveCapacity(messages.count)
        for var message in messages {
            switch message["role"]?.stringValue {
            case "assistant":
                if let call = message["function_call"], message["tool_calls"] == nil {
                    let name = call["name"]?.stringValue ?? ""
                    let id = "call_fn_\(counter)"
                    counter += 1
                    pendingIDs[name] = id
                    message["tool_calls"] = [
                        [
                            "id": .string(id), "type": "function",
                            "function": ["name": .string(name), "arguments": call["arguments"] ?? "{}"],
                        ]
                    ]
                }
                message["function_call"] = nil
            case "function":
                let name = message["name"]?.stringValue ?? ""
                message["role"] = "tool"
                message["tool_call_id"] = .string(pendingIDs.removeValue(forKey: name) ?? "call_fn_\(name)")
            default:
                break
            }
            result.append(message)
        }
        return result
    }
}
