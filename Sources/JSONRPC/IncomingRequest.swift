import JSON

/// A request received from the other side, answered exactly once through the sink it arrived with.
///
/// After the peer cancelled it (`notifications/cancelled`), `respond` and `fail` send nothing: the spec says the
/// receiver SHOULD NOT answer a cancelled request.
public final class IncomingRequest {
    public let id: RequestID
    public let method: String
    public let params: JSON?
    private let sink: (JSONRPCMessage) -> Void
    private let onFinish: (RequestID) -> Void
    public private(set) var isFinished = false
    public private(set) var isCancelled = false
    /// Why the peer cancelled, when it said.
    public private(set) var cancelReason: String?
    /// Runs once when the peer cancels the request (or the connection ends) before it was answered.
    public var onCancel: ((String?) -> Void)?

    init(
        id: RequestID, method: String, params: JSON?, sink: @escaping (JSONRPCMessage) -> Void,
        onFinish: @escaping (RequestID) -> Void
    ) {
        self.id = id
        self.method = method
        self.params = params
        self.sink = sink
        self.onFinish = onFinish
    }

    /// The `_meta.progressToken` the caller asked progress for, if any.
    public var progressToken: JSON? {
        params?["_meta"]?["progressToken"]
    }

    private var resultTransform: ((JSON) -> JSON)?

    /// Sends the result.
    public func respond(_ result: JSON) {
        finish(.response(id: id, result: resultTransform?(result) ?? result))
    }

    /// Applies `transform` to the result when it is sent (used to shape results for a protocol generation).
    public func transformingResults(_ transform: @escaping (JSON) -> JSON) -> IncomingRequest {
        resultTransform = transform
        return self
    }

    /// Sends an error response.
    public func fail(_ error: JSONRPCError) {
        finish(.error(id: id, error: error))
    }

    /// Sends a notification on this request's channel (over HTTP it travels on the POST's own SSE stream).
    public func notify(method: String, params: JSON?) {
        guard !isFinished, !isCancelled else { return }
        sink(.notification(method: method, params: params))
    }

    /// Sends `notifications/progress` when the caller asked for progress.
    public func sendProgress(_ progress: Double, total: Double? = nil, message: String? = nil) {
        guard let token = progressToken else { return }
        var params: JSONObject = ["progressToken": token, "progress": .double(progress)]
        if let total { params["total"] = .double(total) }
        if let message { params["message"] = .string(message) }
        notify(method: "notifications/progress", params: .object(params))
    }

    private func finish(_ message: JSONRPCMessage) {
        guard !isFinished else { return }
        isFinished = true
        onFinish(id)
        onCancel = nil
        if !isCancelled { sink(message) }
    }

    func cancel(reason: String?) {
        guard !isFinished, !isCancelled else { return }
        isCancelled = true
        cancelReason = reason
        let handler = onCancel
        onCancel = nil
        handler?(reason)
    }
}
