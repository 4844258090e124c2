import JSON
import JSONRPC
import Logging

/// Our client session with one downstream MCP server: the handshake, complete (paged) lists, calls, and the
/// server's notifications. Speaks the session-based generation, which every server on PyPI accepts.
public final class MCPClient {
    public let transport: MCPClientTransport
    let peer: JSONRPCPeer
    private let clientInfo: JSON
    private let logger: Logger
    public private(set) var serverInfo: JSON?
    public private(set) var serverCapabilities: JSON?
    public private(set) var protocolVersion: String?
    public private(set) var instructions: String?
    /// Notifications from the server (list changes, log messages, progress not routed to a request).
    public var onNotification: ((_ method: String, _ params: JSON?) -> Void)?
    /// Runs once when the connection ends.
    public var onClose: ((String) -> Void)?

    /// Pages read before giving up on a server whose cursors never end.
    public static let maxPages = 1000

    /// Names the server in errors users see, e.g. "downstream server git".
    public let label: String

    public init(transport: MCPClientTransport, scheduler: RPCScheduler, clientInfo: JSON, label: String, logger: Logger) {
        self.transport = transport
        self.label = label
        self.clientInfo = clientInfo
        self.logger = logger
        peer = JSONRPCPeer(scheduler: scheduler, send: { [unowned transport] message in transport.send(message) })
        transport.onMessage = { [weak self] message in self?.peer.receive(message) }
        transport.onClose = { [weak self] reason in self?.closed(reason) }
        peer.onRequest = { request in MCPClient.answerServerRequest(request) }
        peer.onNotification = { [weak self] method, params in self?.onNotification?(method, params) }
    }

    /// Starts the transport and performs `initialize` + `notifications/initialized`.
    public func connect(timeoutMilliseconds: UInt64, completion: @escaping (Result<Void, JSONRPCError>) -> Void) {
        do {
            try transport.start()
        } catch {
            completion(.failure(.connectionClosed("could not start: \(error)")))
            return
        }
        let params: JSON = [
            "protocolVersion": .string(MCPVersion.latestSessionBased),
            "capabilities": ["roots": ["listChanged": false]],
            "clientInfo": clientInfo,
        ]
        peer.request("initialize", params: params, timeoutMilliseconds: timeoutMilliseconds) { [weak self] result in
            guard let self else { return }
            switch result {
            case .failure(var error):
                if error.code == JSONRPCError.requestFailedCode, error.message.hasPrefix("Request timed out") {
                    error.message = "no answer to initialize within \(timeoutMilliseconds) ms"
                }
                completion(.failure(error))
            case .success(let result):
                guard let version = result["protocolVersion"]?.stringValue else {
                    completion(.failure(.invalidRequest("initialize result has no protocolVersion")))
                    return
                }
                guard MCPVersion.sessionBased.contains(version) else {
                    completion(.failure(.invalidRequest("server answered with unsupported protocol version \(version)")))
                    return
                }
                self.protocolVersion = version
                self.serverInfo = result["serverInfo"]
                self.serverCapabilities = result["capabilities"] ?? [:]
                self.instructions = result["instructions"]?.stringValue
                self.transport.setProtocolVersion(version)
                self.peer.notify("notifications/initialized")
                completion(.success(()))
            }
        }
    }

    /// True when the server advertised `capability` (e.g. "tools", "resources", "prompts").
    public func supports(_ capability: String) -> Bool {
        serverCapabilities?[capability] != nil
    }

    /// Reads a whole list, following `nextCursor` until it ends; a cursor that repeats or never ends is an error.
    public func listAll(
        _ method: String, key: String, timeoutMilliseconds: UInt64,
        completion: @escaping (Result<[JSON], JSONRPCError>) -> Void
    ) {
        fetchPage(
            method, key: key, cursor: nil, seen: [], collected: [], timeout: timeoutMilliseconds, completion: completion)
    }

    private func fetchPage(
        _ method: String, key: String, cursor: String?, seen: Set<String>, collected: [JSON],
        timeout: UInt64, completion: @escaping (Result<[JSON], JSONRPCError>) -> Void
    ) {
        let params: JSON? = cursor.map { ["cursor": .string($0)] }
        peer.request(method, params: params, timeoutMilliseconds: timeout) { [weak self] result in
            guard let self else { return }
            switch result {
            case .failure(let error): completion(.failure(error))
            case .success(let page):
                let items = collected + (page[key]?.arrayValue ?? [])
                guard let next = page["nextCursor"]?.stringValue, !next.isEmpty else {
                    completion(.success(items))
                    return
                }
                if seen.contains(next) || seen.count >= Self.maxPages {
                    completion(.failure(.internalError("\(method) returned a cursor that does not advance (\(next))")))
                    return
                }
                self.fetchPage(
                    method, key: key, cursor: next, seen: seen.union([next]), collected: items,
                    timeout: timeout, completion: completion)
            }
        }
    }

    /// Sends a request to the server.
    @discardableResult
    public func request(
        _ method: String, params: JSON?, timeoutMilliseconds: UInt64?,
        onProgress: ((JSON) -> Void)? = nil,
        completion: @escaping (Result<JSON, JSONRPCError>) -> Void
    ) -> OutgoingRequest {
        peer.request(method, params: params, timeoutMilliseconds: timeoutMilliseconds, onProgress: onProgress) {
            [label] result in
            guard case .failure(var error) = result, error.code == JSONRPCError.requestFailedCode,
                !error.message.hasPrefix(label)
            else { return completion(result) }
            // A timeout, a broken HTTP exchange, a server's own -32000: the caller of a gateway sees many servers,
            // so the message says which one.
            error.message = "\(label): \(error.message)"
            completion(.failure(error))
        }
    }

    /// Sends a notification to the server.
    public func notify(_ method: String, params: JSON? = nil) {
        peer.notify(method, params: params)
    }

    /// Requests waiting for an answer.
    public var pendingRequests: Int { peer.pendingOutgoingCount }

    /// Stops the connection; waiting requests fail at once with `reason`.
    public func stop(reason: String, _ completion: @escaping () -> Void) {
        peer.close(reason: reason)
        transport.stop(completion)
    }

    private func closed(_ reason: String) {
        peer.close(reason: "\(label) ended: \(reason)")
        let handler = onClose
        onClose = nil
        handler?(reason)
    }

    /// Requests a server may send its client: we answer `ping` and offer no roots; sampling and elicitation are
    /// not offered (we did not declare them), so they get -32601.
    static func answerServerRequest(_ request: IncomingRequest) {
        switch request.method {
        case "ping": request.respond([:])
        case "roots/list": request.respond(["roots": []])
        default: request.fail(.methodNotFound(request.method))
        }
    }
}
