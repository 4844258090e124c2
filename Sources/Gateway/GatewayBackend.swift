import JSON
import JSONRPC
import MCP

/// What MCP clients see: the gateway's own tools followed by every downstream tool, resource and prompt.
final class GatewayBackend: MCPServerBackend {
    let hub: Hub
    let registry: ServerRegistry
    private var ownTools: [String: GatewayTool] = [:]
    private var ownDefinitions: [JSON] = []

    init(hub: Hub, registry: ServerRegistry, models: ModelServices?) {
        self.hub = hub
        self.registry = registry
        var tools = serverTools()
        if let models { tools += modelTools(models) + routingTools(models) }
        for tool in tools {
            ownTools[tool.name] = tool
            ownDefinitions.append(tool.definition)
        }
    }

    func tools(for session: MCPServerSession) -> [JSON] {
        ownDefinitions + hub.tools
    }

    func callTool(name: String, arguments: JSON?, request: IncomingRequest, session: MCPServerSession) {
        if let arguments, arguments.objectValue == nil, !arguments.isNull {
            request.fail(.invalidParams("tools/call: \"arguments\" must be an object"))
            return
        }
        if let tool = ownTools[name] {
            tool.run(arguments?.objectValue ?? JSONObject(), request, session)
            return
        }
        if !hub.callTool(name, arguments: arguments, request: request) {
            request.fail(.invalidParams("Unknown tool: \(name). tools/list shows the available tools"))
        }
    }

    func resources(for session: MCPServerSession) -> [JSON] { hub.resources }
    func resourceTemplates(for session: MCPServerSession) -> [JSON] { hub.resourceTemplates }

    func readResource(uri: String, request: IncomingRequest, session: MCPServerSession) {
        if !hub.readResource(uri, request: request) {
            request.fail(JSONRPCError(code: MCPErrorCode.resourceNotFound, message: "Resource not found: \(uri)", data: ["uri": .string(uri)]))
        }
    }

    func prompts(for session: MCPServerSession) -> [JSON] { hub.prompts }

    func getPrompt(name: String, arguments: JSON?, request: IncomingRequest, session: MCPServerSession) {
        if !hub.getPrompt(name, arguments: arguments, request: request) {
            request.fail(.invalidParams("Unknown prompt: \(name). prompts/list shows the available prompts"))
        }
    }

    func complete(params: JSON, request: IncomingRequest, session: MCPServerSession) {
        if !hub.complete(params, request: request) {
            request.respond(["completion": ["values": [], "hasMore": false]])
        }
    }
}
