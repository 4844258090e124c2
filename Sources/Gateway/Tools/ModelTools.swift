import JSON
import JSONRPC
import MCP
import Routing

/// `chat`, `compare_models`, `models_list`, `model_use`: the agents' face of the routing core. Every model call goes
/// through the same `Router` as `POST /v1/chat/completions`, so resolution, failover and usage rows are identical.
extension GatewayBackend {
    /// The session attribute holding the model chosen with `model_use`.
    static let sessionModelKey = "switchyard.model"

    func modelTools(_ services: ModelServices) -> [GatewayTool] {
        let modelSchema: JSON = [
            "type": "string",
            "description":
                "A provider/model id (e.g. openai/gpt-4o-mini), a bare model name, or an alias. Defaults to this session's model (model_use) or the configured default.",
        ]
        let messagesSchema: JSON = [
            "type": "array", "description": "OpenAI-style messages [{role, content}]. Use this or prompt.",
            "items": ["type": "object"],
        ]
        return [
            GatewayTool(
                name: "chat", title: "Ask a model",
                description:
                    "Sends a prompt (or messages) to a model, alias or fallback list through Switchyard's router and returns the answer, with the model that answered, tokens, cost and latency in structuredContent.",
                inputSchema: [
                    "type": "object",
                    "properties": [
                        "prompt": ["type": "string", "description": "The user message (use this or messages)."],
                        "system": ["type": "string", "description": "An optional system message."],
                        "messages": messagesSchema,
                        "model": modelSchema,
                        "models": [
                            "type": "array", "items": ["type": "string"],
                            "description": "Fallback models tried in order after model.",
                        ],
                        "temperature": ["type": "number"], "max_tokens": ["type": "integer"], "top_p": ["type": "number"],
                        "stop": ["type": "array", "items": ["type": "string"]],
                        "response_format": [
                            "type": "object",
                            "description": "As in the OpenAI API, e.g. {\"type\": \"json_schema\", \"json_schema\": {…}}.",
                        ],
                        "reasoning_effort": ["type": "string", "enum": ["low", "medium", "high"]],
                        "tags": [
                            "type": "array", "items": ["type": "string"],
                            "description": "Labels recorded with the usage row.",
                        ],
                    ],
                ]
            ) { [unowned self] arguments, request, session in
                self.chatTool(services, arguments, request, session)
            },
            GatewayTool(
                name: "compare_models", title: "Compare models",
                description:
                    "Sends one prompt to several models at once and returns their answers side by side with latency, tokens and cost.",
                inputSchema: [
                    "type": "object",
                    "properties": [
                        "prompt": ["type": "string"], "system": ["type": "string"], "messages": messagesSchema,
                        "models": [
                            "type": "array", "items": ["type": "string"], "minItems": 2, "maxItems": 8,
                            "description": "Models or aliases to compare (2 to 8).",
                        ],
                        "temperature": ["type": "number"], "max_tokens": ["type": "integer"],
                    ], "required": ["models"],
                ]
            ) { [unowned self] arguments, request, session in
                self.compareTool(services, arguments, request, session)
            },
            GatewayTool(
                name: "models_list", title: "List models",
                description:
                    "Lists the model catalog (and aliases) with context length, prices per million tokens and capabilities. Filters: provider, input_modality (text, image, audio), capability (tools, vision, json_schema, reasoning), max_input_price, max_output_price, min_context_length, active_only.",
                inputSchema: [
                    "type": "object",
                    "properties": [
                        "provider": ["type": "string"], "input_modality": ["type": "string"],
                        "capability": ["description": "One capability or an array: tools, vision, json_schema, reasoning."],
                        "max_input_price": ["type": "number"], "max_output_price": ["type": "number"],
                        "min_context_length": ["type": "integer"], "active_only": ["type": "boolean"],
                    ],
                ]
            ) { arguments, request, _ in
                Self.modelsListTool(services, arguments, request)
            },
            GatewayTool(
                name: "model_use", title: "Switch this session's model",
                description:
                    "Sets the model (or alias) that chat uses in this session when no model is given. Call with no model to clear it.",
                inputSchema: ["type": "object", "properties": ["model": modelSchema]]
            ) { [unowned self] arguments, request, session in
                Self.modelUseTool(services, arguments, request, session, principal: self.principal(for: session) ?? .open)
            },
        ]
    }

    private func chatTool(
        _ services: ModelServices, _ arguments: JSONObject, _ request: IncomingRequest, _ session: MCPServerSession
    ) {
        let body: JSONObject
        do {
            body = try Self.chatBody(arguments, tool: "chat")
        } catch {
            return request.fail(error)
        }
        let context = modelContext(session)
        let handle = services.router.chat(ChatRequest(body: body), context: context) { event in
            switch event {
            case .completion(let payload, let outcome):
                let answer = payload.object
                request.respond(
                    ToolResult.success(
                        ChatCompletion(body: answer, usage: outcome.usage).text.nonEmpty ?? Self.describeNonText(answer),
                        structured: Self.structured(answer, outcome)))
            case .failed(let error, _):
                request.respond(Self.failureResult(error))
            default:
                break
            }
        }
        request.onCancel = { _ in handle.cancel() }
    }

