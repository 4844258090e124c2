import HTTPServer
import JSON
import JSONRPC
import Logging
import Loop

/// MCP's Streamable HTTP transport (spec 2025-11-25, "Transports"), served at one endpoint for POST, GET and DELETE.
///
/// - POST carries one client message. Requests are answered with `application/json`, or with an SSE stream when
///   something (progress, a log message) must go out before the result. Notifications and responses get 202.
/// - `initialize` creates a session and returns `Mcp-Session-Id`; later requests must carry it (400 when missing,
///   404 when unknown or ended). Stateless-generation (2026-07-28) requests need no session.
/// - GET opens the session's stream for messages not tied to a request (`list_changed`); DELETE ends the session.
/// - `Origin`, when sent, must be a loopback origin or one allowed by the operator (403 otherwise): DNS-rebinding
///   protection, as the spec requires.
public final class StreamableHTTPServerTransport {
    private let server: MCPServer
    private let loop: EventLoop
    private let logger: Logger
    private let origins: OriginPolicy
    private var sessions: [String: HTTPSessionChannel] = [:]
    private var keepAlive: Timer?
    private var statelessCounter = 0
    private let jsonLimits: JSONLimits
    /// The identity of the request being handled (set only during `handle`).
    private var currentIdentity: String?

    public init(server: MCPServer, loop: EventLoop, allowedOrigins: [String], maxBodyBytes: Int, logger: Logger) {
        self.server = server
        self.loop = loop
        self.logger = logger
        origins = OriginPolicy(allowed: allowedOrigins)
        jsonLimits = JSONLimits(maxDepth: 128, maxBytes: maxBodyBytes)
        do {
            let timer = try Timer(loop: loop)
            // SSE comments keep idle streams alive through proxies and reveal clients that went away.
            timer.start(after: 15_000, repeat: 15_000) { [weak self] in self?.pingStreams() }
            timer.unref()
            keepAlive = timer
        } catch {
            logger.warning("no keep-alive timer for SSE streams", metadata: ["error": "\(error)"])
        }
    }

    /// Open sessions.
    public var sessionCount: Int { sessions.count }

    /// Checks every request's credentials before anything else (nil: no authentication). Success gives the
    /// caller's identity, stored on the session it opens (`MCPServerSession.identityAttribute`); a later request on
    /// that session must carry credentials of the same identity. Failure is answered with its status (401/403).
    public var authenticate: ((HTTPRequest) -> Result<String, HTTPAuthFailure>)?

    /// Handles one HTTP request for the MCP endpoint.
    public func handle(_ request: HTTPRequest, _ response: HTTPResponseWriter) {
        if let origin = request.headers["Origin"], !origins.allows(origin) {
            return HTTPReply.plain(
                response, 403,
                "Forbidden: Origin \(origin) is not allowed (start switchyard with --allow-origin \(origin) to allow it)")
        }
        if let version = request.headers["MCP-Protocol-Version"], !MCPVersion.all.contains(version) {
            // The JSON-RPC error the stateless generation defines, so a client can pick a version it shares.
            let error = JSONRPCError(
                code: MCPErrorCode.unsupportedProtocolVersion,
                message:
                    "Unsupported protocol version: MCP-Protocol-Version \(version); supported: \(MCPVersion.all.joined(separator: ", "))",
                data: ["supported": .array(MCPVersion.all.map(JSON.string)), "requested": .string(version)])
            return HTTPReply.json(response, 400, .error(id: nil, error: error))
        }
        var identity: String?
        if let authenticate {
            switch authenticate(request) {
            case .success(let who): identity = who
            case .failure(let failure):
                var headers: HTTPHeaders = ["Content-Type": "application/json"]
                if failure.status == 401 { headers.set("WWW-Authenticate", "Bearer realm=\"switchyard\"") }
                // A JSON-RPC error body, so MCP clients can show the reason (a bad key) rather than a generic fault.
                let body: JSON = [
                    "jsonrpc": "2.0", "id": .null,
                    "error": ["code": .int(failure.status == 401 ? -32001 : -32003), "message": .string(failure.message)],
                ]
                return response.respond(status: failure.status, headers: headers, body: body.serialized())
            }
        }
        if let identity, let sessionID = request.headers["Mcp-Session-Id"], let channel = sessions[sessionID],
            let owner = channel.session.attributes[MCPServerSession.identityAttribute]?.stringValue, owner != identity
        {
            return HTTPReply.plain(response, 403, "Forbidden: session \(sessionID) was opened with other credentials")
        }
        currentIdentity = identity
        defer { currentIdentity = nil }
        switch request.method {
        case "POST": post(request, response)
        case "GET": get(request, response)
        case "DELETE": delete(request, response)
        default:
            var headers = HTTPHeaders()
            headers.set("Allow", "GET, POST, DELETE")
            response.respond(
                status: 405, headers: headers, body: Array("Method Not Allowed: use POST, GET or DELETE on /mcp\n".utf8))
        }
    }

