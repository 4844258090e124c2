import CLibUV

#if canImport(Glibc)
    import Glibc
#endif

/// The libuv event loop that owns all of Switchyard's I/O.
///
/// Concurrency model (DESIGN.md §3): **loop-confined types**. Every handle wrapper in this target belongs to one
/// `EventLoop`, is created and used on the loop's thread only, and checks that at each entry point
/// (`assertInLoop`, a `pthread_equal`). Nothing on the request path takes a lock or hops to the global executor: a
/// `tools/call` is parsed, routed and written back within one loop turn, with plain callbacks. We chose this over a
/// `SerialExecutor` fed through the mailbox because an executor hop costs a queue push plus a wake per `await`
/// (micro-seconds each, measured with the MCP Swift SDK at 120–170 µs per call), while the callback path costs a
/// function call; the price is callback style in the I/O layers, which stay small. The only door in from another
/// thread is `Mailbox`, drained by one `uv_async_t`.
///
/// Handles follow libuv's lifetime rules (`docs/src/handle.rst`): each is heap-allocated, retained while C may call
/// back, released exactly once in its `uv_close` callback, and its `deinit` asserts it was closed.
public final class EventLoop {
    let raw: UnsafeMutablePointer<uv_loop_t>
    private let thread: pthread_t
    /// One read buffer for every stream on this loop: libuv calls `alloc_cb` and then `read_cb` synchronously, and
    /// `read_cb` copies out what it needs, so a single buffer is never shared by two reads in flight.
    let readBuffer: UnsafeMutableRawBufferPointer
    private var deferred: [() -> Void] = []
    private var deferIdle: IdleHandle?
    private var closed = false
    /// Set by `stop()` for `run(spin:)`, which calls `uv_run` repeatedly: libuv clears its own flag on return.
    private var stopRequested = false

    /// Creates a loop bound to the calling thread; it must be run and used from this thread.
    public init() throws(UVError) {
        raw = .allocate(capacity: 1)
        let result = uv_loop_init(raw)
        if result < 0 {
            raw.deallocate()
            throw UVError(code: result, operation: "uv_loop_init")
        }
        thread = pthread_self()
        readBuffer = .allocate(byteCount: 64 * 1024, alignment: 16)
        sy_ignore_sigpipe()
        raw.pointee.data = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        precondition(closed, "EventLoop dropped without close(); handles may still reference it")
        readBuffer.deallocate()
        raw.deallocate()
    }

    /// Traps when called off the loop's thread: every wrapper entry point calls this.
    @inline(__always)
    public func assertInLoop(_ function: StaticString = #function) {
        precondition(pthread_equal(pthread_self(), thread) != 0, "\(function) called off the event loop thread")
    }

    /// Runs until no active handles remain or `stop()` is called.
    public func run() {
        assertInLoop()
        uv_run(raw, UV_RUN_DEFAULT)
    }

    /// Runs until no active handles remain or `stop()` is called, polling for up to `spin` before each
    /// blocking wait instead of sleeping at once.
    ///
    /// Why: a process asleep in `epoll_wait` is woken by the kernel when its peer writes, and on a virtual machine
    /// without guest halt-polling, waking an idle CPU costs tens of microseconds (a VM exit and an inter-processor
    /// interrupt; the benchmarks print this machine's figure) — more than Switchyard's own work on a proxied call.
    /// A gateway waits on short gaps (the upstream's answer, the client's next request), so after each turn it
    /// checks the loop's epoll descriptor without blocking for up to `spin`, and only then sleeps. Under load
    /// events are always ready and nothing spins; an idle gateway spins once per burst of activity. Timers due
    /// within the window wait for it to end (at most `spin` late); a turn with work already due never spins.
    /// `spin` zero is `run()`.
    public func run(spin: Duration) {
        assertInLoop()
        let window =
            UInt64(max(0, spin.components.seconds)) * 1_000_000_000
            + UInt64(max(0, spin.components.attoseconds / 1_000_000_000))
        guard window > 0 else { return run() }
        stopRequested = false
        var descriptor = pollfd(fd: uv_backend_fd(raw), events: Int16(POLLIN), revents: 0)
        while uv_run(raw, UV_RUN_NOWAIT) != 0, !stopRequested {
            // Due timers, pending callbacks or idle work make the next turn immediate: nothing to wait for.
            let timeout = uv_backend_timeout(raw)
            if timeout == 0 { continue }
            let deadline = uv_hrtime() + min(window, timeout < 0 ? window : UInt64(timeout) * 1_000_000)
            var ready = false
            repeat {
                ready = poll(&descriptor, 1, 0) > 0
            } while !ready && uv_hrtime() < deadline
            if !ready, uv_run(raw, UV_RUN_ONCE) == 0 || stopRequested { break }
        }
    }

