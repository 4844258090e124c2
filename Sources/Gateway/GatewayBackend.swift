import JSON
import JSONRPC
import MCP
import Routing

/// What MCP clients see: the gateway's own tools followed by every downstream tool, resource and prompt.
final class GatewayBackend: MCPServerBackend {
    let hub: Hub
    let registry: ServerRegistry
    let governor: Governor?
    private let router: Router?
    private var ownTools: [String: GatewayTool] = [:]
    private var ownDefinitions: [(name: String, definition: JSON)] = []
    /// Tools only admin and provisioning callers see.
    private var managementTools: Set<String> = []
    /// Tools that call models (hidden from provisioning keys, which cannot).
    private var modelCallingTools: Set<String> = []
    /// Tools that change the gateway for everyone: only the admin key (or an open gateway) sees them.
    private let administrationTools: Set<String> = [
        "servers_add", "servers_remove", "servers_restart", "alias_set", "alias_delete",
    ]

    init(hub: Hub, registry: ServerRegistry, models: ModelServices?) {
        self.hub = hub
        self.registry = registry
        self.governor = models?.governor
        self.router = models?.router
        var tools = serverTools()
        if let models {
            let keyTools = keyTools(models)
            managementTools = Set(keyTools.map(\.name))
            modelCallingTools = ["chat", "compare_models"]
            tools += modelTools(models) + routingTools(models) + keyTools
        }
        for tool in tools {
            ownTools[tool.name] = tool
            ownDefinitions.append((tool.name, tool.definition))
        }
    }

    /// Who opened `session`, looked up afresh so revocations apply at once; nil when its key is gone.
    func principal(for session: MCPServerSession) -> Principal? {
        Credentials.principal(
            identity: session.attributes[MCPServerSession.identityAttribute]?.stringValue, governor: governor)
    }

    /// Whether `principal` may see and call the exposed tool `name`.
    private func allows(_ principal: Principal, _ name: String) -> Bool {
        if administrationTools.contains(name) { return principal.canAdministerGateway }
        if managementTools.contains(name) { return principal.canManageKeys }
        if modelCallingTools.contains(name), principal.key?.kind == .provisioning { return false }
        if ownTools[name] != nil { return principal.allowsTool(name, server: nil) }
        return principal.allowsTool(name, server: hub.resolveTool(name)?.server)
    }

    func tools(for session: MCPServerSession) -> [JSON] {
        guard let principal = principal(for: session) else { return [] }
        if case .open = principal {
            return ownDefinitions.filter { !managementTools.contains($0.name) || governor != nil }.map(\.definition)
                + hub.tools
        }
        let own = ownDefinitions.filter { allows(principal, $0.name) }.map(\.definition)
        return own + hub.tools.filter { tool in tool["name"]?.stringValue.map { allows(principal, $0) } ?? false }
    }

    func callTool(name: String, arguments: JSON?, request: IncomingRequest, session: MCPServerSession) {
        if let arguments, arguments.objectValue == nil, !arguments.isNull {
            request.fail(.invalidParams("tools/call: \"arguments\" must be an object"))
            return
        }
        guard let principal = principal(for: session) else {
            return request.respond(ToolResult.failure("401 Unauthorized: this session's API key was revoked or disabled."))
        }
        guard allows(principal, name) else {
            let known = ownTools[name] != nil || hub.resolveTool(name) != nil
            guard known else {
                return request.fail(.invalidParams("Unknown tool: \(name). tools/list shows the available tools"))
            }
            let message = "403 Forbidden: this API key may not use the tool \(name)."
            if modelCallingTools.contains(name), let router {
                // A refused model call is a usage row with its reason, on this face as on HTTP.
                var body = JSONObject()
                if let model = arguments?["model"] { body["model"] = model }
                router.recordRefused(
                    ChatRequest(body: body), context: RequestContext(face: "mcp", principal: principal),
                    error: RoutingError(status: 403, type: "permission_error", code: "tool_not_allowed", message: message))
            }
            return request.respond(ToolResult.failure(message))
        }
        if let tool = ownTools[name] {
            tool.run(arguments?.objectValue ?? JSONObject(), request, session)
            return
        }
        if !hub.callTool(name, arguments: arguments, request: request) {
            request.fail(.invalidParams("Unknown tool: \(name). tools/list shows the available tools"))
        }
    }

    // Resources and prompts belong to a downstream server: a key limited to some servers sees and uses only theirs.

    func resources(for session: MCPServerSession) -> [JSON] {
        guard let principal = principal(for: session) else { return [] }
        return hub.resources(visibleTo: principal.allowsServer)
    }

    func resourceTemplates(for session: MCPServerSession) -> [JSON] {
        guard let principal = principal(for: session) else { return [] }
        return hub.resourceTemplates(visibleTo: principal.allowsServer)
    }

    func readResource(uri: String, request: IncomingRequest, session: MCPServerSession) {
        guard let principal = principal(for: session) else { return request.fail(Self.revoked) }
        // A URI that only disallowed servers serve is refused by name; one an allowed server also lists goes there.
        if hub.server(ofResource: uri, allows: principal.allowsServer) == nil, let server = hub.server(ofResource: uri) {
            return request.fail(Self.forbidden(server: server, what: "the resource \(uri)"))
        }
        if !hub.readResource(uri, request: request, allows: principal.allowsServer) {
            request.fail(
                JSONRPCError(
                    code: MCPErrorCode.resourceNotFound, message: "Resource not found: \(uri)", data: ["uri": .string(uri)]))
        }
    }

    func prompts(for session: MCPServerSession) -> [JSON] {
        guard let principal = principal(for: session) else { return [] }
        return hub.prompts(visibleTo: principal.allowsServer)
    }

    func getPrompt(name: String, arguments: JSON?, request: IncomingRequest, session: MCPServerSession) {
        guard let principal = principal(for: session) else { return request.fail(Self.revoked) }
        if let server = hub.server(ofPrompt: name), !principal.allowsServer(server) {
            return request.fail(Self.forbidden(server: server, what: "the prompt \(name)"))
        }
        if !hub.getPrompt(name, arguments: arguments, request: request) {
            request.fail(.invalidParams("Unknown prompt: \(name). prompts/list shows the available prompts"))
        }
    }

    func complete(params: JSON, request: IncomingRequest, session: MCPServerSession) {
        guard let principal = principal(for: session) else { return request.fail(Self.revoked) }
        if let name = params["ref"]?["name"]?.stringValue, let server = hub.server(ofPrompt: name),
            !principal.allowsServer(server)
        {
            return request.fail(Self.forbidden(server: server, what: "completions for the prompt \(name)"))
        }
        if !hub.complete(params, request: request, allows: principal.allowsServer) {
            request.respond(["completion": ["values": [], "hasMore": false]])
        }
    }

    func logLevelChanged(to level: String?) {
        hub.logLevel = level
    }

    private static let revoked = JSONRPCError(
        code: JSONRPCError.invalidParamsCode,
        message: "401 Unauthorized: this session's API key was revoked or disabled.")

    private static func forbidden(server: String, what: String) -> JSONRPCError {
        JSONRPCError(
            code: JSONRPCError.invalidParamsCode,
            message: "403 Forbidden: this API key may not use the server \(server), so not \(what).")
    }
}
