import HTTPClient
import JSON
import JSONRPC
import Logging
import Loop
import ServerSentEvents

/// A remote MCP server over Streamable HTTP (spec 2025-11-25, "Transports"), as its client.
///
/// - Each message we send is one POST to the server's URL. A request's answer comes back as `application/json` or
///   as an SSE stream (notifications first, then the response); notifications and responses get 202.
/// - The `Mcp-Session-Id` the server returns with the initialize result is echoed on every later request, and
///   `MCP-Protocol-Version` once negotiated. A 404 to a request that carried the session means it expired: the
///   connection ends (`onClose`), so the Hub reconnects with a new `initialize`.
/// - An HTTP error or a failed transfer never leaves a request hanging: the request gets a -32000 error naming the
///   HTTP status (or the transport error) at once.
/// - Once initialized, a GET stream carries the server's own messages (`list_changed`); a server that answers 405
///   offers none. A stream that drops is reopened with a backoff while the transport runs.
/// - `stop` ends the session with DELETE (best effort), then cancels everything in flight.
///
/// Only the configured headers are sent (never anything from our own clients: no credentials are forwarded).
/// Loop-confined, like the `HTTPClient` it shares with other transports.
public final class StreamableHTTPClientTransport: MCPClientTransport {
    public var onMessage: ((JSONRPCMessage) -> Void)?
    public var onClose: ((String) -> Void)?
    public var onDiagnostic: ((String) -> Void)?
    /// Runs when an exchange failed below HTTP (connection refused or reset, a transfer cut): the server may be
    /// down, worth checking now.
    public var onConnectionFailed: (() -> Void)?

    /// The server's endpoint, as configured.
    public let url: String
    /// The session the server issued (`Mcp-Session-Id`), once it did.
    public internal(set) var sessionID: String?
    /// The negotiated version, sent as `MCP-Protocol-Version` once set.
    public internal(set) var protocolVersion: String?

    /// Limit from sending a POST until its response head arrives; the body may then stream for as long as the
    /// peer's per-request timeout allows (it cancels the request, and with it the POST).
    public var firstByteTimeoutMilliseconds = 300_000
    /// Limit for connecting (DNS, TCP, TLS).
    public var connectTimeoutMilliseconds = 10_000
    /// How long `stop` waits for the DELETE that ends the session.
    public var deleteTimeoutMilliseconds = 2_000
    /// The largest JSON body or SSE event accepted.
    public var maxMessageBytes = 16 << 20
    /// The first delay before reopening a GET stream that dropped; it doubles up to `maxStreamRetryMilliseconds`
    /// and starts over after a stream that stayed open for 30 s.
    public var streamRetryMilliseconds: UInt64 = 500
    /// The longest delay before reopening the GET stream.
    public var maxStreamRetryMilliseconds: UInt64 = 30_000

    let client: HTTPClient
    let loop: EventLoop
    let logger: Logger
    /// The configured headers, minus the ones this transport sets itself.
    let configuredHeaders: [(String, String)]
    /// The URL without query string or user info, for messages.
    let displayURL: String

    /// idle → running → (ended: the server ended the session) → stopping → stopped.
    enum State { case idle, running, ended, stopping, stopped }
    var state = State.idle
    var exchanges: [Int: PostExchange] = [:]
    private var nextExchange = 0
    var stopCompletions: [() -> Void] = []
    // The GET stream (see `+Stream.swift`); `streamGeneration` tells a current transfer's callbacks from stale ones.
    var streamTask: HTTPClientTask?
    var streamGeneration = 0
    var streamParser = SSEParser()
    var streamHead: HTTPClientResponseHead?
    var streamOpenedAt: UInt64 = 0
    var streamDelay: UInt64 = 0
    var streamDisabled = false
    var streamTimer: Timer?

    /// Headers this transport owns; a configured header with one of these names is ignored.
    static let reservedHeaders: Set<String> = [
        "accept", "content-type", "content-length", "mcp-session-id",
        "mcp-protocol-version", "last-event-id",
    ]

