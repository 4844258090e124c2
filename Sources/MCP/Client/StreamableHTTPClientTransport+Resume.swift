import HTTPClient
import Loop

/// Resuming a POST's event stream (spec 2025-11-25, "Resumability and Redelivery"): when the stream that should
/// carry a request's response ends first — the connection broke, or the server closed it on purpose after a
/// priming event to be polled instead — and the server numbered its events, a GET with `Last-Event-ID` asks for
/// what followed. The server's `retry:` sets the wait; a resumed stream that brings nothing new doubles it (to
/// `maxResumeDelayMilliseconds`), one that brings events starts over. Resuming goes on until the response arrives,
/// the GET is refused (the request then fails with that status) or the caller gives up (its timeout cancels it).
extension StreamableHTTPClientTransport {
    /// The longest wait between resumptions of one request's stream.
    static let maxResumeDelayMilliseconds: UInt64 = 5_000

    /// Starts resuming `exchange`'s stream, or returns false when it cannot be resumed (no event id, no request
    /// waiting, the transport stopping).
    func resume(_ exchange: PostExchange) -> Bool {
        guard state == .running, let requestID = exchange.requestID, !exchange.answered,
            let lastEventID = exchange.parser.lastEventID
        else { return false }
        let asked = UInt64(max(exchange.parser.retryMilliseconds ?? 0, 0))
        let delay = min(max(asked, exchange.resumeDelay), Self.maxResumeDelayMilliseconds)
        // The next wait, should this attempt bring nothing new; an event delivered resets it (see `postBody`).
        exchange.resumeDelay = min(max(delay * 2, 100), Self.maxResumeDelayMilliseconds)
        logger.debug(
            "resuming a response stream",
            metadata: ["id": "\(requestID)", "last_event_id": "\(lastEventID)", "delay_ms": "\(delay)"])
        exchanges[exchange.key] = exchange
        guard delay > 0 else {
            startResumption(exchange, lastEventID: lastEventID)
            return true
        }
        do {
            exchange.resumeTimer = try Timer.once(on: loop, after: delay) { [self] in
                exchange.resumeTimer = nil
                guard state == .running, exchanges[exchange.key] === exchange else { return }
                startResumption(exchange, lastEventID: lastEventID)
            }
        } catch {
            startResumption(exchange, lastEventID: lastEventID)  // no timer to wait with: resume at once
        }
        return true
    }

    private func startResumption(_ exchange: PostExchange, lastEventID: String) {
        exchange.mode = .other("")
        exchange.status = 0
        exchange.body = []
        var request = HTTPClientRequest(method: "GET", url: url, headers: headers(accept: "text/event-stream"))
        request.headers.append(("Last-Event-ID", lastEventID))
        execute(request, for: exchange)
    }
}
