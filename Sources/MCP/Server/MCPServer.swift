import JSON
import JSONRPC
import Logging

/// The MCP server: the backend, the server's identity, and every connected session, so a change (a tool list
/// that changed downstream) reaches every client whatever its transport.
public final class MCPServer {
    public let info: MCPServerInfo
    public unowned let backend: MCPServerBackend
    let scheduler: RPCScheduler
    let logger: Logger
    private var sessions: [String: MCPServerSession] = [:]
    /// The most detailed log level a session asked for, as last told to the backend.
    private var requestedLogLevel: String?

    public init(info: MCPServerInfo, backend: MCPServerBackend, scheduler: RPCScheduler, logger: Logger) {
        self.info = info
        self.backend = backend
        self.scheduler = scheduler
        self.logger = logger
    }

    /// Creates and registers a session. `standalone` carries messages not tied to a request (list changes,
    /// logging): stdout for stdio, the GET stream for HTTP.
    public func openSession(id: String, standalone: @escaping (JSONRPCMessage) -> Void) -> MCPServerSession {
        let session = MCPServerSession(id: id, server: self, standalone: standalone)
        sessions[id] = session
        return session
    }

    /// The session with this id, if open.
    public func session(id: String) -> MCPServerSession? { sessions[id] }

    /// Ends a session: its requests in progress are cancelled and it receives nothing more.
    public func closeSession(id: String, reason: String) {
        guard let session = sessions.removeValue(forKey: id) else { return }
        session.close(reason: reason)
        sessionLogLevelChanged()
    }

    /// The most detailed level the open sessions asked for changed (or may have): tell the backend when it did.
    func sessionLogLevelChanged() {
        let ranks = sessions.values.compactMap {
            $0.mostDetailedLogLevel().flatMap(MCPServerSession.logLevels.firstIndex(of:))
        }
        let level = ranks.min().map { MCPServerSession.logLevels[$0] }
        guard level != requestedLogLevel else { return }
        requestedLogLevel = level
        backend.logLevelChanged(to: level)
    }

    /// Every open session.
    public var openSessions: [MCPServerSession] { Array(sessions.values) }

    /// Tells every client that the tool list changed.
    public func toolsChanged() { broadcast(.tools) }
    /// Tells every client that the resource list changed.
    public func resourcesChanged() { broadcast(.resources) }
    /// Tells every client that the prompt list changed.
    public func promptsChanged() { broadcast(.prompts) }

    /// Passes a downstream server's log message (`notifications/message` params) to the sessions for which
    /// `include` holds and whose `logging/setLevel` admits its level, with the logger named after `server`
    /// (`server` or `server/logger`).
    public func forwardLog(_ params: JSON, from server: String, to include: (MCPServerSession) -> Bool) {
        let level = params["level"]?.stringValue.flatMap { MCPServerSession.logLevels.contains($0) ? $0 : nil } ?? "info"
        let logger = params["logger"]?.stringValue.map { "\(server)/\($0)" } ?? server
        let data = params["data"] ?? .null
        for session in sessions.values where include(session) {
            session.log(level: level, logger: logger, data: data)
        }
    }

    private func broadcast(_ kind: MCPListKind) {
        for session in sessions.values { session.listChanged(kind) }
    }

    /// Closes every session (shutdown).
    public func closeAll(reason: String) {
        let all = sessions
        sessions.removeAll()
        for session in all.values { session.close(reason: reason) }
    }
}

/// The lists a client can be told changed.
public enum MCPListKind: String, Sendable {
    case tools, resources, prompts

    var notificationMethod: String { "notifications/\(rawValue)/list_changed" }
    /// The `subscriptions/listen` filter flag for this list (stateless generation).
    var subscriptionFlag: String { "\(rawValue)ListChanged" }
}
