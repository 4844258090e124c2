/// The explicit limits of an `HTTPServer` (DESIGN.md §4: limits are explicit and configurable).
///
/// Each limit names the response it produces, and the response body says which limit was hit.
public struct HTTPServerLimits: Sendable, Equatable {
    /// Bytes of request line plus header fields; more gets `431` and the connection is closed. The HTTP parser
    /// enforces its own compiled-in ceiling of 80 KiB (also answered with `431`), so larger values have no effect.
    public var maxHeaderBytes: Int
    /// Bytes of decoded body; more gets `413`. A `Content-Length` over the limit is refused before the body is
    /// read; a chunked body is counted as it arrives.
    public var maxBodyBytes: Int
    /// How the operator raises `maxBodyBytes` (e.g. a command-line option), told to clients refused with `413`.
    public var bodyLimitHint: String?
    /// Time from the start of a request (or from accepting the connection, for the first one) until its head is
    /// complete; a slower head gets `408`. A new connection that sends nothing at all is closed silently.
    public var headerTimeoutMilliseconds: UInt64
    /// Time from the end of the head until the body is complete; a slower body gets `408`.
    public var bodyTimeoutMilliseconds: UInt64
    /// How long a keep-alive connection may sit between requests before it is closed silently. Also bounds how
    /// long a closing connection waits for its last response to flush.
    public var idleTimeoutMilliseconds: UInt64
    /// Open connections; further ones are accepted and closed at once.
    public var maxConnections: Int

    public init(
        maxHeaderBytes: Int = 16 * 1024, maxBodyBytes: Int = 8 * 1024 * 1024,
        headerTimeoutMilliseconds: UInt64 = 10_000, bodyTimeoutMilliseconds: UInt64 = 30_000,
        idleTimeoutMilliseconds: UInt64 = 75_000, maxConnections: Int = 1024
    ) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.headerTimeoutMilliseconds = headerTimeoutMilliseconds
        self.bodyTimeoutMilliseconds = bodyTimeoutMilliseconds
        self.idleTimeoutMilliseconds = idleTimeoutMilliseconds
        self.maxConnections = maxConnections
    }
}
