import Loop

/// An HTTP/1.1 server on a libuv loop (DESIGN.md §2): keep-alive, pipelining answered in order, chunked request
/// bodies, streamed (chunked / SSE) responses, `Expect: 100-continue`, and explicit limits (`HTTPServerLimits`).
///
/// Loop-confined: create, use and close it on the loop's thread. The handler runs on the loop for each complete
/// request and answers through the `HTTPResponseWriter`, now or later; the connection reads its next request only
/// after that response ended. Requests the server refuses itself (400, 408, 413, 431, 501) never reach the handler.
public final class HTTPServer {
    /// The loop everything runs on.
    public let loop: EventLoop
    /// The limits every connection enforces.
    public let limits: HTTPServerLimits
    /// Diagnostics: accept failures, unexpected socket errors, the connection limit, handler misuse. The server
    /// has no logging dependency; wire this to a logger.
    public var onError: ((String) -> Void)?

    let handler: (HTTPRequest, HTTPResponseWriter) -> Void
    private let listener: TCPListener
    private var connections: [ObjectIdentifier: HTTPConnection] = [:]
    private var closing = false
    private var listenerClosed = false
    private var closeCompletions: [() -> Void] = []

    /// Binds `host:port` (an IPv4 or IPv6 literal; port 0 picks a free port) and starts accepting.
    /// The server stays alive (the listener holds it) until `close` is called.
    public init(
        loop: EventLoop, host: String, port: Int, limits: HTTPServerLimits = HTTPServerLimits(),
        handler: @escaping (HTTPRequest, HTTPResponseWriter) -> Void
    ) throws(UVError) {
        self.loop = loop
        self.limits = limits
        self.handler = handler
        listener = try TCPListener(loop: loop, host: host, port: port)
        do {
            try listener.listen { [self] connection in self.accept(connection) }
        } catch {
            listener.close()
            throw error
        }
        listener.onAcceptError = { [self] error in self.report("HTTP accept: \(error)") }
    }

    /// The bound port.
    public var port: Int { listener.port }

    /// Connections currently open (including ones still closing).
    public var connectionCount: Int { connections.count }

    /// Stops listening and closes every connection; a response in progress sees its `onCancel` (unless `graceful`).
    /// `completion` runs when the listener and every connection handle have closed. Safe to call twice.
    ///
    /// With `graceful`, responses being written when the server closes are allowed to finish (each such connection
    /// closes after its response); otherwise they are cancelled at once.
    public func close(graceful: Bool = false, _ completion: (() -> Void)? = nil) {
        loop.assertInLoop()
        if let completion { closeCompletions.append(completion) }
        if !closing {
            closing = true
            listener.close { [self] in
                listenerClosed = true
                finishClosingIfDone()
            }
            for connection in Array(connections.values) { connection.serverClosing(graceful: graceful) }
        }
        finishClosingIfDone()
    }

    private func accept(_ tcp: TCPConnection) {
        guard !closing else { tcp.close(); return }
        guard connections.count < limits.maxConnections else {
            report("HTTP connection limit (\(limits.maxConnections)) reached; closing a new connection")
            tcp.close()
            return
        }
        do {
            let connection = try HTTPConnection(tcp: tcp, server: self)
            connections[ObjectIdentifier(connection)] = connection
            connection.start()
        } catch {
            report("HTTP accept: \(error)")
            tcp.close()
        }
    }

    func connectionClosed(_ connection: HTTPConnection) {
        connections[ObjectIdentifier(connection)] = nil
        if closing { finishClosingIfDone() }
    }

    func report(_ message: String) { onError?(message) }

    private func finishClosingIfDone() {
        guard closing, listenerClosed, connections.isEmpty, !closeCompletions.isEmpty else { return }
        let completions = closeCompletions
        closeCompletions = []
        completions.forEach { $0() }
    }
}
