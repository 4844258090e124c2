import JSON
import JSONRPC

/// What an MCP server session serves: the gateway implements it (its own tools plus the Hub's aggregated ones).
/// Lists are returned whole (clients often read only page one); calls answer through the `IncomingRequest`.
public protocol MCPServerBackend: AnyObject {
    /// Tool definitions visible to `session`, each a `Tool` object with its final (namespaced) name.
    func tools(for session: MCPServerSession) -> [JSON]
    /// Runs a tool; answers (or fails with the right JSON-RPC error) through `request`.
    func callTool(name: String, arguments: JSON?, request: IncomingRequest, session: MCPServerSession)
    func resources(for session: MCPServerSession) -> [JSON]
    func resourceTemplates(for session: MCPServerSession) -> [JSON]
    func readResource(uri: String, request: IncomingRequest, session: MCPServerSession)
    func prompts(for session: MCPServerSession) -> [JSON]
    func getPrompt(name: String, arguments: JSON?, request: IncomingRequest, session: MCPServerSession)
    /// `completion/complete`: argument completion for a prompt or resource template.
    func complete(params: JSON, request: IncomingRequest, session: MCPServerSession)
    /// The most detailed log level any session asked for (`logging/setLevel`) changed; nil when none asks.
    func logLevelChanged(to level: String?)
}

extension MCPServerBackend {
    /// A backend with no log sources of its own ignores level changes.
    public func logLevelChanged(to level: String?) {}
}

/// How the server presents itself.
public struct MCPServerInfo: Sendable {
    public var name: String
    public var title: String?
    public var version: String
    public var instructions: String?

    public init(name: String, title: String? = nil, version: String, instructions: String? = nil) {
        self.name = name
        self.title = title
        self.version = version
        self.instructions = instructions
    }

    /// The `Implementation` object.
    public var json: JSON {
        var object: JSONObject = ["name": .string(name), "version": .string(version)]
        if let title { object["title"] = .string(title) }
        return .object(object)
    }
}
