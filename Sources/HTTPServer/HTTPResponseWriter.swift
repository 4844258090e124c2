import Loop

/// The response to one request. Loop-confined: call it on the server's loop only.
///
/// Either `respond(...)` once, or `startStream(...)`, `write(...)` any number of times, then `end()`. The next
/// request on the connection is read only after the response ended, so pipelined requests are answered in order.
public final class HTTPResponseWriter {
    private enum State {
        case initial
        case streaming(chunked: Bool, keepAlive: Bool)
        case finished
    }

    private var connection: HTTPConnection?
    private let server: HTTPServer
    private let loop: EventLoop
    private let isHead: Bool
    private let isHTTP10: Bool
    private let requestKeepAlive: Bool
    private var state = State.initial
    private var cancelled = false
    /// True inside this writer's own public methods: a disconnect discovered there (a failed write) must not run
    /// `onCancel` re-entrantly inside the caller's call.
    private var inCall = false

    /// Runs once if the client disconnects (or the server closes the connection) before `end()`: cancel the work
    /// the request started. A client that half-closes (sends EOF) before the response ended counts as gone.
    /// It runs synchronously when a read or `HTTPServer.close` notices, and on a later loop turn when one of this
    /// writer's own calls notices (a failed write), never inside that call. Set after the connection is already
    /// gone, it runs on a later loop turn. It never runs after a normal `end()`/`respond`.
    public var onCancel: (() -> Void)? {
        didSet { if cancelled, onCancel != nil { deliverCancel(deferred: true) } }
    }

    /// Runs each time a write that had to queue completes and at most 256 KiB remain queued: the moment to resume
    /// a producer paused because `pendingWriteBytes` was high. May run several times (clear it once resumed);
    /// never runs inside this writer's own calls.
    public var onWritable: (() -> Void)?

    /// Headers added to whatever head this response sends (set before it starts): what a layer in front of the
    /// handler owes every response, e.g. CORS headers for a browser page.
    public var extraHeaders = HTTPHeaders()

    init(connection: HTTPConnection, server: HTTPServer, isHead: Bool, isHTTP10: Bool, keepAlive: Bool) {
        self.connection = connection
        self.server = server
        loop = server.loop
        self.isHead = isHead
        self.isHTTP10 = isHTTP10
        requestKeepAlive = keepAlive
    }

    /// True once the response ended or the connection is gone; writes are then no-ops.
    public var isFinished: Bool {
        if case .finished = state { true } else { false }
    }

    /// Bytes queued but unsent on the socket, for back-pressure of streams.
    public var pendingWriteBytes: Int { connection?.pendingWriteBytes ?? 0 }

    /// Sends a complete response with `Content-Length` (none for 204 and 304, which have no body). A
    /// `Connection: close` in `headers` closes the connection after it; `Content-Length`, `Transfer-Encoding`
    /// and `Connection` themselves are always written by the server. For `HEAD` the body is not sent.
    public func respond(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        loop.assertInLoop()
        precondition((200...999).contains(status), "final response status \(status) out of range")
        guard case .initial = state, let connection else { return misuse("respond", status) }
        inCall = true
        defer { inCall = false }
        let keepAlive = requestKeepAlive && !Self.asksToClose(headers)
        let bodyless = status == 204 || status == 304
        let sendBody = !bodyless && !isHead && !body.isEmpty
        var bytes = ResponseEncoding.head(
            status: status, headers: withExtras(headers),
            framing: bodyless ? .none : .contentLength(body.count),
            connection: connectionHeader(keepAlive), reserving: sendBody ? body.count : 0)
        if sendBody { bytes.append(contentsOf: body) }
        connection.send(bytes)
        finish(keepAlive: keepAlive)
    }

