import HTTPClient
import JSONRPC
import Loop
import ServerSentEvents

/// The GET stream: messages the server sends on its own (`notifications/tools/list_changed`, pings, …).
extension StreamableHTTPClientTransport {
    /// A stream that stayed open this long was healthy: the next drop starts the backoff over.
    static let healthyStreamMilliseconds: UInt64 = 30_000

    /// Opens the GET stream (spec: "Listening for Messages from the Server"), carrying `Last-Event-ID` when the
    /// server numbered its events.
    func openStream() {
        guard state == .running, !streamDisabled, streamTask == nil else { return }
        streamGeneration += 1
        let generation = streamGeneration
        streamHead = nil
        streamParser = SSEParser(maxEventBytes: maxMessageBytes, lastEventID: streamParser.lastEventID)
        var request = HTTPClientRequest(method: "GET", url: url, headers: headers(accept: "text/event-stream"))
        if let last = streamParser.lastEventID { request.headers.append(("Last-Event-ID", last)) }
        request.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        request.firstByteTimeoutMilliseconds = 60_000
        // No total timeout: the stream stays open for the session's life. Strong captures end with the transfer.
        streamTask = client.execute(
            request, onHead: { head in self.streamHeadArrived(head, generation) },
            onBody: { bytes in self.streamBody(bytes, generation) },
            onComplete: { result in self.streamEnded(result, generation) })
    }

    private var streamIsEvents: Bool {
        guard let head = streamHead, (200..<300).contains(head.status) else { return false }
        return head.header("Content-Type")?.lowercased().hasPrefix("text/event-stream") ?? false
    }

    private func streamHeadArrived(_ head: HTTPClientResponseHead, _ generation: Int) {
        guard generation == streamGeneration else { return }
        streamHead = head
        streamOpenedAt = loop.nowMilliseconds
    }

    private func streamBody(_ bytes: [UInt8], _ generation: Int) {
        guard generation == streamGeneration, streamIsEvents else { return }
        for event in streamParser.feed(bytes) {
            guard state == .running, generation == streamGeneration else { return }
            deliver(event, from: nil)
        }
    }

    private func streamEnded(_ result: Result<Void, HTTPClientError>, _ generation: Int) {
        guard generation == streamGeneration else { return }
        streamTask = nil
        guard state == .running else { return }
        if case .failure(.cancelled) = result { return }
        let status = streamHead?.status ?? 0
        switch status {
        case 405:
            // "The server MUST either return Content-Type: text/event-stream [...] or else return HTTP 405".
            streamDisabled = true
            logger.debug("the server offers no GET stream (HTTP 405)")
        case 404 where sessionID != nil:
            end("session expired (HTTP 404)")
        case 400..<500:
            streamDisabled = true
            onDiagnostic?("\(displayURL) refused the event stream with HTTP \(status); list changes will not be noticed")
        case 200..<300 where !streamIsEvents:
            streamDisabled = true
            onDiagnostic?(
                "\(displayURL) answered the event stream with Content-Type \"\(streamHead?.header("Content-Type") ?? "")\"; list changes will not be noticed"
            )
        default:
            if case .failure(let error) = result {
                scheduleStreamReopen("failed: \(error)")
            } else {
                scheduleStreamReopen(status < 300 ? "ended" : "answered HTTP \(status)")
            }
        }
    }

    private func scheduleStreamReopen(_ reason: String) {
        if streamIsEvents, loop.nowMilliseconds &- streamOpenedAt >= Self.healthyStreamMilliseconds {
            streamDelay = streamRetryMilliseconds
        }
        // The server's `retry:` is honoured, within our own ceiling.
        let asked = UInt64(max(streamParser.retryMilliseconds ?? 0, 0))
        let delay = min(max(streamDelay, asked), maxStreamRetryMilliseconds)
        streamDelay = min(streamDelay * 2, maxStreamRetryMilliseconds)
        if streamTimer == nil {
            do {
                streamTimer = try Timer(loop: loop)
            } catch {
                onDiagnostic?("cannot reopen the event stream (\(error)); list changes will not be noticed")
                return
            }
        }
        logger.debug("event stream \(reason); reopening", metadata: ["delay_ms": "\(delay)"])
        // Strong capture: `stop` closes the timer, which drops the callback.
        streamTimer?.start(after: delay) { self.openStream() }
    }
}

extension StreamableHTTPClientTransport {
    /// The first 200 bytes of a body as text, for error messages.
    static func preview(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.prefix(200), as: UTF8.self).trimmingSpaces
    }

    /// Drops the query string, fragment and `user:password@`, which may hold secrets.
    static func redacted(_ url: String) -> String {
        var base = Substring(url)
        if let cut = base.firstIndex(where: { $0 == "?" || $0 == "#" }) { base = base[..<cut] }
        guard let colon = base.indices.first(where: { base[$0...].hasPrefix("://") }) else { return String(base) }
        let start = base.index(colon, offsetBy: 3)
        let authority = base[start...].prefix { $0 != "/" }
        guard let at = authority.lastIndex(of: "@") else { return String(base) }
        return String(base[..<start]) + String(base[base.index(after: at)...])
    }
}

/// One POST in flight and what its response has shown so far.
final class PostExchange {
    enum Mode {
        /// `text/event-stream`: messages as events, the request's response last.
        case events
        /// `application/json`: one message (or a batch).
        case json
        /// Status 300 or above: the start of the body is kept for the error message.
        case failed
        /// No body expected (202), or an unexpected Content-Type.
        case other(String)
    }

    let key: Int
    /// The request this POST carried; `nil` for notifications and responses.
    let requestID: RequestID?
    /// Whether it carried `Mcp-Session-Id` (a 404 then means the session expired).
    let sentSession: Bool
    var parser: SSEParser
    var task: HTTPClientTask?
    var status = 0
    var mode = Mode.other("")
    var body: [UInt8] = []
    /// The request got its response or error (received or synthesized): nothing more is delivered for it.
    var answered = false
    /// Resuming the event stream with GET + `Last-Event-ID` (see `+Resume.swift`): the wait before the next
    /// attempt, and the timer counting it down.
    var resumeDelay: UInt64 = 0
    var resumeTimer: Timer?

    /// Stops the transfer and any resumption waiting to start.
    func cancel() {
        task?.cancel()
        resumeTimer?.close()
        resumeTimer = nil
    }

    init(key: Int, requestID: RequestID?, sentSession: Bool, parser: SSEParser) {
        self.key = key
        self.requestID = requestID
        self.sentSession = sentSession
        self.parser = parser
    }
}

extension JSONRPCMessage {
    /// True for the response or error to request `id`.
    func answers(_ id: RequestID) -> Bool {
        switch self {
        case let .response(responseID, _): responseID == id
        case let .error(errorID?, _): errorID == id
        default: false
        }
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and line breaks.
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
