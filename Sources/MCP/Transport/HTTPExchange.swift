import HTTPServer
import JSON
import JSONRPC

/// The answer to one POSTed request: a single JSON body when the result is the first thing to send, or an SSE
/// stream when notifications (progress, logs, subscription events) come first; the stream ends after the result.
final class HTTPExchange {
    private let response: HTTPResponseWriter
    private let acceptsSSE: Bool
    private let sessionID: String?
    private var streaming = false
    var onFinish: (() -> Void)?

    init(response: HTTPResponseWriter, acceptsSSE: Bool, sessionID: String?) {
        self.response = response
        self.acceptsSSE = acceptsSSE
        self.sessionID = sessionID
    }

    /// Where the session sends this request's messages.
    var sink: (JSONRPCMessage) -> Void {
        { [self] message in self.deliver(message) }
    }

    private func deliver(_ message: JSONRPCMessage) {
        guard !response.isFinished else { return finish() }  // the client left: nothing more to send
        let isFinal: Bool
        switch message {
        case .response, .error: isFinal = true
        default: isFinal = false
        }
        if !streaming && isFinal {
            var headers = HTTPReply.jsonHeaders
            if let sessionID { headers.set("Mcp-Session-Id", sessionID) }
            let status: Int
            if case let .error(_, error) = message,
                error.code == MCPErrorCode.unsupportedProtocolVersion || error.code == MCPErrorCode.headerMismatch
            {
                status = 400
            } else {
                status = 200
            }
            response.respond(status: status, headers: headers, body: message.serialized())
            finish()
            return
        }
        guard acceptsSSE else {
            // The client cannot take a stream: notifications before the result are dropped.
            return
        }
        if !streaming {
            streaming = true
            var headers = HTTPReply.sseHeaders
            if let sessionID { headers.set("Mcp-Session-Id", sessionID) }
            response.startStream(status: 200, headers: headers)
        }
        response.write(HTTPReply.sseEvent(message))
        if isFinal {
            response.end()
            finish()
        }
    }

    /// Ends the exchange without a JSON-RPC response (its request was cancelled, or its session ended): a stream
    /// in progress is closed; otherwise the client hears an empty event stream, or 204 when it takes JSON only.
    func endWithoutResponse() {
        if !response.isFinished {
            if streaming {
                response.end()
            } else if acceptsSSE {
                var headers = HTTPReply.sseHeaders
                if let sessionID { headers.set("Mcp-Session-Id", sessionID) }
                response.startStream(status: 200, headers: headers)
                response.end()
            } else {
                response.respond(status: 204)
            }
        }
        finish()
    }

    private func finish() {
        let handler = onFinish
        onFinish = nil
        handler?()
    }
}

/// The GET stream of one HTTP session, the session itself, and the POSTs still waiting for their responses.
final class HTTPSessionChannel {
    var session: MCPServerSession!
    private(set) var stream: HTTPResponseWriter?
    private var exchanges: [RequestID: HTTPExchange] = [:]

    /// Tracks a POSTed request's exchange until it has answered (or is ended).
    func open(_ exchange: HTTPExchange, for id: RequestID) {
        exchanges[id] = exchange
        exchange.onFinish = { [weak self, weak exchange] in
            if let self, self.exchanges[id] === exchange { self.exchanges[id] = nil }
        }
    }

    /// Ends the POST of a request the client cancelled.
    func endExchange(for id: RequestID) {
        exchanges[id]?.endWithoutResponse()
    }

    /// Ends every POST still open (the session is over).
    func endExchanges() {
        for exchange in Array(exchanges.values) { exchange.endWithoutResponse() }
        exchanges.removeAll()
    }

    func attach(_ stream: HTTPResponseWriter) {
        self.stream = stream
        stream.onCancel = { [weak self, weak stream] in
            if self?.stream === stream { self?.stream = nil }
        }
    }

    /// Sends a message not tied to a request; without an open GET stream it is dropped (the spec allows that).
    func send(_ message: JSONRPCMessage) {
        guard let stream, !stream.isFinished else { return }
        stream.write(HTTPReply.sseEvent(message))
    }

    func detach() {
        stream?.end()
        stream = nil
    }
}

/// Response helpers.
enum HTTPReply {
    static let jsonHeaders: HTTPHeaders = ["Content-Type": "application/json"]
    static let sseHeaders: HTTPHeaders = [
        "Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no",
    ]

    static func plain(_ response: HTTPResponseWriter, _ status: Int, _ text: String) {
        response.respond(
            status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array((text + "\n").utf8))
    }

    static func json(_ response: HTTPResponseWriter, _ status: Int, _ message: JSONRPCMessage) {
        response.respond(status: status, headers: jsonHeaders, body: message.serialized())
    }

    static func sseEvent(_ message: JSONRPCMessage) -> [UInt8] {
        var bytes = Array("event: message\ndata: ".utf8)
        message.json.write(into: &bytes)
        bytes.append(contentsOf: [0x0A, 0x0A])
        return bytes
    }
}
