import Loop

/// Drives one accepted connection: feeds bytes to the parser, performs `HTTPConnectionStateMachine`'s actions on
/// the socket and the connection's one timer, and hands complete requests to the handler one at a time.
///
/// Owned by the server's registry from accept until both handles have closed; every entry point runs on the loop.
final class HTTPConnection {
    typealias Action = HTTPConnectionStateMachine.Action

    /// Above this many queued output bytes we stop parsing new requests (so a client that does not read cannot
    /// make us buffer without bound); below `writeLowWater` we read again and tell a waiting stream it may write.
    static let writeHighWater = 1 << 20
    static let writeLowWater = 256 << 10
    /// Pipelined input buffered behind a response beyond this pauses reading.
    static let inputHighWater = 64 << 10

    private let tcp: TCPConnection
    private let timer: Timer
    private let server: HTTPServer
    private let parser = HTTPRequestParser()
    private var machine: HTTPConnectionStateMachine
    /// Input not yet parsed: bytes that arrived while a request was in flight, or after one in the same read.
    private var pending: [UInt8] = []
    private var pendingStart = 0
    private var requestReady = false
    private var writer: HTTPResponseWriter?
    /// Set inside `runPipeline`, which calls the handler: the pipeline must not be re-entered from a response
    /// that ends synchronously.
    private var processing = false
    private var readingPaused = false
    private var openHandles = 2
    /// The client's address, read once when the connection starts.
    private var remoteAddress: String?
    /// This turn's output, written at the turn's end (`send`).
    private var output: [UInt8] = []
    private var flushScheduled = false

    // Made once, so arming the timer or writing allocates no closure.
    private lazy var timerFired: () -> Void = { [unowned self] in self.handle(.timeout) }
    private lazy var writeCompleted: (UVError?) -> Void = { [unowned self] in self.didWrite($0) }

    init(tcp: TCPConnection, server: HTTPServer) throws(UVError) {
        self.tcp = tcp
        self.server = server
        timer = try Timer(loop: tcp.loop)
        machine = HTTPConnectionStateMachine(limits: server.limits)
    }

    var loop: EventLoop { tcp.loop }
    var pendingWriteBytes: Int { tcp.pendingWriteBytes + output.count }

    func start() {
        remoteAddress = tcp.peerAddress
        parser.onEvent = { [unowned self] in self.parserEvent($0) }
        tcp.setNoDelay(true)  // responses and SSE events should leave at once
        perform(machine.start())
        do {
            try tcp.startReading(
                onRead: { [unowned self] in self.didRead($0) },
                onEnd: { [unowned self] in self.didEnd($0) })
        } catch {
            server.report("HTTP connection: \(error)")
            handle(.connectionFailed)
        }
    }

    /// The server is closing: close at once; a response in progress sees `onCancel`.
    func serverClosing(graceful: Bool) { handle(graceful ? .serverDraining : .serverClosing) }

    // MARK: Events

    private func handle(_ event: HTTPConnectionStateMachine.Event) {
        perform(machine.event(event))
    }

    private func parserEvent(_ event: HTTPConnectionStateMachine.Event) -> Bool {
        let action = machine.event(event)
        perform(action)
        return machine.isParsing || action == .dispatch  // after .dispatch the parser pauses by itself
    }

    private func didRead(_ bytes: ArraySlice<UInt8>) {
        switch machine.state {
        case .draining, .flushing, .closed:
            return  // discarded: we only wait for EOF
        case .idle, .readingHead, .readingBody, .responding:
            guard machine.isParsing && pendingStart == pending.count else {
                pending.append(contentsOf: bytes)  // behind a response, or behind earlier input not yet parsed
                break
            }
            // Parse straight from the read buffer; keep only what follows a completed request.
            let outcome = bytes.withUnsafeBytes { parser.feed($0) }
            if case .requestComplete(let consumed) = outcome, consumed < bytes.count {
                pending.append(contentsOf: bytes.dropFirst(consumed))
            }
            handleOutcome(outcome)
        }
        runPipeline()
        updateReading()
    }

    private func didEnd(_ error: UVError?) {
        guard let error else { return handle(.peerClosed) }  // nil means EOF
        if !error.isDisconnect { server.report("HTTP connection read: \(error)") }
        handle(.connectionFailed)
    }

    private func didWrite(_ error: UVError?) {
        if let error {
            guard !tcp.closed else { return }  // our own close cancels queued writes
            if !error.isDisconnect { server.report("HTTP connection write: \(error)") }
            handle(.connectionFailed)
            return
        }
        guard pendingWriteBytes <= Self.writeLowWater else { return }
        if readingPaused { updateReading() }
        writer?.writable()
    }

    private func handleOutcome(_ outcome: HTTPRequestParser.Outcome) {
        switch outcome {
        case .needMore, .requestComplete:
            break
        case .stopped:
            // The machine stopped the parser and has acted; anything else (an upgrade) ends the connection.
            if machine.isParsing { handle(.parseFailed(.malformed("unsupported protocol upgrade"))) }
        case .failed(let failure):
            handle(.parseFailed(failure))
        }
    }

