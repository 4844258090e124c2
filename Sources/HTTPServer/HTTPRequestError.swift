/// A request the server answers by itself instead of calling the handler, then closes the connection.
///
/// It renders itself (DESIGN.md §4): a status and a JSON body whose message names the limit or fault, so a client
/// author can act on it without reading our logs. The body is the error shape the OpenAI and Anthropic SDKs both
/// read (`{"type": "error", "error": {"type", "code", "message"}}`): these refusals come before any route, so they
/// cannot take a route's own shape, and a bare text body left those SDKs reporting only "Error code: 413".
struct HTTPRequestError: Error, Equatable {
    let status: Int
    let message: String
    /// What a client can do about it, appended to the message (e.g. the server option that raises a limit).
    var hint: String? = nil

    static func malformed(_ detail: String) -> HTTPRequestError {
        HTTPRequestError(status: 400, message: "malformed request: \(detail)")
    }

    static func headTooLarge(limit: Int) -> HTTPRequestError {
        HTTPRequestError(status: 431, message: "request head exceeds \(limit) bytes")
    }

    static func bodyTooLarge(limit: Int, hint: String? = nil) -> HTTPRequestError {
        HTTPRequestError(status: 413, message: "request body exceeds \(limit) bytes", hint: hint)
    }

    static func headTimeout(milliseconds: UInt64) -> HTTPRequestError {
        HTTPRequestError(status: 408, message: "request head not received within \(milliseconds) ms")
    }

    static func bodyTimeout(milliseconds: UInt64) -> HTTPRequestError {
        HTTPRequestError(status: 408, message: "request body not received within \(milliseconds) ms")
    }

    /// RFC 9112 §6.1: a server that does not understand a transfer coding answers 501.
    static let unsupportedTransferEncoding = HTTPRequestError(
        status: 501, message: "unsupported transfer-encoding (only chunked is accepted)")

    /// The error's machine-readable code.
    var code: String {
        switch status {
        case 408: "request_timeout"
        case 413: "request_too_large"
        case 431: "request_header_too_large"
        case 501: "not_implemented"
        default: "malformed_request"
        }
    }

    /// The whole response, announcing that the connection closes after it.
    var responseBytes: [UInt8] {
        let text = hint.map { "\(message) (\($0))" } ?? message
        let type = status == 408 ? "timeout_error" : "invalid_request_error"
        let body =
            Array(
                #"{"type":"error","error":{"type":"\#(type)","code":"\#(code)","message":"\#(Self.escaped(text))"}}"#.utf8)
            + [0x0A]
        var bytes = ResponseEncoding.head(
            status: status, headers: ["Content-Type": "application/json"],
            framing: .contentLength(body.count), connection: .close, reserving: body.count)
        bytes.append(contentsOf: body)
        return bytes
    }

    /// `text` as the inside of a JSON string (parser details may quote the offending input).
    private static func escaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
