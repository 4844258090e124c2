import JSON
import JSONRPC
import Logging

/// One client's session with our server, over any transport. Speaks both generations: the session-based one
/// (`initialize`, then requests) and the stateless 2026-07-28 one (`server/discover`, version in each request's
/// `_meta`), so the reference SDKs work in either mode.
public final class MCPServerSession {
    public let id: String
    unowned let server: MCPServer
    let peer: JSONRPCPeer
    private let standalone: (JSONRPCMessage) -> Void
    /// The version agreed in `initialize` (session-based generation).
    public private(set) var negotiatedVersion: String?
    public private(set) var clientInfo: JSON?
    public private(set) var isInitialized = false
    /// `logging/setLevel`; nil means the client did not ask for log messages.
    public private(set) var logLevel: String?
    /// Stateless requests in progress that asked for log messages (`_meta` logLevel), with the level each asked
    /// for: log messages go on their streams while they run (finished ones are pruned as they are met).
    private var loggingRequests: [(request: IncomingRequest, level: String)] = []
    /// Open `subscriptions/listen` requests (stateless generation): where list changes go.
    private var listeners: [RequestID: (request: IncomingRequest, filter: JSON)] = [:]
    /// Free-form per-session state for the backend (e.g. the model chosen with `model_use`).
    public var attributes: [String: JSON] = [:]

    /// The `attributes` key under which transports record who opened the session (e.g. `key:key_ab12…`).
    public static let identityAttribute = "switchyard.identity"
    /// Present on a session that lives for one request only (a stateless HTTP request): nothing set on it lasts.
    public static let ephemeralAttribute = "switchyard.ephemeral"

    init(id: String, server: MCPServer, standalone: @escaping (JSONRPCMessage) -> Void) {
        self.id = id
        self.server = server
        self.standalone = standalone
        peer = JSONRPCPeer(scheduler: server.scheduler, send: standalone)
        peer.onRequest = { [unowned self] request in self.handle(request) }
        peer.onNotification = { [unowned self] method, params in self.handleNotification(method, params) }
    }

    /// Feeds one message from the client; answers go to `replySink` (default: the standalone channel).
    public func receive(_ message: JSONRPCMessage, replySink: ((JSONRPCMessage) -> Void)? = nil) {
        peer.receive(message, replySink: replySink)
    }

    /// Requests in progress.
    public var pendingRequests: Int { peer.pendingIncomingCount }

    func close(reason: String) {
        for (_, listener) in listeners {
            listener.request.respond(Self.complete(["_meta": [MCPVersion.metaSubscriptionID: listener.request.id.json]]))
        }
        listeners.removeAll()
        peer.close(reason: reason)
    }

    /// Sends a notification on the standalone channel.
    public func notify(_ method: String, params: JSON? = nil) {
        peer.notify(method, params: params)
    }

    /// Sends `notifications/message` when the client asked for log messages at `level` or more severe: on the
    /// session (`logging/setLevel`) and on the stream of each stateless request in progress that asked for them.
    func log(level: String, logger: String, data: JSON) {
        guard let rank = Self.logLevels.firstIndex(of: level) else { return }
        let params: JSON = ["level": .string(level), "logger": .string(logger), "data": data]
        if let threshold = logLevel, isInitialized || negotiatedVersion != nil,
            let minimum = Self.logLevels.firstIndex(of: threshold), rank >= minimum
        {
            notify("notifications/message", params: params)
        }
        loggingRequests.removeAll { $0.request.isFinished }
        for (request, threshold) in loggingRequests where rank >= Self.logLevels.firstIndex(of: threshold) ?? 0 {
            request.notify(method: "notifications/message", params: params)
        }
    }

    /// The most detailed level this session wants now: its `logging/setLevel`, or a running request's.
    func mostDetailedLogLevel() -> String? {
        loggingRequests.removeAll { $0.request.isFinished }
        let ranks = ([logLevel].compactMap { $0 } + loggingRequests.map(\.level)).compactMap(Self.logLevels.firstIndex(of:))
        return ranks.min().map { Self.logLevels[$0] }
    }

    func listChanged(_ kind: MCPListKind) {
        if isInitialized || negotiatedVersion != nil {
            notify(kind.notificationMethod)
        }
        for (id, listener) in listeners where listener.filter[kind.subscriptionFlag]?.boolValue == true {
            listener.request.notify(
                method: kind.notificationMethod,
                params: ["_meta": [MCPVersion.metaSubscriptionID: id.json]])
        }
    }

    // MARK: Dispatch

    private func handleNotification(_ method: String, _ params: JSON?) {
        switch method {
        case "notifications/initialized": isInitialized = true
        default:
            server.logger.debug("ignored notification", metadata: ["method": "\(method)"])
        }
    }