    /// Dispatches a completed request, then parses buffered input, until a request is in flight, input runs out
    /// or the connection is done.
    private func runPipeline() {
        guard !processing else { return }
        processing = true
        defer { processing = false }
        while true {
            if requestReady {
                requestReady = false
                var request = parser.takeRequest()
                request.remoteAddress = remoteAddress
                dispatch(request)
            } else if machine.isParsing && pendingStart < pending.count {
                // A local copy (no bytes are copied) because the parser's events may drop `pending` meanwhile.
                let input = pending, start = pendingStart
                let outcome = input.withUnsafeBytes { parser.feed(UnsafeRawBufferPointer(rebasing: $0[start...])) }
                if case .requestComplete(let consumed) = outcome, start + consumed < input.count {
                    pendingStart = start + consumed
                } else {
                    dropPending()
                }
                handleOutcome(outcome)
            } else {
                return
            }
        }
    }

    private func dispatch(_ request: HTTPRequest) {
        guard case .responding(let keepAlive) = machine.state else { return }
        let writer = HTTPResponseWriter(
            connection: self, server: server, isHead: request.method == "HEAD",
            isHTTP10: parser.isHTTP10, keepAlive: keepAlive)
        self.writer = writer
        server.handler(request, writer)
    }

    // MARK: From the writer

    /// Queues `bytes` behind what was sent before; everything sent in one loop turn leaves in one write.
    ///
    /// Why: a response is produced in pieces (head, body, chunk terminator; a stream's first events), and each
    /// write to a socket wakes the reader. On this kind of machine a wake-up costs more than the bytes (tens of
    /// microseconds on a VM), and a client woken for a bare head reads it, sleeps and is woken again for the body.
    /// Joining a turn's output costs one copy of small pieces; a lone response is moved, not copied.
    func send(_ bytes: [UInt8]) {
        guard !tcp.closed, !bytes.isEmpty else { return }
        if output.isEmpty { output = bytes } else { output.append(contentsOf: bytes) }
        guard !flushScheduled else { return }
        flushScheduled = true
        // Strong: the flush may run after the connection closed and left the server's registry.
        loop.execute { [self] in
            flushScheduled = false
            flushOutput()
        }
    }

    /// Writes this turn's output now (before a shutdown or close, which must not overtake it).
    private func flushOutput() {
        guard !output.isEmpty else { return }
        let bytes = output
        output = []
        guard !tcp.closed else { return }
        tcp.write(bytes, completion: writeCompleted)
    }

    func responseEnded(_ writer: HTTPResponseWriter, keepAlive: Bool) {
        guard self.writer === writer else { return }
        self.writer = nil
        handle(.responseEnded(keepAlive: keepAlive))
    }

    // MARK: Actions

    private func perform(_ action: Action) {
        switch action {
        case .none:
            break
        case .armTimer(let milliseconds):
            timer.start(after: milliseconds, timerFired)
        case .sendContinue(let milliseconds):
            send(ResponseEncoding.continueResponse)
            timer.start(after: milliseconds, timerFired)
        case .dispatch:
            timer.stop()
            requestReady = true
        case .reject(let error, let milliseconds):
            send(error.responseBytes)
            drain(milliseconds)
        case .drain(let milliseconds):
            drain(milliseconds)
        case .resume(let milliseconds):
            timer.start(after: milliseconds, timerFired)
            updateReading()
            if !processing && pendingStart < pending.count {
                // Pipelined input waits: the response ended outside the pipeline (a timer, another request's
                // callback), and the next handler must not run inside that caller's `end()`.
                loop.execute { [self] in self.runPipeline() }
            }
        case .close:
            close()
        }
    }

    /// Sends FIN once queued writes have left, then reads and discards until EOF or the timer.
    private func drain(_ milliseconds: UInt64) {
        flushOutput()
        dropPending()
        requestReady = false
        timer.start(after: milliseconds, timerFired)
        updateReading()
        tcp.shutdown { [unowned self] _ in self.handle(.flushed) }
    }

    private func close() {
        flushOutput()
        dropPending()
        requestReady = false
        timer.close { [self] in self.handleClosed() }
        tcp.close { [self] in self.handleClosed() }
        if let writer {
            self.writer = nil
            writer.connectionClosed()
        }
    }

    private func handleClosed() {
        openHandles -= 1
        if openHandles == 0 { server.connectionClosed(self) }
    }

    private func dropPending() {
        if pending.capacity > Self.inputHighWater { pending = [] } else { pending.removeAll(keepingCapacity: true) }
        pendingStart = 0
    }

    /// Pauses reading while too much output is queued or too much pipelined input is buffered; resumes otherwise.
    /// A draining connection always reads, to see the peer's EOF.
    private func updateReading() {
        guard !tcp.closed else { return }
        let pause: Bool
        switch machine.state {
        case .draining, .flushing, .closed:
            pause = false
        case .responding:
            // Only input is bounded here: reading on while a stream's output backs up is how we notice the
            // client leave (the stream itself watches `pendingWriteBytes`).
            pause = pending.count - pendingStart > Self.inputHighWater
        case .idle, .readingHead, .readingBody:
            // A client that sends requests without reading the answers gets no more answers until it reads.
            pause = pendingWriteBytes > (readingPaused ? Self.writeLowWater : Self.writeHighWater)
        }
        if pause && !readingPaused {
            readingPaused = true
            tcp.pauseReading()
        } else if !pause && readingPaused {
            readingPaused = false
            tcp.resumeReading()
        }
    }
}
