import CLibUV

/// An accepted or connected TCP connection.
public final class TCPConnection: Stream {
    init(loop: EventLoop, uninitialized: Void) throws(UVError) {
        super.init(loop: loop, byteCount: MemoryLayout<uv_tcp_t>.size)
        try UVError.check(uv_tcp_init(loop.raw, tcp), "uv_tcp_init")
        adopt()
    }

    var tcp: UnsafeMutablePointer<uv_tcp_t> { UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_tcp_t.self) }

    /// The peer's address, `ip:port` (`[ip]:port` for IPv6); nil once the connection is gone.
    public var peerAddress: String? {
        loop.assertInLoop()
        var buffer = [CChar](repeating: 0, count: 80)
        guard sy_uv_tcp_peer(tcp, &buffer, buffer.count) == 0 else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Disables Nagle: request/response traffic wants each write on the wire at once.
    public func setNoDelay(_ enabled: Bool) {
        loop.assertInLoop()
        uv_tcp_nodelay(tcp, enabled ? 1 : 0)
    }

    /// Connects to an IPv4 address on the loop; `completion` gets the connection or the error.
    public static func connect(
        loop: EventLoop, host: String, port: Int,
        _ completion: @escaping (Result<TCPConnection, UVError>) -> Void
    ) {
        let connection: TCPConnection
        do { connection = try TCPConnection(loop: loop, uninitialized: ()) } catch {
            completion(.failure(error)); return
        }
        let request = ConnectRequest(connection: connection, completion: completion)
        let result = host.withCString {
            sy_uv_tcp_connect4(request.request, connection.tcp, $0, Int32(port)) { req, status in
                let this = Unmanaged<ConnectRequest>.fromOpaque(req!.pointee.data).takeRetainedValue()
                this.finish(status)
            }
        }
        if result < 0 {
            Unmanaged<ConnectRequest>.fromOpaque(request.request.pointee.data).release()
            connection.close()
            completion(.failure(UVError(code: result, operation: "connect \(host):\(port)")))
        }
    }
}

private final class ConnectRequest {
    let request = UnsafeMutablePointer<uv_connect_t>.allocate(capacity: 1)
    let connection: TCPConnection
    let completion: (Result<TCPConnection, UVError>) -> Void

    init(connection: TCPConnection, completion: @escaping (Result<TCPConnection, UVError>) -> Void) {
        self.connection = connection
        self.completion = completion
        request.pointee.data = Unmanaged.passRetained(self).toOpaque()
    }

    deinit { request.deallocate() }

    func finish(_ status: Int32) {
        if status < 0 {
            connection.close()
            completion(.failure(UVError(code: status, operation: "connect")))
        } else {
            completion(.success(connection))
        }
    }
}

/// A listening TCP socket.
public final class TCPListener: LoopHandle {
    private var onConnection: ((TCPConnection) -> Void)?
    /// Called when accepting fails (e.g. EMFILE); the listener keeps listening.
    public var onAcceptError: ((UVError) -> Void)?
    /// The address we were asked to bind, for error messages.
    private let requestedAddress: String

    /// Binds `host:port` (IPv4 or IPv6 literal; port 0 picks a free port).
    public init(loop: EventLoop, host: String, port: Int) throws(UVError) {
        requestedAddress = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        super.init(loop: loop, byteCount: MemoryLayout<uv_tcp_t>.size)
        try UVError.check(uv_tcp_init(loop.raw, tcp), "uv_tcp_init")
        adopt()
        let result = host.withCString {
            host.contains(":") ? sy_uv_tcp_bind6(tcp, $0, Int32(port)) : sy_uv_tcp_bind4(tcp, $0, Int32(port))
        }
        if result < 0 {
            close()
            throw UVError(code: result, operation: "bind \(host):\(port)")
        }
    }

    private var tcp: UnsafeMutablePointer<uv_tcp_t> {
        UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_tcp_t.self)
    }

    /// The bound port.
    public var port: Int { Int(sy_uv_tcp_port(tcp)) }

    /// Starts accepting; each accepted connection is handed to `onConnection` (not yet reading).
    public func listen(backlog: Int32 = 511, onConnection: @escaping (TCPConnection) -> Void) throws(UVError) {
        loop.assertInLoop()
        self.onConnection = onConnection
        let result = uv_listen(UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_stream_t.self), backlog) {
            server, status in
            LoopHandle.object(server, as: TCPListener.self).accept(status)
        }
        if result < 0 {
            // Report EADDRINUSE and friends with the address, since bind() on Linux defers them to listen().
            // Not `port`: getsockname on such a socket returns the deferred error itself, which printed as
            // "listen on port -98"; name the address we were asked to bind instead.
            throw UVError(code: result, operation: "listen on \(requestedAddress)")
        }
    }

    private func accept(_ status: Int32) {
        if status < 0 { onAcceptError?(UVError(code: status, operation: "accept")); return }
        do {
            let connection = try TCPConnection(loop: loop, uninitialized: ())
            let result = uv_accept(
                UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_stream_t.self), connection.stream)
            if result < 0 {
                connection.close()
                onAcceptError?(UVError(code: result, operation: "uv_accept"))
                return
            }
            onConnection?(connection)
        } catch {
            onAcceptError?(error)
        }
    }

    override func willClose() { onConnection = nil; onAcceptError = nil }
}