    /// A transport to the server at `url` that sends `headers` (e.g. `Authorization`) with every request.
    public init(client: HTTPClient, url: String, headers: [String: String], logger: Logger) {
        self.client = client
        self.loop = client.loop
        self.url = url
        self.logger = logger
        configuredHeaders = headers.filter { !Self.reservedHeaders.contains($0.key.lowercased()) }
            .sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        displayURL = Self.redacted(url)
    }

    public func start() throws {
        loop.assertInLoop()
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw InvalidURL(description: "\(displayURL) is not an http:// or https:// URL")
        }
        guard state == .idle else { return }
        state = .running
        streamDelay = streamRetryMilliseconds
    }

    public func setProtocolVersion(_ version: String) {
        protocolVersion = version
        openStream()
    }

    /// POSTs one message; its answer (if any) is delivered through `onMessage`.
    public func send(_ message: JSONRPCMessage) {
        loop.assertInLoop()
        guard state == .running else { return }
        var requestID: RequestID?
        var abandoned: RequestID?
        switch message {
        case let .request(id, _, _): requestID = id
        case let .notification("notifications/cancelled", params):
            abandoned = params?["requestId"].flatMap(RequestID.init(json:))
        default: break
        }
        let key = nextExchange
        nextExchange += 1
        let exchange = PostExchange(
            key: key, requestID: requestID, sentSession: sessionID != nil,
            parser: SSEParser(maxEventBytes: maxMessageBytes))
        exchanges[key] = exchange
        var request = HTTPClientRequest(
            method: "POST", url: url, headers: headers(accept: "application/json, text/event-stream"),
            body: message.serialized())
        request.headers.append(("Content-Type", "application/json"))
        execute(request, for: exchange)
        // The peer gave up on a request (timeout or cancel): now that the server is told, drop its POST too.
        if let abandoned, let post = exchanges.values.first(where: { $0.requestID == abandoned }) {
            post.answered = true  // the peer already failed it
            post.cancel()
        }
    }

    /// Runs the transfer that answers `exchange` (its POST, or a GET resuming its stream), with our timeouts.
    func execute(_ request: HTTPClientRequest, for exchange: PostExchange) {
        var request = request
        request.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        request.firstByteTimeoutMilliseconds = firstByteTimeoutMilliseconds
        // Strong captures on purpose: the transport must outlive its owner until its transfers end (stop cancels them).
        exchange.task = client.execute(
            request, onHead: { head in self.postHead(exchange, head) },
            onBody: { bytes in self.postBody(exchange, bytes) },
            onComplete: { result in self.postComplete(exchange, result) })
    }

    /// The headers every request carries: configured ones, then the protocol's own.
    func headers(accept: String) -> [(String, String)] {
        var list = configuredHeaders
        list.append(("Accept", accept))
        if let sessionID { list.append(("Mcp-Session-Id", sessionID)) }
        if let protocolVersion { list.append(("MCP-Protocol-Version", protocolVersion)) }
        return list
    }

    // MARK: POST responses

    private func postHead(_ exchange: PostExchange, _ head: HTTPClientResponseHead) {
        exchange.status = head.status
        if sessionID == nil, let id = head.header("Mcp-Session-Id"), !id.isEmpty { sessionID = id }
        let type = head.header("Content-Type")?.lowercased() ?? ""
        if head.status >= 300 {
            exchange.mode = .failed
        } else if type.hasPrefix("text/event-stream") {
            exchange.mode = .events
        } else if type.hasPrefix("application/json") {
            exchange.mode = .json
        } else {
            exchange.mode = .other(type)
        }
    }

    private func postBody(_ exchange: PostExchange, _ bytes: [UInt8]) {
        switch exchange.mode {
        case .events:
            for event in exchange.parser.feed(bytes) {
                guard state == .running else { return }
                // A message is progress (a priming event, empty, is not): a later resumption need not wait long.
                if !event.data.isEmpty { exchange.resumeDelay = 0 }
                deliver(event, from: exchange)
            }
        case .failed:
            if exchange.body.count < 200 { exchange.body.append(contentsOf: bytes.prefix(200 - exchange.body.count)) }
        case .json, .other:
            guard exchange.body.count + bytes.count <= maxMessageBytes else {
                fail(exchange, "the response from \(displayURL) is larger than \(maxMessageBytes) bytes")
                exchange.task?.cancel()
                return
            }
            exchange.body.append(contentsOf: bytes)
        }
    }

    private func postComplete(_ exchange: PostExchange, _ result: Result<Void, HTTPClientError>) {
        exchanges[exchange.key] = nil
        guard state == .running else { return }
        if case .failure(let error) = result {
            if case .events = exchange.mode, resume(exchange) { return }
            // Our own cancels come with the request answered (or the transport no longer running), so a
            // `.cancelled` that reaches `fail` means the shared client was closed under us.
            onConnectionFailed?()
            return fail(exchange, "HTTP request failed: \(error)")  // the error names the method and URL
        }
        let status = exchange.status
        switch exchange.mode {
        case .failed:
            if status == 404, exchange.sentSession {
                return end("session expired (HTTP 404)")
            }
            fail(exchange, "HTTP \(status) from \(displayURL): \(Self.preview(exchange.body))")
        case .json:
            if !exchange.body.isEmpty { deliver(payload: exchange.body[...], from: exchange) }
        case .events:
            if exchange.parser.droppedEvents > 0 {
                fail(exchange, "an event from \(displayURL) was larger than \(maxMessageBytes) bytes")
            } else if resume(exchange) {
                return
            }
        case .other(let type):
            if !exchange.body.isEmpty {
                fail(
                    exchange,
                    "HTTP \(status) from \(displayURL) with unexpected Content-Type \"\(type)\": \(Self.preview(exchange.body))"
                )
            }
        }
        if exchange.requestID != nil, !exchange.answered {
            fail(exchange, "HTTP \(status) from \(displayURL) carried no response to the request")
        }
    }

    func deliver(_ event: SSEEvent, from exchange: PostExchange?) {
        // Events of other types are not MCP's; an empty `data` is a resumption marker (spec: "priming" event).
        guard event.type == nil || event.type == "message", !event.data.isEmpty else { return }
        deliver(payload: event.data[...], from: exchange)
    }

    /// Decodes one message (or a batch) and hands it on; a POST's request is answered once its response passes.
    func deliver(payload: ArraySlice<UInt8>, from exchange: PostExchange?) {
        let value: JSON
        do {
            value = try JSON.parse(payload, limits: JSONLimits(maxDepth: 128, maxBytes: maxMessageBytes))
        } catch {
            onDiagnostic?("invalid JSON from \(displayURL): \(error) in \"\(Self.preview(Array(payload)))\"")
            return
        }
        for item in value.arrayValue ?? [value] {
            guard state == .running else { return }
            do {
                let message = try JSONRPCMessage(json: item)
                if let exchange, let id = exchange.requestID, message.answers(id) { exchange.answered = true }
                onMessage?(message)
            } catch {
                onDiagnostic?("invalid JSON-RPC message from \(displayURL): \(error.error.message)")
            }
        }
    }

    /// Completes the exchange's request with a -32000 error (or reports the failure when it was no request).
    private func fail(_ exchange: PostExchange, _ message: String) {
        guard !exchange.answered else { return }
        exchange.answered = true
        guard let id = exchange.requestID else {
            onDiagnostic?(message)
            return
        }
        logger.debug("request failed over HTTP", metadata: ["id": "\(id)", "detail": "\(message)"])
        onMessage?(.error(id: id, error: JSONRPCError(code: JSONRPCError.requestFailedCode, message: message)))
    }
}