    // MARK: POST

    private func post(_ request: HTTPRequest, _ response: HTTPResponseWriter) {
        let accept = request.headers["Accept"]?.lowercased() ?? "*/*"
        let acceptsJSON = accept.contains("application/json") || accept.contains("*/*") || accept.contains("application/*")
        let acceptsSSE = accept.contains("text/event-stream") || accept.contains("*/*")
        guard acceptsJSON || acceptsSSE else {
            return HTTPReply.plain(
                response, 406,
                "Not Acceptable: POST /mcp answers with application/json or text/event-stream; send Accept: application/json, text/event-stream"
            )
        }
        if let type = request.headers["Content-Type"]?.lowercased(), !type.hasPrefix("application/json") {
            return HTTPReply.plain(
                response, 415, "Unsupported Media Type: send the JSON-RPC message as Content-Type: application/json")
        }
        let message: JSONRPCMessage
        do {
            message = try JSONRPCMessage.decode(request.body[...], limits: jsonLimits)
        } catch {
            return HTTPReply.json(response, 400, error.response)
        }
        let headerVersion = request.headers["MCP-Protocol-Version"]
        let sessionID = request.headers["Mcp-Session-Id"]
        if case let .request(_, method, params) = message {
            let bodyVersion = MCPVersion.requestVersion(params)
            if let bodyVersion, let headerVersion, bodyVersion != headerVersion {
                return HTTPReply.json(
                    response, 400,
                    .error(
                        id: message.requestID,
                        error: JSONRPCError(
                            code: MCPErrorCode.headerMismatch,
                            message:
                                "Header mismatch: MCP-Protocol-Version header \(headerVersion) does not match _meta protocolVersion \(bodyVersion)"
                        )))
            }
            if method == "initialize" && sessionID == nil {
                return initialize(message, response, acceptsSSE: acceptsSSE)
            }
            // A request naming a version in `_meta` that is no session-based one is stateless (an unsupported
            // version is then answered -32022 with the versions we speak, not told to initialize).
            let namesStatelessVersion = bodyVersion.map { !MCPVersion.sessionBased.contains($0) } ?? false
            if sessionID == nil
                && (namesStatelessVersion || headerVersion == MCPVersion.stateless || method == "server/discover")
            {
                if method == "subscriptions/listen" && !acceptsSSE {
                    return HTTPReply.plain(
                        response, 406,
                        "Not Acceptable: subscriptions/listen answers with an event stream; send Accept: text/event-stream")
                }
                return stateless(message, response, acceptsSSE: acceptsSSE)
            }
        }
        guard let sessionID else {
            return HTTPReply.plain(
                response, 400,
                "Bad Request: missing Mcp-Session-Id header; send initialize first and echo the Mcp-Session-Id it returns")
        }
        guard let channel = sessions[sessionID] else {
            return HTTPReply.plain(
                response, 404, "Not Found: session \(sessionID) does not exist or has ended; initialize a new session")
        }
        switch message {
        case let .request(id, _, _):
            let exchange = HTTPExchange(response: response, acceptsSSE: acceptsSSE, sessionID: nil)
            channel.open(exchange, for: id)
            channel.session.receive(message, replySink: exchange.sink)
        case let .notification(method, params) where method == "notifications/cancelled":
            channel.session.receive(message)
            response.respond(status: 202)
            // The session sends nothing for a cancelled request; its POST must still end rather than hang.
            if let raw = params?["requestId"], let id = RequestID(json: raw) { channel.endExchange(for: id) }
        default:
            channel.session.receive(message)
            response.respond(status: 202)
        }
    }

