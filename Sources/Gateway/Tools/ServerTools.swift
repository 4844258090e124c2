import FoundationEssentials
import JSON
import JSONRPC
import MCP
import Routing

/// `servers_list`, `servers_restart`, `servers_add`, `servers_remove`: manage downstream servers by tool call.
/// Added servers are written to `servers.d/` like any other file, so they survive restarts.
extension GatewayBackend {
    func serverTools() -> [GatewayTool] {
        let nameSchema: JSON = [
            "type": "string", "description": "The server's name (its file name in servers.d without .json).",
        ]
        return [
            GatewayTool(
                name: "servers_list", title: "List downstream servers",
                description:
                    "Lists every MCP server registered in servers.d with its state (ready, starting, backoff, failed, stopped, disabled), tool count, restarts and last error, plus configuration problems.",
                inputSchema: ["type": "object", "properties": [:]]
            ) { [unowned self] _, request, session in
                // callTool checked the session's key just before; a key gone since sees nothing.
                guard let principal = self.principal(for: session) else {
                    return request.respond(ToolResult.failure("401 Unauthorized: this session's API key was revoked."))
                }
                self.listServers(request, visibleTo: principal)
            },
            GatewayTool(
                name: "servers_restart", title: "Restart a downstream server",
                description: "Restarts one downstream MCP server now (its backoff is reset).",
                inputSchema: ["type": "object", "properties": ["name": nameSchema], "required": ["name"]]
            ) { [unowned self] arguments, request, _ in
                self.restartServer(ToolArguments(object: arguments, tool: "servers_restart"), request)
            },
            GatewayTool(
                name: "servers_add", title: "Register a downstream server",
                description:
                    "Registers a downstream MCP server: validates the entry, writes servers.d/<name>.json and starts it; its tools appear with notifications/tools/list_changed. Entry fields: command, args, env, cwd (stdio) or url, headers (HTTP); enabled, tools {allow, deny}, timeout_ms, restart.",
                inputSchema: [
                    "type": "object",
                    "properties": [
                        "name": nameSchema,
                        "config": [
                            "type": "object",
                            "description":
                                "The server entry, as in a servers.d file, e.g. {\"command\": \"mcp-server-time\", \"args\": [\"--local-timezone\", \"UTC\"]}.",
                        ],
                        "replace": [
                            "type": "boolean", "description": "Overwrite an existing server of that name (default false).",
                        ],
                    ], "required": ["name", "config"],
                ]
            ) { [unowned self] arguments, request, _ in
                self.addServer(ToolArguments(object: arguments, tool: "servers_add"), request)
            },
            GatewayTool(
                name: "servers_remove", title: "Remove a downstream server",
                description: "Stops a downstream MCP server and deletes its entry from servers.d.",
                inputSchema: ["type": "object", "properties": ["name": nameSchema], "required": ["name"]]
            ) { [unowned self] arguments, request, _ in
                self.removeServer(ToolArguments(object: arguments, tool: "servers_remove"), request)
            },
        ]
    }

    /// The servers `principal` may use (a key limited to some servers learns nothing of the others), and the
    /// configuration problems for callers who may change the configuration.
    private func listServers(_ request: IncomingRequest, visibleTo principal: Principal) {
        let statuses = hub.statuses.filter { principal.allowsServer($0.name) }
        let issues = principal.canAdministerGateway ? registry.issues : []
        var lines = statuses.map { status in
            "\(status.name): \(status.phase.rawValue), \(status.toolCount) tools, \(status.restarts) restarts"
                + (status.lastError.map { ", last error: \($0)" } ?? "")
        }
        lines += issues.map { "config problem: \($0)" }
        if lines.isEmpty { lines = ["no servers registered in \(registry.directory.path)"] }
        let structured: JSON = [
            "servers": .array(statuses.map(\.json)),
            "issues": .array(
                issues.map { issue in
                    [
                        "file": .string(issue.file), "field": issue.field.map(JSON.string) ?? .null,
                        "message": .string(issue.message),
                    ]
                }),
        ]
        request.respond(ToolResult.success(lines.joined(separator: "\n"), structured: structured))
    }

    private func restartServer(_ arguments: ToolArguments, _ request: IncomingRequest) {
        do {
            let name = try arguments.string("name")
            if let status = hub.statuses.first(where: { $0.name == name }), status.phase == .disabled {
                let file = status.sourceFile.map { " in \($0)" } ?? ""
                request.respond(
                    ToolResult.failure(
                        "\(name) is disabled\(file) (\"enabled\": false); set \"enabled\": true there to start it"))
                return
            }
            guard hub.restart(name) else {
                request.respond(ToolResult.failure("no server named \(name); servers_list shows the registered ones"))
                return
            }
            request.respond(
                ToolResult.success("restarting \(name)", structured: ["name": .string(name), "restarting": true]))
        } catch {
            request.fail(error)
        }
    }

    private func addServer(_ arguments: ToolArguments, _ request: IncomingRequest) {
        do {
            let name = try arguments.string("name")
            let entry = try arguments.object("config")
            let replace = try arguments.optionalBool("replace") ?? false
            let file = try registry.add(name: name, entry: entry, replace: replace)
            request.respond(
                ToolResult.success(
                    "registered \(name) in \(file); starting it now",
                    structured: ["name": .string(name), "file": .string(file)]))
        } catch let error as JSONRPCError {
            request.fail(error)
        } catch let issue as ConfigIssue {
            request.fail(.invalidParams("servers_add: \(issue.field.map { "config.\($0)" } ?? "config"): \(issue.message)"))
        } catch {
            request.respond(ToolResult.failure("could not register the server: \(error)"))
        }
    }

    private func removeServer(_ arguments: ToolArguments, _ request: IncomingRequest) {
        do {
            let name = try arguments.string("name")
            let file = try registry.remove(name: name)
            request.respond(
                ToolResult.success("removed \(name) (\(file))", structured: ["name": .string(name), "file": .string(file)]))
        } catch let error as JSONRPCError {
            request.fail(error)
        } catch {
            request.respond(ToolResult.failure("could not remove the server: \(error)"))
        }
    }
}