    /// Sends the head of a streamed response: `Transfer-Encoding: chunked` on HTTP/1.1; on HTTP/1.0 the body is
    /// delimited by closing the connection. For server-sent events set `Content-Type: text/event-stream`.
    /// `firstChunk`, when not empty, goes out in the same socket write as the head (one system call and one
    /// client wake-up for a stream whose first bytes are ready when it starts).
    public func startStream(status: Int, headers: HTTPHeaders, firstChunk: [UInt8] = []) {
        loop.assertInLoop()
        precondition((200...999).contains(status), "final response status \(status) out of range")
        guard case .initial = state, let connection else { return misuse("startStream", status) }
        inCall = true
        defer { inCall = false }
        let chunked = !isHTTP10
        let keepAlive = chunked && requestKeepAlive && !Self.asksToClose(headers)
        state = .streaming(chunked: chunked, keepAlive: keepAlive)
        let sendBody = !firstChunk.isEmpty && !isHead
        var bytes = ResponseEncoding.head(
            status: status, headers: withExtras(headers), framing: chunked ? .chunked : .none,
            connection: connectionHeader(keepAlive),
            reserving: sendBody ? firstChunk.count + 20 : 0)
        if sendBody {
            if chunked { ResponseEncoding.appendChunk(firstChunk, to: &bytes) } else { bytes += firstChunk }
        }
        connection.send(bytes)
    }

    private func withExtras(_ headers: HTTPHeaders) -> HTTPHeaders {
        guard !extraHeaders.isEmpty else { return headers }
        var all = headers
        for (name, value) in extraHeaders { all.set(name, value) }
        return all
    }

    /// Sends `bytes` as one chunk of a streamed response. A no-op after `end()` or once the connection is gone,
    /// and for empty input (an empty chunk would end the body).
    public func write(_ bytes: [UInt8]) {
        loop.assertInLoop()
        guard case .streaming(let chunked, _) = state, let connection, !bytes.isEmpty, !isHead else { return }
        inCall = true
        defer { inCall = false }
        connection.send(chunked ? ResponseEncoding.chunk(bytes) : bytes)
    }

    /// Ends a streamed response. Ending a response that was never started sends `500` (a handler bug, reported
    /// through `HTTPServer.onError`). A no-op when already finished.
    public func end() {
        loop.assertInLoop()
        switch state {
        case .initial:
            server.report("HTTP handler ended a response it never started; answered 500")
            respond(status: 500)
        case .streaming(let chunked, let keepAlive):
            inCall = true
            defer { inCall = false }
            if chunked && !isHead { connection?.send(ResponseEncoding.lastChunk) }
            finish(keepAlive: keepAlive)
        case .finished:
            break
        }
    }

    /// Ends a streamed response abruptly: the connection is closed after what was written so far, without the
    /// final chunk, so the client sees a truncated transfer rather than a complete body (used when the source of a
    /// stream broke, and by fault-injecting test servers). A no-op unless a stream is in progress.
    public func abort() {
        loop.assertInLoop()
        guard case .streaming = state else { return }
        inCall = true
        defer { inCall = false }
        finish(keepAlive: false)
    }

    // MARK: From the connection

    /// The connection closed before `end()`.
    func connectionClosed() {
        guard !isFinished else { return }
        state = .finished
        connection = nil
        onWritable = nil
        cancelled = true
        deliverCancel(deferred: inCall)
    }

    func writable() {
        guard !inCall, let onWritable else { return }
        onWritable()
    }

    // MARK: Helpers

    private func finish(keepAlive: Bool) {
        guard !isFinished else { return }  // a failed write already closed the connection
        state = .finished
        let connection = self.connection
        self.connection = nil
        onCancel = nil
        onWritable = nil
        connection?.responseEnded(self, keepAlive: keepAlive)
    }

    private func deliverCancel(deferred: Bool) {
        guard let handler = onCancel else { return }
        onCancel = nil
        if deferred { loop.execute { handler() } } else { handler() }
    }

    private func connectionHeader(_ keepAlive: Bool) -> ResponseEncoding.ConnectionHeader {
        if !keepAlive { return .close }
        return isHTTP10 ? .keepAlive : .none  // HTTP/1.0 closes unless told otherwise
    }

    private func misuse(_ call: String, _ status: Int) {
        if !cancelled { server.report("HTTP handler called \(call)(status: \(status)) on a response already started") }
    }

    private static func asksToClose(_ headers: HTTPHeaders) -> Bool {
        guard !headers.isEmpty, let value = headers["connection"] else { return false }
        return value.equalsIgnoringASCIICase("close")
    }
}
