import FoundationEssentials
import JSON
import JSONRPC
import MCP
import Routing
import Store

/// `keys_create`, `keys_list`, `keys_update`, `keys_revoke`, `usage_report`: key management by tool call, listed
/// only for sessions opened with the admin key or a provisioning key.
extension GatewayBackend {
    func keyTools(_ services: ModelServices) -> [GatewayTool] {
        let governor = services.governor
        let fieldsSchema: JSON = [
            "type": "object",
            "description":
                "Key fields: name, kind (api|provisioning), credit_limit (USD), reset_budget_interval (daily|weekly|monthly|never), allowed_models (globs), rpm_limit, tpm_limit, max_in_flight, expires_at (unix seconds), tags, allowed_servers (globs), allowed_tools (globs), disabled.",
        ]
        let idSchema: JSON = ["type": "string", "description": "The key id (key_…), as keys_list shows it."]
        return [
            GatewayTool(
                name: "keys_create", title: "Create an API key",
                description: "Creates an API key and returns its secret (sk-sy-…) once; only its hash is stored.",
                inputSchema: ["type": "object", "properties": ["fields": fieldsSchema], "required": ["fields"]]
            ) { arguments, request, _ in
                guard let fields = arguments["fields"]?.objectValue else {
                    return request.fail(.invalidParams("keys_create: \"fields\" must be an object"))
                }
                governor.createKey(fields) { result in
                    switch result {
                    case .success(let created):
                        var object = governor.describe(created.key).objectValue ?? [:]
                        object["key"] = .string(created.secret)
                        request.respond(
                            ToolResult.success(
                                "Created \(created.key.id) (\(created.key.name)). Secret, shown only now: \(created.secret)",
                                structured: .object(object)))
                    case .failure(let error): Self.respond(error, request, tool: "keys_create")
                    }
                }
            },
            GatewayTool(
                name: "keys_list", title: "List API keys",
                description:
                    "Lists API keys with their limits, spend in the current period and remaining budget (never secrets).",
                inputSchema: ["type": "object", "properties": [:]]
            ) { _, request, _ in
                let keys = governor.keys
                let lines = keys.map { key in
                    "\(key.id) \(key.name) [\(key.kind.rawValue)\(key.disabled ? ", disabled" : "")]: spent $\(key.spend)"
                        + (key.creditLimit.map { " of $\($0) (\(key.resetInterval.rawValue))" } ?? "")
                }
                request.respond(
                    ToolResult.success(
                        lines.isEmpty ? "No API keys." : lines.joined(separator: "\n"),
                        structured: ["keys": .array(keys.map(governor.describe))]))
            },
            GatewayTool(
                name: "keys_update", title: "Change an API key",
                description: "Changes an API key's fields (all or nothing); null clears a limit.",
                inputSchema: [
                    "type": "object", "properties": ["id": idSchema, "fields": fieldsSchema], "required": ["id", "fields"],
                ]
            ) { arguments, request, _ in
                guard let id = arguments["id"]?.stringValue, !id.isEmpty else {
                    return request.fail(.invalidParams("keys_update: \"id\" is required"))
                }
                guard let fields = arguments["fields"]?.objectValue else {
                    return request.fail(.invalidParams("keys_update: \"fields\" must be an object"))
                }
                governor.updateKey(id: id, fields) { result in
                    switch result {
                    case .success(let key):
                        request.respond(ToolResult.success("Updated \(key.id).", structured: governor.describe(key)))
                    case .failure(let error): Self.respond(error, request, tool: "keys_update")
                    }
                }
            },
            GatewayTool(
                name: "keys_revoke", title: "Revoke an API key",
                description: "Deletes an API key; it is refused from the next request on.",
                inputSchema: ["type": "object", "properties": ["id": idSchema], "required": ["id"]]
            ) { arguments, request, _ in
                guard let id = arguments["id"]?.stringValue, !id.isEmpty else {
                    return request.fail(.invalidParams("keys_revoke: \"id\" is required"))
                }
                governor.revokeKey(id: id) { result in
                    switch result {
                    case .success(let key):
                        request.respond(
                            ToolResult.success(
                                "Revoked \(key.id) (\(key.name)).", structured: ["id": .string(key.id), "revoked": true]))
                    case .failure(let error): Self.respond(error, request, tool: "keys_revoke")
                    }
                }
            },
            GatewayTool(
                name: "usage_report", title: "Spend report",
                description:
                    "Spend, requests, errors and tokens grouped by key, model, provider, tag, day, face or status over the last N hours (default 24).",
                inputSchema: [
                    "type": "object",
                    "properties": [
                        "group_by": ["type": "string", "enum": .array(UsageGrouping.allCases.map { .string($0.rawValue) })],
                        "hours": ["type": "number"],
                    ],
                ]
            ) { arguments, request, _ in
                var arguments = arguments
                if arguments["group_by"] == nil { arguments["group_by"] = "key" }
                Self.usageSummaryTool(services, arguments, request)
            },
        ]
    }

    /// A management failure: bad fields are invalid params (-32602, naming the field); the rest are tool errors.
    static func respond(_ error: RoutingError, _ request: IncomingRequest, tool: String) {
        if error.status == 400 { return request.fail(.invalidParams("\(tool): \(error.message)")) }
        request.respond(failureResult(error))
    }
}
