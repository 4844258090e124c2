import JSON

/// A request we sent and are waiting on. Completes exactly once: with the result, an error response, a timeout,
/// the connection closing, or `cancel`.
public final class OutgoingRequest {
    public let id: RequestID
    public let method: String
    let completion: (Result<JSON, JSONRPCError>) -> Void
    let onProgress: ((JSON) -> Void)?
    /// The progress token we attached, when progress was requested.
    public let progressToken: JSON?
    var timeout: RPCScheduledTask?
    weak var peer: JSONRPCPeer?
    public private(set) var isCompleted = false

    init(
        id: RequestID, method: String, progressToken: JSON?, onProgress: ((JSON) -> Void)?,
        completion: @escaping (Result<JSON, JSONRPCError>) -> Void
    ) {
        self.id = id
        self.method = method
        self.progressToken = progressToken
        self.onProgress = onProgress
        self.completion = completion
    }

    /// Cancels: tells the other side with `notifications/cancelled` and completes with an error at once.
    public func cancel(reason: String) {
        guard !isCompleted else { return }
        peer?.cancelOutgoing(self, reason: reason)
    }

    func complete(_ result: Result<JSON, JSONRPCError>) {
        guard !isCompleted else { return }
        isCompleted = true
        timeout?.cancel()
        timeout = nil
        completion(result)
    }
}