    /// The routing context of a tool call: the session's principal (checked by `callTool` just before) and model.
    func modelContext(_ session: MCPServerSession) -> RequestContext {
        RequestContext(
            face: "mcp", principal: principal(for: session) ?? .open,
            defaultModel: session.attributes[Self.sessionModelKey]?.stringValue)
    }

    /// An OpenAI chat body from tool arguments: `messages`, or `system` + `prompt`, plus the usual options.
    static func chatBody(_ arguments: JSONObject, tool: String) throws(JSONRPCError) -> JSONObject {
        var body = JSONObject()
        if let messages = arguments["messages"] {
            guard let list = messages.arrayValue, !list.isEmpty, list.allSatisfy({ $0.objectValue != nil }) else {
                throw .invalidParams("\(tool): \"messages\" must be a non-empty array of {role, content} objects")
            }
            if let problem = OpenAIRoutes.validateChat(["messages": messages]) {
                throw .invalidParams("\(tool): \(problem.message)")
            }
            body["messages"] = messages
        } else if let prompt = arguments["prompt"]?.stringValue, !prompt.isEmpty {
            var messages: [JSON] = []
            if let system = arguments["system"]?.stringValue {
                messages.append(["role": "system", "content": .string(system)])
            }
            messages.append(["role": "user", "content": .string(prompt)])
            body["messages"] = .array(messages)
        } else {
            throw .invalidParams("\(tool): give \"prompt\" (a non-empty string) or \"messages\"")
        }
        for key in ["model", "reasoning_effort"] where arguments[key] != nil {
            guard arguments[key]?.stringValue != nil else { throw .invalidParams("\(tool): \"\(key)\" must be a string") }
            body[key] = arguments[key]
        }
        for key in ["temperature", "top_p"] where arguments[key] != nil {
            guard arguments[key]?.doubleValue != nil else { throw .invalidParams("\(tool): \"\(key)\" must be a number") }
            body[key] = arguments[key]
        }
        if let maxTokens = arguments["max_tokens"] {
            guard let value = maxTokens.intValue, value > 0 else {
                throw .invalidParams("\(tool): \"max_tokens\" must be a positive integer")
            }
            body["max_tokens"] = .int(value)
        }
        for key in ["models", "stop", "tags"] where arguments[key] != nil {
            guard let list = arguments[key]?.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                throw .invalidParams("\(tool): \"\(key)\" must be an array of strings")
            }
            body[key] = arguments[key]
        }
        if let format = arguments["response_format"] {
            guard format.objectValue != nil else { throw .invalidParams("\(tool): \"response_format\" must be an object") }
            body["response_format"] = format
        }
        return body
    }

    /// What `chat` puts in `structuredContent`.
    static func structured(_ answer: JSONObject, _ outcome: RouteOutcome) -> JSON {
        var object: JSONObject = [
            "id": .string(outcome.id), "model": .string(outcome.model.description),
            "provider": .string(outcome.model.provider),
            "text": .string(ChatCompletion(body: answer, usage: outcome.usage).text),
            "usage": .object(outcome.usage.openAIObject), "cost": .double(outcome.cost),
            "latency_ms": .double((outcome.latencyMilliseconds * 100).rounded() / 100),
            "attempts": .array(outcome.attempts.map(\.json)),
        ]
        let choice = answer["choices"]?[0]
        object["finish_reason"] = choice?["finish_reason"] ?? .null
        if let calls = choice?["message"]?["tool_calls"] { object["tool_calls"] = calls }
        if let reasoning = choice?["message"]?["reasoning_content"] { object["reasoning"] = reasoning }
        return .object(object)
    }

    /// A routing failure as a tool error the agent can read (which model failed how), not a protocol error.
    static func failureResult(_ error: RoutingError) -> JSON {
        var text = "Model call failed (\(error.status) \(error.code)): \(error.message)"
        if let seconds = error.retryAfterSeconds { text += " Retry after \(Int(seconds.rounded(.up))) s." }
        var result = ToolResult.failure(text)
        if case .object(var object) = result {
            object["structuredContent"] = .object(error.openAIBody)
            result = .object(object)
        }
        return result
    }

    static func describeNonText(_ answer: JSONObject) -> String {
        if let calls = answer["choices"]?[0]?["message"]?["tool_calls"]?.arrayValue, !calls.isEmpty {
            return "The model asked to call: "
                + calls.compactMap { $0["function"]?["name"]?.stringValue }.joined(separator: ", ")
        }
        return "(the model returned no text)"
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