    private func initialize(_ message: JSONRPCMessage, _ response: HTTPResponseWriter, acceptsSSE: Bool) {
        let id = Self.newSessionID()
        let channel = HTTPSessionChannel()
        let session = server.openSession(id: id) { [weak channel] message in channel?.send(message) }
        if let currentIdentity { session.attributes[MCPServerSession.identityAttribute] = .string(currentIdentity) }
        channel.session = session
        sessions[id] = channel
        logger.debug("HTTP session opened", metadata: ["session": "\(id)"])
        let exchange = HTTPExchange(response: response, acceptsSSE: acceptsSSE, sessionID: id)
        session.receive(message, replySink: exchange.sink)
    }

    private func stateless(_ message: JSONRPCMessage, _ response: HTTPResponseWriter, acceptsSSE: Bool) {
        statelessCounter += 1
        let id = "stateless-\(statelessCounter)"
        let session = server.openSession(id: id) { _ in }
        if let currentIdentity { session.attributes[MCPServerSession.identityAttribute] = .string(currentIdentity) }
        session.attributes[MCPServerSession.ephemeralAttribute] = true
        let exchange = HTTPExchange(response: response, acceptsSSE: acceptsSSE, sessionID: nil)
        exchange.onFinish = { [weak server] in server?.closeSession(id: id, reason: "request finished") }
        response.onCancel = { [weak server] in server?.closeSession(id: id, reason: "client disconnected") }
        session.receive(message, replySink: exchange.sink)
    }

    // MARK: GET, DELETE

    private func get(_ request: HTTPRequest, _ response: HTTPResponseWriter) {
        guard (request.headers["Accept"]?.lowercased() ?? "").contains("text/event-stream") else {
            return HTTPReply.plain(
                response, 406, "Not Acceptable: GET /mcp opens an event stream; send Accept: text/event-stream")
        }
        guard let sessionID = request.headers["Mcp-Session-Id"] else {
            return HTTPReply.plain(response, 400, "Bad Request: missing Mcp-Session-Id header")
        }
        guard let channel = sessions[sessionID] else {
            return HTTPReply.plain(response, 404, "Not Found: session \(sessionID) does not exist or has ended")
        }
        guard channel.stream == nil else {
            return HTTPReply.plain(response, 409, "Conflict: this session already has an open GET stream")
        }
        response.startStream(status: 200, headers: HTTPReply.sseHeaders)
        response.write(Array(": switchyard stream open\n\n".utf8))
        channel.attach(response)
    }

    private func delete(_ request: HTTPRequest, _ response: HTTPResponseWriter) {
        guard let sessionID = request.headers["Mcp-Session-Id"] else {
            return HTTPReply.plain(response, 400, "Bad Request: missing Mcp-Session-Id header")
        }
        guard let channel = sessions.removeValue(forKey: sessionID) else {
            return HTTPReply.plain(response, 404, "Not Found: session \(sessionID) does not exist or has ended")
        }
        server.closeSession(id: sessionID, reason: "session deleted by the client")
        channel.detach()
        channel.endExchanges()
        logger.debug("HTTP session deleted", metadata: ["session": "\(sessionID)"])
        response.respond(status: 200)
    }

    private func pingStreams() {
        for channel in sessions.values { channel.stream?.write(Array(": ping\n\n".utf8)) }
    }

    /// Ends every session and stream (shutdown).
    public func close() {
        keepAlive?.close()
        keepAlive = nil
        for (id, channel) in sessions {
            server.closeSession(id: id, reason: "Switchyard is shutting down")
            channel.detach()
            channel.endExchanges()
        }
        sessions.removeAll()
    }

    static func newSessionID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let value = generator.next() as UInt64
            let hex = String(value, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }
}

extension JSONRPCMessage {
    /// The id of a request, response or error.
    var requestID: RequestID? {
        switch self {
        case let .request(id, _, _), let .response(id, _): return id
        case let .error(id, _): return id
        case .notification: return nil
        }
    }
}

/// Why a request's credentials were refused.
public struct HTTPAuthFailure: Error, Sendable {
    /// 401 (missing or invalid credentials) or 403 (valid but not allowed).
    public var status: Int
    public var message: String

    public init(status: Int, message: String) {
        self.status = status
        self.message = message
    }
}
