/// What the parser learned from a request head that decides how the connection proceeds.
struct RequestHead: Equatable {
    /// The connection may carry another request after this one (HTTP/1.1 without `Connection: close`, or
    /// HTTP/1.0 with `Connection: keep-alive`; never after a protocol upgrade request).
    var keepAlive: Bool
    /// The declared `Content-Length`, or nil when absent.
    var contentLength: UInt64?
    /// The body uses `Transfer-Encoding: chunked`.
    var chunked: Bool
    /// `Expect: 100-continue` on HTTP/1.1: the client waits for `100 Continue` before sending the body.
    var expectsContinue: Bool
    /// A `Transfer-Encoding` other than plain `chunked`.
    var unsupportedTransferEncoding: Bool

    init(
        keepAlive: Bool = true, contentLength: UInt64? = nil, chunked: Bool = false, expectsContinue: Bool = false,
        unsupportedTransferEncoding: Bool = false
    ) {
        self.keepAlive = keepAlive
        self.contentLength = contentLength
        self.chunked = chunked
        self.expectsContinue = expectsContinue
        self.unsupportedTransferEncoding = unsupportedTransferEncoding
    }

    var hasBody: Bool { chunked || (contentLength ?? 0) > 0 }
}

/// Why the parser gave up on the bytes.
enum ParseFailure: Equatable {
    case malformed(String)
    case headTooLarge
    case unsupportedTransferEncoding
}

/// The life of one HTTP/1.x server connection as a value (DESIGN.md §4, after async-http-client's
/// `HTTP1ConnectionStateMachine`): `event(_:)` takes what happened and returns what the driver must do, so every
/// rule here — limits, timeouts, keep-alive, one request in flight — is tested without sockets.
///
/// One request is in flight at a time: the driver stops parsing at `.dispatch` and resumes at `.resume`, so
/// pipelined requests are answered strictly in order and a long streamed response holds the ones behind it.
/// One timer serves the connection; each `armTimer` replaces the previous deadline.
struct HTTPConnectionStateMachine {
    enum State: Equatable {
        /// Waiting for the first byte of a request; `firstRequest` when nothing was read on this connection yet.
        case idle(firstRequest: Bool)
        /// Inside a request head; `bytes` counted so far against `maxHeaderBytes`.
        case readingHead(bytes: Int)
        /// Head accepted; reading the body, `bytes` counted so far against `maxBodyBytes`.
        case readingBody(bytes: Int, keepAlive: Bool)
        /// The handler has the request and has not ended its response.
        case responding(keepAlive: Bool)
        /// The last response is written; the write side shuts down once it has flushed (`flushed`), and input is
        /// read and discarded until the peer closes or the timer fires. Closing with unread input would make the
        /// kernel send RST, which can destroy the response before the client reads it.
        case draining(flushed: Bool)
        /// The peer sent EOF while our last response was still leaving: close once it has flushed, not before,
        /// since closing cancels queued writes (a client that half-closes after its request still gets it all).
        case flushing
        case closed
    }

    enum Event: Equatable {
        case messageBegin
        case headerBytes(Int)
        case headersComplete(RequestHead)
        case body(Int)
        case messageComplete
        case parseFailed(ParseFailure)
        case timeout
        /// The peer sent EOF.
        case peerClosed
        /// A read or write failed (reset, broken pipe): nothing more can be delivered.
        case connectionFailed
        /// The handler ended its response; `keepAlive` is false when the response asked to close.
        case responseEnded(keepAlive: Bool)
        /// The write side's shutdown completed: everything written has left.
        case flushed
        case serverClosing
        /// The server is closing but lets a response in progress finish first.
        case serverDraining
    }

    enum Action: Equatable {
        case none
        /// (Re)start the connection's timer.
        case armTimer(milliseconds: UInt64)
        /// Write `100 Continue`, then (re)start the timer.
        case sendContinue(armTimerMilliseconds: UInt64)
        /// Stop the timer and hand the complete request to the handler.
        case dispatch
        /// Write the error response, shut down after it flushes, (re)start the timer for the flush.
        case reject(HTTPRequestError, armTimerMilliseconds: UInt64)
        /// The response ended and the connection closes: shut down after it flushes, (re)start the timer.
        case drain(armTimerMilliseconds: UInt64)
        /// The response ended and the connection stays open: parse buffered input, (re)start the idle timer.
        case resume(armTimerMilliseconds: UInt64)
        /// Close both handles now; `cancelResponse` when a handler still holds a response.
        case close(cancelResponse: Bool)
    }

    /// How long a drained connection waits for the peer's EOF after our FIN before it closes anyway.
    static let lingerMilliseconds: UInt64 = 2_000

    let limits: HTTPServerLimits
    private(set) var state: State = .idle(firstRequest: true)

    init(limits: HTTPServerLimits) {
        self.limits = limits
    }

    /// The first action on a new connection: the first request's head must arrive within the header timeout.
    func start() -> Action {
        .armTimer(milliseconds: limits.headerTimeoutMilliseconds)
    }

