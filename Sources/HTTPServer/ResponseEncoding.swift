/// Serialises response heads and chunk framing straight into byte arrays: no Foundation and no intermediate
/// strings on the hot path (DESIGN.md §5), and one array per write so head and body leave in a single `write`.
enum ResponseEncoding {
    /// How the body's end is marked.
    enum Framing: Equatable {
        /// `Content-Length: n`.
        case contentLength(Int)
        /// `Transfer-Encoding: chunked`.
        case chunked
        /// No length: the response has no body (1xx, 204, 304) or is delimited by closing the connection (HTTP/1.0).
        case none
    }

    /// What the `Connection` header says.
    enum ConnectionHeader: Equatable {
        case none, close, keepAlive
    }

    static let continueResponse: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
    static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)

    /// Builds the status line, the caller's headers (minus the framing fields this server owns), the framing and
    /// connection fields and the blank line, with `reserving` bytes of spare capacity for the body.
    static func head(
        status: Int, headers: HTTPHeaders, framing: Framing, connection: ConnectionHeader,
        reserving extra: Int
    ) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(96 + headers.count * 48 + extra)
        bytes.append(contentsOf: "HTTP/1.1 ".utf8)
        appendDecimal(status, to: &bytes)
        bytes.append(UInt8(ascii: " "))
        bytes.append(contentsOf: reasonPhrase(status).utf8)
        bytes.append(contentsOf: crlf)
        for (name, value) in headers where !isOwnedField(name) {
            appendField(name, value, to: &bytes)
        }
        switch framing {
        case .contentLength(let length):
            bytes.append(contentsOf: "Content-Length: ".utf8)
            appendDecimal(length, to: &bytes)
            bytes.append(contentsOf: crlf)
        case .chunked:
            bytes.append(contentsOf: "Transfer-Encoding: chunked\r\n".utf8)
        case .none:
            break
        }
        switch connection {
        case .none: break
        case .close: bytes.append(contentsOf: "Connection: close\r\n".utf8)
        case .keepAlive: bytes.append(contentsOf: "Connection: keep-alive\r\n".utf8)
        }
        bytes.append(contentsOf: crlf)
        return bytes
    }

    /// One chunk of a chunked body: size in hex, CRLF, data, CRLF (RFC 9112 §7.1), in one array.
    static func chunk(_ data: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(data.count + 20)
        appendChunk(data, to: &bytes)
        return bytes
    }

    /// Appends `data` framed as one chunk (size line, data, CRLF).
    static func appendChunk(_ data: [UInt8], to bytes: inout [UInt8]) {
        appendHex(data.count, to: &bytes)
        bytes.append(contentsOf: crlf)
        bytes.append(contentsOf: data)
        bytes.append(contentsOf: crlf)
    }

    /// Fields whose values must agree with how this server frames the response, so the caller's copies are dropped.
    static func isOwnedField(_ name: String) -> Bool {
        switch name.utf8.count {
        case 10: return name.equalsIgnoringASCIICase("connection")
        case 14: return name.equalsIgnoringASCIICase("content-length")
        case 17: return name.equalsIgnoringASCIICase("transfer-encoding")
        default: return false
        }
    }

    /// Appends `name: value` CRLF. CR and LF inside either become spaces: a header value built from client input
    /// must not be able to start a new header or response (response splitting).
    static func appendField(_ name: String, _ value: String, to bytes: inout [UInt8]) {
        let start = bytes.count
        bytes.append(contentsOf: name.utf8)
        bytes.append(UInt8(ascii: ":"))
        bytes.append(UInt8(ascii: " "))
        bytes.append(contentsOf: value.utf8)
        for index in start..<bytes.count where bytes[index] == 13 || bytes[index] == 10 {
            bytes[index] = UInt8(ascii: " ")
        }
        bytes.append(contentsOf: crlf)
    }

    /// Appends `value` in decimal without making a String.
    static func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
        appendDigits(value, radix: 10, to: &bytes)
    }

    /// Appends `value` in lower-case hex (chunk sizes).
    static func appendHex(_ value: Int, to bytes: inout [UInt8]) {
        appendDigits(value, radix: 16, to: &bytes)
    }

    private static func appendDigits(_ value: Int, radix: Int, to bytes: inout [UInt8]) {
        precondition(value >= 0, "negative length")
        var width = 1
        var probe = value
        while probe >= radix { probe /= radix; width += 1 }
        var index = bytes.count + width - 1
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width))
        var rest = value
        repeat {
            let digit = UInt8(rest % radix)
            bytes[index] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10
            rest /= radix
            index -= 1
        } while rest > 0
    }

    private static let crlf: [UInt8] = [13, 10]

    /// Reason phrases (RFC 9110 §15) for the statuses we send; others get an empty phrase, which RFC 9112 §4 allows.
    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 101: "Switching Protocols"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 206: "Partial Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 303: "See Other"
        case 304: "Not Modified"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 402: "Payment Required"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 410: "Gone"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 417: "Expectation Failed"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: ""
        }
    }
}
