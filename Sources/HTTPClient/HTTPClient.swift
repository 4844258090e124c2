import CCurl
import Loop

/// Outbound HTTP on the event loop through one libcurl multi handle (curl `docs/examples/multi-uv.c`): streamed
/// bodies, connection reuse through the multi's connection cache, HTTP/2 when a TLS server offers it, timeouts.
///
/// Loop-confined: create it, call it and close it on the loop's thread. Every user callback runs on the loop after
/// the curl call that produced it has returned — never inside a curl callback — so callbacks may cancel transfers,
/// start new ones or close the client. `close()` must be called before the client is dropped.
public final class HTTPClient {
    /// The loop the client runs on.
    public let loop: EventLoop
    /// libcurl's entry points (loaded by the first client, globally initialised once).
    let curl: CurlLibrary
    /// The multi handle; `nil` once closed.
    var multi: UnsafeMutableRawPointer?
    /// `CURLMOPT_TIMERFUNCTION`'s one timer.
    let timer: Timer
    /// Transfers in the multi handle by id; the id is what `CURLOPT_PRIVATE` holds.
    var transfers: [Int: Transfer] = [:]
    /// The last libuv failure inside a curl callback (e.g. a poll handle that could not be created); curl fails the
    /// affected transfer, and this keeps the underlying cause readable for diagnostics.
    public internal(set) var lastInternalError: String?
    /// Transfers that got head or body bytes during the current curl call, delivered once it returns.
    var dirty: [Transfer] = []
    /// One poll per socket curl asked us to watch, by file descriptor (see `HTTPClient+Curl.swift`).
    var polls: [curl_socket_t: Poll] = [:]
    /// Sockets curl opened through `openSocket` and will close through `closeSocket`.
    var connectionSockets: Set<curl_socket_t> = []
    /// True during `curl_multi_socket_action`: user code must never run (or call us) then.
    var insideCurl = false
    private var nextID = 1
    /// Handles created and not yet closed by libuv (the timers and polls).
    var openHandles = 0
    /// First-byte deadlines by transfer id (loop milliseconds, and the limit for the message), all watched by
    /// `deadlineTimer`: one shared timer instead of a libuv handle per request (see HTTPClient+Deadlines.swift).
    var firstByteDeadlines: [Int: (at: UInt64, limit: Int)] = [:]
    var deadlineTimer: Timer?
    /// Reset easy handles of finished transfers, for the next ones (see `takeEasyHandle`).
    private var idleEasyHandles: [UnsafeMutableRawPointer] = []
    private static let maxIdleEasyHandles = 64
    /// When `deadlineTimer` fires next (loop milliseconds), if armed.
    var deadlineTimerDue: UInt64?
    private var state = State.open

    private enum State {
        case open
        case closing([() -> Void])
        case closed
    }

    /// The timer's callback, made once instead of a closure per `CURLMOPT_TIMERFUNCTION` call.
    lazy var timerFired: () -> Void = { [unowned self] in self.socketAction(CURL_SOCKET_TIMEOUT, 0) }

    /// Creates a client on `loop` (call on the loop's thread).
    public init(loop: EventLoop) throws {
        loop.assertInLoop()
        let curl = try CurlLibrary.shared.get()
        let timer = try Timer(loop: loop)
        guard let multi = curl.multi_init() else {
            timer.close()
            throw HTTPClientError.other(code: Int(CURLM_OUT_OF_MEMORY.rawValue), message: "curl_multi_init failed")
        }
        self.loop = loop
        self.curl = curl
        self.timer = timer
        self.multi = multi
        openHandles = 1
        // Unretained is safe: deinit requires close(), which runs curl_multi_cleanup, after which curl never calls.
        let me = Unmanaged.passUnretained(self).toOpaque()
        let codes = [
            sy_curl_multi_setopt_ptr(curl.api, multi, CURLMOPT_SOCKETDATA, me),
            sy_curl_multi_setopt_socketfn(curl.api, multi) { _, socket, what, me, _ in
                HTTPClient.from(me).curlSocket(socket, what)
            },
            sy_curl_multi_setopt_ptr(curl.api, multi, CURLMOPT_TIMERDATA, me),
            sy_curl_multi_setopt_timerfn(curl.api, multi) { _, milliseconds, me in
                HTTPClient.from(me).curlTimer(milliseconds)
            },
        ]
        precondition(codes.allSatisfy { $0 == CURLM_OK }, "curl_multi_setopt rejected a callback option: \(codes)")
    }

