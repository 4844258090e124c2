/// One complete HTTP request as the handler sees it: the head plus the whole body.
public struct HTTPRequest: Sendable {
    /// The method token, e.g. `GET` or `POST`.
    public var method: String
    /// The raw request target, e.g. `/mcp?x=1`.
    public var target: String
    /// `target` without the query.
    public var path: String
    /// The part of `target` after the first `?`, or nil when there is none.
    public var query: String?
    /// Header fields in the order received.
    public var headers: HTTPHeaders
    /// The body, fully read (a chunked body arrives here decoded).
    public var body: [UInt8]
    /// The client's address (`ip:port`, `[ip]:port` for IPv6) as the socket reports it; nil when unknown.
    public var remoteAddress: String?

    /// Creates a request; `path` and `query` are split from `target`.
    public init(
        method: String, target: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
        remoteAddress: String? = nil
    ) {
        self.method = method
        self.target = target
        (path, query) = HTTPRequest.split(target)
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
    }

    /// Splits a request target at its first `?` (RFC 9112 §3.2: origin-form is `absolute-path [ "?" query ]`).
    static func split(_ target: String) -> (path: String, query: String?) {
        let utf8 = target.utf8
        guard let mark = utf8.firstIndex(of: UInt8(ascii: "?")) else { return (target, nil) }
        return (String(target[..<mark]), String(target[utf8.index(after: mark)...]))
    }
}
