/// A request the server answers by itself instead of calling the handler, then closes the connection.
///
/// It renders itself (DESIGN.md §4): a status and a one-line plain-text body that names the limit or fault, so a
/// client author can act on it without reading our logs.
struct HTTPRequestError: Error, Equatable {
    let status: Int
    let message: String

    static func malformed(_ detail: String) -> HTTPRequestError {
        HTTPRequestError(status: 400, message: "malformed request: \(detail)")
    }

    static func headTooLarge(limit: Int) -> HTTPRequestError {
        HTTPRequestError(status: 431, message: "request head exceeds \(limit) bytes")
    }

    static func bodyTooLarge(limit: Int) -> HTTPRequestError {
        HTTPRequestError(status: 413, message: "request body exceeds \(limit) bytes")
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

    /// The whole response, announcing that the connection closes after it.
    var responseBytes: [UInt8] {
        let body = Array((message + "\n").utf8)
        var bytes = ResponseEncoding.head(
            status: status, headers: ["Content-Type": "text/plain; charset=utf-8"],
            framing: .contentLength(body.count), connection: .close, reserving: body.count)
        bytes.append(contentsOf: body)
        return bytes
    }
}
