import FoundationEssentials
import JSON
import JSONRPC
import MCP
import Routing
import Store

/// `aliases_list`, `alias_set`, `alias_delete`, `route_explain`, `usage_summary`: managing and inspecting routing
/// by tool call. Alias changes persist in SQLite and take effect on the next request.
extension GatewayBackend {
    func routingTools(_ services: ModelServices) -> [GatewayTool] {
        [
            GatewayTool(
                name: "aliases_list", title: "List model aliases",
                description:
                    "Lists the virtual model aliases (name → targets with a strategy), from settings and set at run time.",
                inputSchema: ["type": "object", "properties": [:]]
            ) { _, request, _ in
                let entries = services.router.aliasList
                let lines = entries.map { entry in
                    "\(entry.alias.name) [\(entry.alias.strategy.rawValue)\(entry.runtime ? ", run-time" : ", settings")]: "
                        + entry.alias.allTargets.map(\.model.description).joined(separator: ", ")
                }
                request.respond(
                    ToolResult.success(
                        lines.isEmpty ? "No aliases defined." : lines.joined(separator: "\n"),
                        structured: ["aliases": .array(entries.map(Self.aliasJSON))]))
            },
            GatewayTool(
                name: "alias_set", title: "Create or change a model alias",
                description:
                    "Creates or replaces a virtual model alias, effective on the next request and kept across restarts. definition: {strategy: priority|weighted|lowest_latency|highest_throughput|lowest_usage|lowest_price|category, targets: [\"provider/model\" or {model, weight}], categories: [{name, keywords, strategy, targets}], default: {targets}, classifier_model}.",
                inputSchema: [
                    "type": "object",
                    "properties": [
                        "name": ["type": "string", "description": "The alias name used as model (no \"/\")."],
                        "definition": ["type": "object"],
                    ], "required": ["name", "definition"],
                ]
            ) { arguments, request, _ in
                Self.aliasSetTool(services, arguments, request)
            },
            GatewayTool(
                name: "alias_delete", title: "Delete a model alias",
                description: "Deletes an alias set at run time (aliases from the settings file are changed there).",
                inputSchema: ["type": "object", "properties": ["name": ["type": "string"]], "required": ["name"]]
            ) { arguments, request, _ in
                guard let name = arguments["name"]?.stringValue, !name.isEmpty else {
                    return request.fail(.invalidParams("alias_delete: \"name\" is required"))
                }
                services.router.deleteAlias(named: name) { result in
                    switch result {
                    case .success: request.respond(ToolResult.success("Alias \(name) deleted."))
                    case .failure(let error): request.respond(Self.failureResult(error))
                    }
                }
            },
            GatewayTool(
                name: "route_explain", title: "Explain a routing decision",
                description:
                    "A dry run: which model a request would go to now and why, with the fallback order and each candidate's health (latency, time to first token, tokens/s, error rate, circuit state). Nothing is sent.",
                inputSchema: [
                    "type": "object",
                    "properties": [
                        "model": ["type": "string"], "models": ["type": "array", "items": ["type": "string"]],
                        "prompt": ["type": "string", "description": "Used by category aliases to classify."],
                    ],
                ]
            ) { [unowned self] arguments, request, session in
                var body: JSONObject = [
                    "messages": [["role": "user", "content": .string(arguments["prompt"]?.stringValue ?? "")]]
                ]
                if let model = arguments["model"] { body["model"] = model }
                if let models = arguments["models"] { body["models"] = models }
                let context = self.modelContext(session)
                do throws(RoutingError) {
                    let plan = try services.router.explain(ChatRequest(body: body), context: context)
                    request.respond(ToolResult.success(Self.describePlan(plan), structured: plan))
                } catch {
                    request.respond(Self.failureResult(error))
                }
            },
            GatewayTool(
                name: "usage_summary", title: "Usage and spend",
                description:
                    "Requests, errors, tokens and cost grouped by model, provider, key, tag, day, face or status over the last N hours (default 24).",
                inputSchema: [
                    "type": "object",
                    "properties": [
                        "group_by": ["type": "string", "enum": .array(UsageGrouping.allCases.map { .string($0.rawValue) })],
                        "hours": ["type": "number", "description": "How far back (default 24)."],
                    ],
                ]
            ) { [unowned self] arguments, request, session in
                // An API key sees only its own usage; the admin and provisioning keys see everyone's.
                let key = self.principal(for: session)?.key
                Self.usageSummaryTool(services, arguments, request, keyID: key?.kind == .api ? key?.id : nil)
            },
        ]
    }