    /// True while bytes go to the parser (rather than being buffered behind a response, or discarded).
    var isParsing: Bool {
        switch state {
        case .idle, .readingHead, .readingBody: true
        case .responding, .draining, .flushing, .closed: false
        }
    }

    mutating func event(_ event: Event) -> Action {
        switch event {
        case .messageBegin:
            guard case .idle(let first) = state else { return .none }
            state = .readingHead(bytes: 0)
            // The first request's header clock started at accept; a later one's starts with its first byte.
            return first ? .none : .armTimer(milliseconds: limits.headerTimeoutMilliseconds)
        case .headerBytes(let count):
            switch state {
            case .readingHead(let bytes):
                guard bytes + count <= limits.maxHeaderBytes else {
                    return reject(.headTooLarge(limit: limits.maxHeaderBytes))
                }
                state = .readingHead(bytes: bytes + count)
                return .none
            case .readingBody:
                // Chunked trailers: counted with the body so they cannot grow without bound.
                return self.event(.body(count))
            default:
                return .none
            }
        case .headersComplete(let head):
            guard case .readingHead = state else { return .none }
            return headersComplete(head)
        case .body(let count):
            guard case .readingBody(let bytes, let keepAlive) = state else { return .none }
            guard bytes + count <= limits.maxBodyBytes else {
                return reject(.bodyTooLarge(limit: limits.maxBodyBytes, hint: limits.bodyLimitHint))
            }
            state = .readingBody(bytes: bytes + count, keepAlive: keepAlive)
            return .none
        case .messageComplete:
            guard case .readingBody(_, let keepAlive) = state else { return .none }
            state = .responding(keepAlive: keepAlive)
            return .dispatch
        case .parseFailed(let failure):
            guard isParsing else { return .none }
            switch failure {
            case .malformed(let detail): return reject(.malformed(detail))
            case .headTooLarge: return reject(.headTooLarge(limit: limits.maxHeaderBytes))
            case .unsupportedTransferEncoding: return reject(.unsupportedTransferEncoding)
            }
        case .timeout:
            return timeout()
        case .peerClosed:
            switch state {
            case .draining(flushed: false):
                state = .flushing
                return .none
            case .flushing:
                return .none
            default:
                return closeNow()
            }
        case .serverDraining:
            // Graceful: a response being written finishes (then the connection closes); anything else closes now.
            if case .responding = state {
                state = .responding(keepAlive: false)
                return .none
            }
            return closeNow()
        case .connectionFailed, .serverClosing:
            return closeNow()
        case .responseEnded(let responseKeepAlive):
            guard case .responding(let keepAlive) = state else { return .none }
            if keepAlive && responseKeepAlive {
                state = .idle(firstRequest: false)
                return .resume(armTimerMilliseconds: limits.idleTimeoutMilliseconds)
            }
            state = .draining(flushed: false)
            return .drain(armTimerMilliseconds: limits.idleTimeoutMilliseconds)
        case .flushed:
            switch state {
            case .draining(flushed: false):
                state = .draining(flushed: true)
                return .armTimer(milliseconds: Self.lingerMilliseconds)
            case .flushing:
                return closeNow()
            default:
                return .none
            }
        }
    }

    /// Closes from any state; a handler still holding a response must be told.
    private mutating func closeNow() -> Action {
        if case .closed = state { return .none }
        let responding = if case .responding = state { true } else { false }
        state = .closed
        return .close(cancelResponse: responding)
    }

    private mutating func headersComplete(_ head: RequestHead) -> Action {
        if head.unsupportedTransferEncoding { return reject(.unsupportedTransferEncoding) }
        if let length = head.contentLength, length > UInt64(limits.maxBodyBytes) {
            return reject(.bodyTooLarge(limit: limits.maxBodyBytes, hint: limits.bodyLimitHint))
        }
        state = .readingBody(bytes: 0, keepAlive: head.keepAlive)
        guard head.hasBody else { return .none }  // message completion follows at once
        if head.expectsContinue { return .sendContinue(armTimerMilliseconds: limits.bodyTimeoutMilliseconds) }
        return .armTimer(milliseconds: limits.bodyTimeoutMilliseconds)
    }

    private mutating func timeout() -> Action {
        switch state {
        case .idle, .draining, .flushing:
            // Nothing of a request was read (or the answer is already out): there is no one to tell.
            return closeNow()
        case .readingHead:
            return reject(.headTimeout(milliseconds: limits.headerTimeoutMilliseconds))
        case .readingBody:
            return reject(.bodyTimeout(milliseconds: limits.bodyTimeoutMilliseconds))
        case .responding, .closed:
            return .none  // a stale expiry: the timer is stopped while the handler works
        }
    }

    private mutating func reject(_ error: HTTPRequestError) -> Action {
        state = .draining(flushed: false)
        return .reject(error, armTimerMilliseconds: limits.idleTimeoutMilliseconds)
    }
}