    /// Runs one turn: processes what is ready, waiting for at least one event when `wait` is true.
    /// Returns true when handles remain active.
    @discardableResult
    public func runOnce(wait: Bool = true) -> Bool {
        assertInLoop()
        return uv_run(raw, wait ? UV_RUN_ONCE : UV_RUN_NOWAIT) != 0
    }

    /// Makes `run()` return after the current turn.
    public func stop() {
        assertInLoop()
        stopRequested = true
        uv_stop(raw)
    }

    /// The loop's cached time in milliseconds (updated at the start of each turn).
    public var nowMilliseconds: UInt64 {
        uv_now(raw)
    }

    /// A monotonic clock in nanoseconds, for measurements.
    public static func hrtime() -> UInt64 { uv_hrtime() }

    /// Runs `body` on a later turn of this loop, never re-entrantly from inside the caller.
    public func execute(_ body: @escaping () -> Void) {
        assertInLoop()
        deferred.append(body)
        if deferIdle == nil {
            do {
                deferIdle = try IdleHandle(loop: self) { [unowned self] in self.drainDeferred() }
            } catch {
                preconditionFailure("uv_idle_init cannot fail on a live loop: \(error)")
            }
        }
        deferIdle?.start()
    }

    private func drainDeferred() {
        let batch = deferred
        deferred.removeAll(keepingCapacity: true)
        for body in batch { body() }
        if deferred.isEmpty { deferIdle?.stop() }
    }

    /// Closes the loop's own handles, runs it until every handle's close callback has fired, and frees it.
    /// Throws `EBUSY` when the caller left handles open: every test ends here, so every test is a leak test.
    public func close() throws(UVError) {
        assertInLoop()
        deferIdle?.close()
        deferIdle = nil
        // Let pending close callbacks and deferred work run.
        for _ in 0..<16 where uv_run(raw, UV_RUN_NOWAIT) != 0 {}
        let result = uv_loop_close(raw)
        if result < 0 {
            throw UVError(code: result, operation: "uv_loop_close (\(openHandleDescription()))")
        }
        closed = true
    }

    /// Lists handles still open, for the error message of a leaked handle.
    func openHandleDescription() -> String {
        var names: [String] = []
        withUnsafeMutablePointer(to: &names) { ptr in
            uv_walk(
                raw,
                { handle, arg in
                    guard let handle, let arg else { return }
                    let list = arg.assumingMemoryBound(to: [String].self)
                    let name = String(cString: uv_handle_type_name(uv_handle_get_type(handle)))
                    list.pointee.append(uv_is_closing(handle) != 0 ? "\(name)(closing)" : name)
                }, ptr)
        }
        return names.isEmpty ? "no handles" : "open handles: " + names.joined(separator: ", ")
    }

    /// Recovers the `EventLoop` from a raw loop inside a C callback (the loop does not retain itself: its owner
    /// keeps it alive until `close()`).
    static func from(_ raw: UnsafeMutablePointer<uv_loop_t>) -> EventLoop {
        Unmanaged<EventLoop>.fromOpaque(raw.pointee.data).takeUnretainedValue()
    }
}