    deinit {
        precondition(multi == nil, "HTTPClient dropped without close()")
    }

    static func from(_ pointer: UnsafeMutableRawPointer?) -> HTTPClient {
        Unmanaged<HTTPClient>.fromOpaque(pointer!).takeUnretainedValue()
    }

    /// Starts a transfer.
    ///
    /// - `onHead` runs once, when the final response head is complete (or with the first body bytes, or at the end).
    /// - `onBody` runs for each batch of body bytes as they arrive; nothing is buffered beyond one socket read.
    /// - `onComplete` runs exactly once and last: success after the whole body, or the error. When the request
    ///   cannot even start (client closed, curl refused an option) it runs on a later loop turn, never inside this call.
    @discardableResult
    public func execute(
        _ request: HTTPClientRequest,
        onHead: @escaping (HTTPClientResponseHead) -> Void,
        onBody: @escaping ([UInt8]) -> Void,
        onComplete: @escaping (Result<Void, HTTPClientError>) -> Void
    ) -> HTTPClientTask {
        loop.assertInLoop()
        precondition(!insideCurl, "HTTPClient.execute called from inside a curl callback")
        let id = nextID
        nextID += 1
        let task = HTTPClientTask(client: self, id: id)
        let failLater = { (error: HTTPClientError) in self.loop.execute { onComplete(.failure(error)) } }
        guard case .open = state, let multi else { failLater(.cancelled); return task }
        guard
            let transfer = Transfer(
                id: id, request: request, client: self, onHead: onHead, onBody: onBody, onComplete: onComplete)
        else {
            failLater(
                .other(
                    code: Int(CURLE_OUT_OF_MEMORY.rawValue), message: "curl_easy_init failed (\(redactedURL(request.url)))"))
            return task
        }
        var failure = transfer.configure()
        if failure == nil {
            let code = curl.multi_add_handle(multi, transfer.easy)
            if code != CURLM_OK {
                failure = HTTPClientError(multiCode: code, operation: "curl_multi_add_handle", url: request.url)
            }
        }
        if let failure {
            transfer.releaseCurl()
            _ = transfer.takeCompletion()
            failLater(failure)
            return task
        }
        transfers[id] = transfer
        if let milliseconds = request.firstByteTimeoutMilliseconds { watchFirstByte(id, within: milliseconds) }
        return task
    }

    func firstByteTimedOut(_ id: Int, after milliseconds: Int) {
        guard let transfer = transfers[id] else { return }
        let request = transfer.request
        finish(
            transfer,
            .failure(
                .timedOut(
                    "no response headers within \(milliseconds) ms (\(request.method) \(redactedURL(request.url)))")))
    }

    /// `HTTPClientTask.cancel()`.
    func cancel(_ id: Int) {
        loop.assertInLoop()
        precondition(!insideCurl, "HTTPClientTask.cancel called from inside a curl callback")
        guard let transfer = transfers[id] else { return }
        finish(transfer, .failure(.cancelled))
    }

    /// Takes `transfer` out of curl, frees its handle, delivers what is left and calls `onComplete`. Runs outside
    /// curl calls only (`curl_multi_remove_handle` must not be called from a curl callback).
    func finish(_ transfer: Transfer, _ result: Result<Void, HTTPClientError>) {
        guard transfers.removeValue(forKey: transfer.id) != nil else { return }
        if case .success = result { transfer.fillHeadFromCurlIfMissing() }
        if let multi {
            let code = curl.multi_remove_handle(multi, transfer.easy)
            precondition(code == CURLM_OK, "curl_multi_remove_handle: \(curl.describe(code))")
        }
        transfer.releaseCurl()
        firstByteDeadlines[transfer.id] = nil
        // A cancelled transfer drops bytes not yet delivered: the caller asked to hear no more.
        if case .failure(.cancelled) = result {} else { deliver(transfer) }
        transfer.takeCompletion()?(result)
    }