    static func aliasJSON(_ entry: (alias: AliasDefinition, runtime: Bool)) -> JSON {
        var object = entry.alias.json.objectValue ?? [:]
        object["name"] = .string(entry.alias.name)
        object["source"] = entry.runtime ? "runtime" : "settings"
        return .object(object)
    }

    static func aliasSetTool(_ services: ModelServices, _ arguments: JSONObject, _ request: IncomingRequest) {
        guard let name = arguments["name"]?.stringValue, !name.isEmpty else {
            return request.fail(.invalidParams("alias_set: \"name\" is required (a non-empty string)"))
        }
        guard let definition = arguments["definition"] else {
            return request.fail(.invalidParams("alias_set: \"definition\" is required (an object)"))
        }
        let alias: AliasDefinition
        do {
            alias = try AliasDefinition(name: name, json: definition, path: "definition")
        } catch {
            return request.fail(.invalidParams("alias_set: \(error.message)"))
        }
        services.router.setAlias(alias) { result in
            switch result {
            case .success:
                request.respond(
                    ToolResult.success(
                        "Alias \(name) set: \(alias.strategy.rawValue) over "
                            + alias.allTargets.map(\.model.description).joined(separator: ", ") + ".",
                        structured: aliasJSON((alias, true))))
            case .failure(let error):
                if error.status == 400 {
                    request.fail(.invalidParams("alias_set: \(error.message)"))
                } else {
                    request.respond(failureResult(error))
                }
            }
        }
    }

    static func describePlan(_ plan: JSON) -> String {
        var lines = ["\(plan["requested"]?.stringValue ?? "?") → \(plan["chosen"]?.stringValue ?? "nothing available")"]
        if let category = plan["category"], let name = category["name"]?.stringValue {
            lines.append("category: \(name) (\(category["reason"]?.stringValue ?? ""))")
        }
        for candidate in plan["candidates"]?.arrayValue ?? [] {
            lines.append(
                "\(candidate["order"]?.intValue ?? 0). \(candidate["model"]?.stringValue ?? "") — \(candidate["reason"]?.stringValue ?? "")"
            )
        }
        for skipped in plan["skipped"]?.arrayValue ?? [] {
            lines.append("skipped \(skipped["model"]?.stringValue ?? ""): \(skipped["reason"]?.stringValue ?? "")")
        }
        return lines.joined(separator: "\n")
    }

    static func usageSummaryTool(
        _ services: ModelServices, _ arguments: JSONObject, _ request: IncomingRequest,
        keyID: String? = nil
    ) {
        let groupName = arguments["group_by"]?.stringValue ?? "model"
        guard let grouping = UsageGrouping(rawValue: groupName) else {
            return request.fail(
                .invalidParams(
                    "usage_summary: \"group_by\" must be one of \(UsageGrouping.allCases.map(\.rawValue).joined(separator: ", "))"
                ))
        }
        let hours = arguments["hours"]?.doubleValue ?? 24
        guard hours > 0 else { return request.fail(.invalidParams("usage_summary: \"hours\" must be a positive number")) }
        services.store.usageSummary(since: Date().timeIntervalSince1970 - hours * 3600, groupBy: grouping, keyID: keyID) {
            result in
            switch result {
            case .success(let rows):
                let lines = rows.map { row in
                    "\(row.group ?? "(none)"): \(row.requests) requests, \(row.errors) errors, \(row.promptTokens)+\(row.completionTokens) tokens, $\(row.cost)"
                }
                let structured: JSON = [
                    "group_by": .string(grouping.rawValue), "hours": .double(hours),
                    "rows": .array(
                        rows.map { row in
                            [
                                "group": row.group.map(JSON.string) ?? .null, "requests": .int(Int64(row.requests)),
                                "errors": .int(Int64(row.errors)), "prompt_tokens": .int(Int64(row.promptTokens)),
                                "completion_tokens": .int(Int64(row.completionTokens)), "cost": .double(row.cost),
                                "average_latency_ms": .double(row.averageLatencyMilliseconds),
                            ]
                        }),
                ]
                request.respond(
                    ToolResult.success(
                        lines.isEmpty ? "No requests in the last \(hours) hours." : lines.joined(separator: "\n"),
                        structured: structured))
            case .failure(let error):
                request.respond(ToolResult.failure("Reading usage failed: \(error)"))
            }
        }
    }
}
