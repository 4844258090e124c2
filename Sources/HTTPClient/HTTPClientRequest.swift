/// One outbound HTTP request for `HTTPClient.execute`.
public struct HTTPClientRequest: Sendable {
    /// The method, sent as given (upper-case it yourself): GET, POST, PUT, PATCH, DELETE, HEAD or any other token.
    public var method: String
    /// The absolute URL (`http://` or `https://`).
    public var url: String
    /// Request headers in order; names may repeat. An `Expect:` suppressor is always added (no 100-continue wait).
    public var headers: [(String, String)]
    /// The request body; `nil` sends none (POST, PUT and PATCH without a body send `Content-Length: 0`).
    public var body: [UInt8]?
    /// Limit for DNS + TCP connect + TLS handshake (`CURLOPT_CONNECTTIMEOUT_MS`).
    public var connectTimeoutMilliseconds: Int = 10_000
    /// Limit from the start until the response headers are complete; `nil` means none. Measured by a loop timer.
    public var firstByteTimeoutMilliseconds: Int? = nil
    /// Limit for the whole transfer including the body (`CURLOPT_TIMEOUT_MS`); `nil` means none, which a
    /// streaming response usually wants.
    public var totalTimeoutMilliseconds: Int? = nil

    public init(method: String = "GET", url: String, headers: [(String, String)] = [], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The value of the first header named `name` (ASCII case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { asciiCaseInsensitiveEquals($0.0, name) }?.1
    }
}

/// The status line and headers of a response, delivered once before any body bytes.
public struct HTTPClientResponseHead: Sendable {
    /// The final status code (1xx interim responses are skipped).
    public let status: Int
    /// Response headers in the order received; names as sent by the server.
    public let headers: [(String, String)]
    /// The protocol as written in the status line, e.g. `HTTP/1.1` or `HTTP/2`.
    public let httpVersion: String

    public init(status: Int, headers: [(String, String)], httpVersion: String) {
        self.status = status
        self.headers = headers
        self.httpVersion = httpVersion
    }

    /// The value of the first header named `name` (ASCII case-insensitive), or `nil`.
    public func header(_ name: String) -> String? {
        headers.first { asciiCaseInsensitiveEquals($0.0, name) }?.1
    }
}

/// Header names are ASCII tokens (RFC 9110 §5.1), so comparing UTF-8 bytes with the ASCII case bit cleared is exact
/// and avoids allocating lower-cased copies.
func asciiCaseInsensitiveEquals(_ lhs: String, _ rhs: String) -> Bool {
    var left = lhs.utf8.makeIterator()
    var right = rhs.utf8.makeIterator()
    while true {
        switch (left.next(), right.next()) {
        case (nil, nil): return true
        case let (l?, r?):
            if l == r { continue }
            let lowerL = (l >= 65 && l <= 90) ? l + 32 : l
            let lowerR = (r >= 65 && r <= 90) ? r + 32 : r
            if lowerL != lowerR { return false }
        default: return false
        }
    }
}
