import JSON
import JSONRPC
import MCP
import Routing

extension GatewayBackend {
    func compareTool(
        _ services: ModelServices, _ arguments: JSONObject, _ request: IncomingRequest, _ session: MCPServerSession
    ) {
        guard let models = arguments["models"]?.arrayValue?.compactMap(\.stringValue), (2...8).contains(models.count),
            models.count == arguments["models"]?.arrayValue?.count
        else {
            return request.fail(.invalidParams("compare_models: \"models\" must be an array of 2 to 8 model ids or aliases"))
        }
        var base: JSONObject
        do {
            var withoutModels = arguments
            withoutModels["models"] = nil
            base = try Self.chatBody(withoutModels, tool: "compare_models")
        } catch {
            return request.fail(error)
        }
        base["tags"] = ["compare_models"]
        var results = [JSON?](repeating: nil, count: models.count)
        var remaining = models.count
        var handles: [RoutedCallHandle] = []
        for (index, model) in models.enumerated() {
            var body = base
            body["model"] = .string(model)
            var context = modelContext(session)
            context.defaultModel = nil
            let handle = services.router.chat(ChatRequest(body: body), context: context) { event in
                switch event {
                case .completion(let answer, let outcome):
                    var entry = Self.structured(answer.object, outcome).objectValue ?? [:]
                    entry["requested"] = .string(model)
                    results[index] = .object(entry)
                case .failed(let error, _):
                    results[index] = [
                        "requested": .string(model), "error": .string(error.message), "status": .int(Int64(error.status)),
                        "id": error.generationID.map(JSON.string) ?? .null,  // its usage row, as for answers
                    ]
                default:
                    return
                }
                remaining -= 1
                guard remaining == 0 else { return }
                let list = results.map { $0 ?? .null }
                let text = list.map { entry -> String in
                    let name = entry["model"]?.stringValue ?? entry["requested"]?.stringValue ?? "?"
                    if let error = entry["error"]?.stringValue { return "## \(name)\nfailed: \(error)" }
                    let latency = Int(entry["latency_ms"]?.doubleValue ?? 0)
                    let cost = entry["cost"]?.doubleValue ?? 0
                    return "## \(name) (\(latency) ms, $\(cost))\n\(entry["text"]?.stringValue ?? "")"
                }.joined(separator: "\n\n")
                request.respond(ToolResult.success(text, structured: ["results": .array(list)]))
            }
            handles.append(handle)
        }
        request.onCancel = { _ in handles.forEach { $0.cancel() } }
    }

    static func modelsListTool(_ services: ModelServices, _ arguments: JSONObject, _ request: IncomingRequest) {
        let filter: ModelFilter
        do {
            filter = try ModelFilter(json: .object(arguments))
        } catch {
            return request.fail(.invalidParams("models_list: \(error.message)"))
        }
        let catalog = services.catalog.catalog
        let models = catalog.models(matching: filter)
        let lines = models.map { info -> String in
            let context = info.contextLength.map { "\($0 / 1000)k ctx" } ?? "ctx ?"
            let price = "$\(info.pricing.input)/$\(info.pricing.output) per M"
            var caps: [String] = []
            if info.supportsTools { caps.append("tools") }
            if info.supportsVision { caps.append("vision") }
            if info.supportsJSONSchema { caps.append("json_schema") }
            if info.supportsReasoning { caps.append("reasoning") }
            return
                "\(info.id) — \(context), \(price)\(caps.isEmpty ? "" : ", " + caps.joined(separator: ", "))\(info.isActive ? "" : " (inactive)")"
        }
        let aliases = services.router.aliasList.map {
            "\($0.alias.name) — alias (\($0.alias.strategy.rawValue)): "
                + $0.alias.allTargets.map(\.model.description).joined(separator: ", ")
        }
        let text = lines.isEmpty ? "No model matches these filters." : (lines + aliases).joined(separator: "\n")
        let structured: JSON = [
            "models": .array(models.map { catalog.openAIModelObject($0) }),
            "aliases": .array(
                services.router.aliasList.map { entry in
                    var object = entry.alias.json.objectValue ?? [:]
                    object["name"] = .string(entry.alias.name)
                    return .object(object)
                }),
        ]
        request.respond(ToolResult.success(text, structured: structured))
    }

    static func modelUseTool(
        _ services: ModelServices, _ arguments: JSONObject, _ request: IncomingRequest, _ session: MCPServerSession,
        principal: Principal
    ) {
        // A stateless (2026-07-28) HTTP request is its own session, gone with its answer: a choice made there
        // would be dropped while we said it was kept.
        if session.attributes[MCPServerSession.ephemeralAttribute] != nil {
            return request.respond(
                ToolResult.failure(
                    "model_use needs a session: this client speaks the stateless 2026-07-28 protocol over HTTP, where "
                        + "nothing outlives a request. Pass \"model\" to chat instead, or connect over stdio or in "
                        + "2025-11-25 mode."))
        }
        guard let model = arguments["model"], !model.isNull else {
            session.attributes[sessionModelKey] = nil
            return request.respond(
                ToolResult.success(
                    "This session's model is cleared; chat uses the configured default.",
                    structured: ["model": .null]))
        }
        guard let name = model.stringValue, !name.isEmpty else {
            return request.fail(.invalidParams("model_use: \"model\" must be a non-empty string"))
        }
        // Check now, so a typo or a model the key may not use is reported here rather than at every chat call.
        if let refusal = services.governor.modelRefusal(principal, names: [name]) {
            return request.respond(Self.failureResult(refusal))
        }
        do throws(RoutingError) {
            let plan = try services.router.explain(
                ChatRequest(body: ["model": .string(name), "messages": [["role": "user", "content": ""]]]),
                context: RequestContext(face: "mcp"))
            session.attributes[sessionModelKey] = .string(name)
            request.respond(
                ToolResult.success(
                    "This session now uses \(name) for chat.", structured: ["model": .string(name), "route": plan]))
        } catch {
            request.respond(Self.failureResult(error))
        }
    }
}
