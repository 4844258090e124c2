import JSON

/// One end of a JSON-RPC 2.0 connection, used for both roles: as our server side (requests come in, we answer) and
/// as our client side toward downstream servers (we send requests and match responses).
///
/// It owns the pending table, per-request timeouts, `notifications/cancelled` in both directions and progress-token
/// routing. It does no I/O: the transport feeds it messages and gives it a `send` function. Loop-confined like
/// everything it is wired to.
public final class JSONRPCPeer {
    private let scheduler: RPCScheduler
    private let send: (JSONRPCMessage) -> Void
    private var nextID: Int64 = 1
    private var outgoing: [RequestID: OutgoingRequest] = [:]
    private var progressRoutes: [JSON: OutgoingRequest] = [:]
    private var incoming: [RequestID: IncomingRequest] = [:]
    private var closedReason: String?

    /// Called for each request received; answer through the `IncomingRequest`.
    public var onRequest: ((IncomingRequest) -> Void)?
    /// Called for each notification other than `notifications/cancelled` and routed progress.
    public var onNotification: ((_ method: String, _ params: JSON?) -> Void)?

    public init(scheduler: RPCScheduler, send: @escaping (JSONRPCMessage) -> Void) {
        self.scheduler = scheduler
        self.send = send
    }

    /// Requests we sent that are still waiting.
    public var pendingOutgoingCount: Int { outgoing.count }
    /// Requests we received and have not answered.
    public var pendingIncomingCount: Int { incoming.count }

    // MARK: Receiving

    /// Handles one message from the other side. `replySink` carries this message's answers (and notifications
    /// about it); by default they go through `send`.
    public func receive(_ message: JSONRPCMessage, replySink: ((JSONRPCMessage) -> Void)? = nil) {
        switch message {
        case let .request(id, method, params):
            let sink = replySink ?? send
            if incoming[id] != nil {
                sink(.error(id: id, error: .invalidRequest("request id \(id) is already in use by a request in progress")))
                return
            }
            let request = IncomingRequest(id: id, method: method, params: params, sink: sink) { [weak self] id in
                self?.incoming[id] = nil
            }
            incoming[id] = request
            guard let onRequest else {
                request.fail(.methodNotFound(method))
                return
            }
            onRequest(request)
        case let .notification(method, params):
            receiveNotification(method, params)
        case let .response(id, result):
            outgoing[id].map { finishOutgoing($0, .success(result)) }
        case let .error(id, error):
            guard let id, let request = outgoing[id] else { return }
            finishOutgoing(request, .failure(error))
        }
    }

    private func receiveNotification(_ method: String, _ params: JSON?) {
        switch method {
        case "notifications/cancelled":
            guard let rawID = params?["requestId"], let id = RequestID(json: rawID) else { return }
            incoming[id]?.cancel(reason: params?["reason"]?.stringValue)
        case "notifications/progress":
            if let token = params?["progressToken"], let request = progressRoutes[token], let onProgress = request.onProgress
            {
                onProgress(params ?? .null)
                return
            }
            onNotification?(method, params)
        default:
            onNotification?(method, params)
        }
    }

    // MARK: Sending

    /// Sends a request. With `onProgress`, a progress token is attached to `params._meta` and matching
    /// `notifications/progress` are routed to it. With `timeoutMilliseconds`, the request fails with a timeout
    /// error (and the other side is told it was cancelled) when no answer came in time.
    @discardableResult
    public func request(
        _ method: String, params: JSON? = nil, timeoutMilliseconds: UInt64? = nil,
        onProgress: ((JSON) -> Void)? = nil,
        completion: @escaping (Result<JSON, JSONRPCError>) -> Void
    ) -> OutgoingRequest {
        let id = RequestID(nextID)
        nextID += 1
        var params = params
        var token: JSON?
        if onProgress != nil {
            token = .string("sy-\(id.json.intValue ?? 0)")
            params = Self.attachProgressToken(token!, to: params)
        }
        let request = OutgoingRequest(
            id: id, method: method, progressToken: token, onProgress: onProgress, completion: completion)
        if let closedReason {
            request.complete(.failure(.connectionClosed(closedReason)))
            return request
        }
        request.peer = self
        outgoing[id] = request
        if let token { progressRoutes[token] = request }
        if let timeoutMilliseconds {
            request.timeout = scheduler.schedule(after: timeoutMilliseconds) { [weak self, weak request] in
                guard let self, let request else { return }
                self.cancelOutgoing(
                    request, reason: "timed out after \(timeoutMilliseconds) ms",
                    error: .timedOut(method: method, milliseconds: timeoutMilliseconds))
            }
        }
        send(.request(id: id, method: method, params: params))
        return request
    }

    /// Sends a notification.
    public func notify(_ method: String, params: JSON? = nil) {
        guard closedReason == nil else { return }
        send(.notification(method: method, params: params))
    }

    func cancelOutgoing(_ request: OutgoingRequest, reason: String, error: JSONRPCError? = nil) {
        guard outgoing[request.id] != nil else { return }
        if closedReason == nil {
            send(
                .notification(
                    method: "notifications/cancelled",
                    params: ["requestId": request.id.json, "reason": .string(reason)]))
        }
        finishOutgoing(request, .failure(error ?? .connectionClosed("request cancelled: \(reason)")))
    }

    private func finishOutgoing(_ request: OutgoingRequest, _ result: Result<JSON, JSONRPCError>) {
        outgoing[request.id] = nil
        if let token = request.progressToken { progressRoutes[token] = nil }
        request.complete(result)
    }

    /// The connection is gone: every waiting request fails at once with `reason` (never a hang), every request in
    /// progress is cancelled, and later sends are refused.
    public func close(reason: String) {
        guard closedReason == nil else { return }
        closedReason = reason
        let waiting = outgoing.values.sorted { ($0.id.json.intValue ?? 0) < ($1.id.json.intValue ?? 0) }
        outgoing.removeAll()
        progressRoutes.removeAll()
        for request in waiting { request.complete(.failure(.connectionClosed(reason))) }
        let inProgress = Array(incoming.values)
        incoming.removeAll()
        for request in inProgress { request.cancel(reason: reason) }
    }

    /// True after `close(reason:)`.
    public var isClosed: Bool { closedReason != nil }

    static func attachProgressToken(_ token: JSON, to params: JSON?) -> JSON {
        var object = params?.objectValue ?? JSONObject()
        var meta = object["_meta"]?.objectValue ?? JSONObject()
        meta["progressToken"] = token
        object["_meta"] = .object(meta)
        return .object(object)
    }
}
