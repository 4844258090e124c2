import CLibUV

/// A libuv call that failed, with the operation that made it, e.g. `uv_tcp_bind(127.0.0.1:8787): EADDRINUSE (address already in use)`.
public struct UVError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The negative libuv error code (`UV_E*`).
    public let code: Int32
    /// What we were doing, in words a log reader can act on.
    public let operation: String

    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
    }

    /// The symbolic name, e.g. `ECONNRESET`.
    public var name: String { String(cString: uv_err_name(code)) }

    public var description: String {
        "\(operation): \(name) (\(String(cString: uv_strerror(code))))"
    }

    /// True when the peer went away (reset, broken pipe, EOF): a normal end of a connection, not a fault.
    public var isDisconnect: Bool {
        code == UV_EOF.rawValue || code == UV_ECONNRESET.rawValue || code == UV_EPIPE.rawValue
            || code == UV_ECANCELED.rawValue || code == UV_ENOTCONN.rawValue
    }

    static func check(_ result: Int32, _ operation: @autoclosure () -> String) throws(UVError) {
        if result < 0 { throw UVError(code: result, operation: operation()) }
    }
}