    /// Delivers the head (once) and the body bytes collected so far to the user's callbacks.
    func deliver(_ transfer: Transfer) {
        transfer.isDirty = false
        if let head = transfer.takeHead() {
            firstByteDeadlines[transfer.id] = nil
            transfer.onHead?(head)
        }
        if let body = transfer.takeBody() { transfer.onBody?(body) }
    }

    /// Cancels every transfer (each completes with `.cancelled`), closes every connection and libuv handle, and
    /// runs `completion` once libuv has closed them all. Later `execute` calls complete with `.cancelled`.
    public func close(_ completion: (() -> Void)? = nil) {
        loop.assertInLoop()
        precondition(!insideCurl, "HTTPClient.close called from inside a curl callback")
        switch state {
        case .closed:
            completion?()
            return
        case .closing(let completions):
            state = .closing(completions + (completion.map { [$0] } ?? []))
            return
        case .open:
            state = .closing(completion.map { [$0] } ?? [])
        }
        for transfer in transfers.values.sorted(by: { $0.id < $1.id }) { finish(transfer, .failure(.cancelled)) }
        dirty = []
        for easy in idleEasyHandles { curl.easy_cleanup(easy) }
        idleEasyHandles = []
        if let multi {
            // Closes the cached connections: curl calls `closeSocket` for each, which closes its poll first.
            self.multi = nil
            let code = curl.multi_cleanup(multi)
            precondition(code == CURLM_OK, "curl_multi_cleanup: \(curl.describe(code))")
        }
        closeHandle(timer)
        if let deadlineTimer {
            self.deadlineTimer = nil
            closeHandle(deadlineTimer)
        }
        for poll in polls.values { closeHandle(poll) }
        polls = [:]
        connectionSockets = []
    }

    /// An easy handle for a new transfer: a reset one from a finished transfer, else a new one. `curl_easy_init`
    /// allocates and zeroes a large structure per call; `curl_easy_reset` puts every option back to its default
    /// and keeps only caches that belong to the client anyway ("does not change live connections, the Session ID
    /// cache, the DNS cache" — curl_easy_reset(3)).
    func takeEasyHandle() -> UnsafeMutableRawPointer? {
        idleEasyHandles.popLast() ?? curl.easy_init()
    }

    /// Takes back the easy handle of a transfer that left the multi handle.
    func recycle(_ easy: UnsafeMutableRawPointer) {
        guard case .open = state, idleEasyHandles.count < Self.maxIdleEasyHandles else { return curl.easy_cleanup(easy) }
        curl.easy_reset(easy)
        idleEasyHandles.append(easy)
    }

    /// Closes a handle this client created and counts it down; the last one completes `close()`.
    func closeHandle(_ handle: LoopHandle) {
        // Captures self strongly on purpose: a caller may drop the client right after close() and still expects
        // the completion.
        handle.close { self.handleClosed() }
    }

    private func handleClosed() {
        openHandles -= 1
        guard openHandles == 0, case .closing(let completions) = state else { return }
        state = .closed
        completions.forEach { $0() }
    }
}

/// A handle on one transfer started by `HTTPClient.execute`. Loop-confined.
public final class HTTPClientTask {
    private weak var client: HTTPClient?
    private let id: Int

    init(client: HTTPClient, id: Int) {
        self.client = client
        self.id = id
    }

    /// Aborts the transfer and closes its connection if it was mid-response: `onComplete(.failure(.cancelled))`
    /// runs once, before this returns, unless the transfer had already completed (then this does nothing).
    public func cancel() {
        client?.cancel(id)
    }
}