    private func handle(_ request: IncomingRequest) {
        let params = request.params
        let stateless = MCPVersion.requestVersion(params)
        if let stateless, !MCPVersion.all.contains(stateless) {
            request.fail(
                JSONRPCError(
                    code: MCPErrorCode.unsupportedProtocolVersion, message: "Unsupported protocol version",
                    data: ["supported": .array(MCPVersion.all.map(JSON.string)), "requested": .string(stateless)]))
            return
        }
        if stateless == MCPVersion.stateless, let level = params?["_meta"]?[MCPVersion.metaLogLevel] {
            guard let name = level.stringValue, Self.logLevels.contains(name) else {
                return request.fail(
                    .invalidParams(
                        "_meta \(MCPVersion.metaLogLevel) must be one of \(Self.logLevels.joined(separator: ", "))"))
            }
            loggingRequests.append((request, name))
            server.sessionLogLevelChanged()
        }
        let era = MCPResponder(request: request, stateless: stateless == MCPVersion.stateless, serverInfo: server.info.json)
        let backend = server.backend
        switch request.method {
        case "initialize": initialize(params, era)
        case "ping": era.respond([:])
        case "server/discover": discover(era)
        case "subscriptions/listen": listen(request, params)
        case "tools/list": era.respond(["tools": .array(backend.tools(for: self))])
        case "tools/call":
            guard let name = params?["name"]?.stringValue else {
                return request.fail(.invalidParams("tools/call needs a string \"name\""))
            }
            backend.callTool(name: name, arguments: params?["arguments"], request: era.wrapped(), session: self)
        case "resources/list": era.respond(["resources": .array(backend.resources(for: self))])
        case "resources/templates/list": era.respond(["resourceTemplates": .array(backend.resourceTemplates(for: self))])
        case "resources/read":
            guard let uri = params?["uri"]?.stringValue else {
                return request.fail(.invalidParams("resources/read needs a string \"uri\""))
            }
            backend.readResource(uri: uri, request: era.wrapped(), session: self)
        case "resources/subscribe", "resources/unsubscribe": era.respond([:])
        case "prompts/list": era.respond(["prompts": .array(backend.prompts(for: self))])
        case "prompts/get":
            guard let name = params?["name"]?.stringValue else {
                return request.fail(.invalidParams("prompts/get needs a string \"name\""))
            }
            backend.getPrompt(name: name, arguments: params?["arguments"], request: era.wrapped(), session: self)
        case "completion/complete":
            guard let params, params["ref"] != nil else {
                return request.fail(.invalidParams("completion/complete needs \"ref\" and \"argument\""))
            }
            backend.complete(params: params, request: era.wrapped(), session: self)
        case "logging/setLevel":
            guard let level = params?["level"]?.stringValue, Self.logLevels.contains(level) else {
                return request.fail(
                    .invalidParams("logging/setLevel needs \"level\", one of \(Self.logLevels.joined(separator: ", "))"))
            }
            logLevel = level
            server.sessionLogLevelChanged()
            era.respond([:])
        default:
            request.fail(.methodNotFound(request.method))
        }
    }

    static let logLevels = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"]

    private func initialize(_ params: JSON?, _ era: MCPResponder) {
        guard let params, params.objectValue != nil else {
            return era.request.fail(
                .invalidParams("initialize needs params with \"protocolVersion\", \"capabilities\" and \"clientInfo\""))
        }
        guard let requested = params["protocolVersion"]?.stringValue else {
            return era.request.fail(.invalidParams("initialize needs a string \"protocolVersion\""))
        }
        let version = MCPVersion.negotiate(requested: requested)
        negotiatedVersion = version
        clientInfo = params["clientInfo"]
        var result: JSONObject = [
            "protocolVersion": .string(version),
            "capabilities": Self.capabilities,
            "serverInfo": server.info.json,
        ]
        if let instructions = server.info.instructions { result["instructions"] = .string(instructions) }
        era.request.respond(.object(result))
    }

    /// What we offer: everything the gateway aggregates, with change notifications.
    static let capabilities: JSON = [
        "tools": ["listChanged": true],
        "resources": ["listChanged": true, "subscribe": false],
        "prompts": ["listChanged": true],
        "logging": [:],
        "completions": [:],
    ]

    private func discover(_ era: MCPResponder) {
        var result: JSONObject = [
            "supportedVersions": .array(MCPVersion.all.map(JSON.string)),
            "capabilities": Self.capabilities,
        ]
        if let instructions = server.info.instructions { result["instructions"] = .string(instructions) }
        era.respond(.object(result), forceStateless: true)
    }

    private func listen(_ request: IncomingRequest, _ params: JSON?) {
        let filter = params?["notifications"] ?? [:]
        listeners[request.id] = (request, filter)
        request.onCancel = { [weak self, id = request.id] _ in self?.listeners[id] = nil }
        var ack: JSONObject = ["_meta": [MCPVersion.metaSubscriptionID: request.id.json]]
        ack["notifications"] = filter
        request.notify(method: "notifications/subscriptions/acknowledged", params: .object(ack))
    }

    static func complete(_ result: JSONObject) -> JSON {
        var result = result
        result["resultType"] = "complete"
        return .object(result)
    }
}
