import Loop

/// What the store's batching writers (usage rows, key spend) share: when the next batch goes (one timer armed for
/// the next due time; after a failed batch a retry delay that doubles from `retryDelayMilliseconds` up to
/// `maxRetryDelayMilliseconds`) and their lifecycle (open → closing → closed, with every `close` caller answered
/// once the last flush reported). Loop-confined, like the writers that own it.
final class BatchClock {
    enum State { case open, closing, closed }

    private(set) var state = State.open
    private var closeCompletions: [(Error?) -> Void] = []
    private let loop: EventLoop
    private let timer: Loop.Timer
    private let options: StoreOptions
    /// When the armed timer fires, if it is armed.
    private var timerDue: UInt64?
    /// After a failure: no batch before this loop time (unless a flush asks).
    private(set) var retryAt: UInt64?
    private(set) var consecutiveFailures = 0

    /// `timer` becomes the clock's: it arms it and closes it in `close`.
    init(loop: EventLoop, timer: Loop.Timer, options: StoreOptions) {
        self.loop = loop
        self.timer = timer
        self.options = options
    }

    /// Calls `send` now when `due` (loop milliseconds) has come; otherwise arms the timer to call `reschedule` then
    /// (a timer already armed for exactly `due` is left alone).
    func at(_ due: UInt64, send: () -> Void, reschedule: @escaping () -> Void) {
        let now = loop.nowMilliseconds
        guard due > now else { return send() }
        guard timerDue != due else { return }
        timerDue = due
        timer.start(after: due - now) { [weak self] in
            self?.timerDue = nil
            reschedule()
        }
    }

    /// When the next batch is due (loop milliseconds), for a writer whose oldest unsent item waits since `since`:
    /// now when a `flush` caller waits (even while backing off after a failure); after a failure, at the retry
    /// time even when the buffer is `full`; now when it is full; otherwise the batch delay after `since`.
    func due(since: UInt64, flushWaiting: Bool, full: Bool) -> UInt64 {
        if flushWaiting { return loop.nowMilliseconds }
        if let retryAt { return retryAt }
        return full ? loop.nowMilliseconds : since + options.flushDelayMilliseconds
    }

    /// The shared start of a writer's `flush`: with nothing buffered the caller hears nil, after `close` it hears
    /// `closedError` (both on a later loop turn). True when the writer should queue the caller and write now.
    func admitsFlush(
        buffered: Int, closedError: @autoclosure () -> Error,
        completion: @escaping (Error?) -> Void
    ) -> Bool {
        guard buffered > 0 else {
            loop.execute { completion(nil) }
            return false
        }
        guard state != .closed else {
            let error = closedError()
            loop.execute { completion(error) }
            return false
        }
        return true
    }

    /// Stops the armed timer: the batch is going now.
    func disarm() {
        guard timerDue != nil else { return }
        timer.stop()
        timerDue = nil
    }

    /// A batch was written. Returns how many attempts had failed before it (for a "written again" log line).
    func succeeded() -> Int {
        defer {
            consecutiveFailures = 0
            retryAt = nil
        }
        return consecutiveFailures
    }

    /// A batch failed. Returns the delay in milliseconds before the retry (recorded as `retryAt`).
    func failed() -> UInt64 {
        consecutiveFailures += 1
        let shift = UInt64(min(consecutiveFailures - 1, 16))
        let delay = min(options.retryDelayMilliseconds << shift, options.maxRetryDelayMilliseconds)
        retryAt = loop.nowMilliseconds + delay
        return delay
    }

    /// Closes the writer once: `flush` writes what is buffered and reports; then the timer closes, `unwritten`
    /// runs when that last write failed (the writer logs and drops what is left), and every caller of `close` gets
    /// the result. Later calls are answered on a later loop turn.
    func close(
        completion: @escaping (Error?) -> Void, flush: (@escaping (Error?) -> Void) -> Void,
        unwritten: @escaping (Error) -> Void
    ) {
        switch state {
        case .closed:
            loop.execute { completion(nil) }
            return
        case .closing:
            closeCompletions.append(completion)
            return
        case .open:
            state = .closing
            closeCompletions.append(completion)
        }
        flush { [self] error in
            state = .closed
            timer.close()
            if let error { unwritten(error) }
            let callbacks = closeCompletions
            closeCompletions = []
            for callback in callbacks { callback(error) }
        }
    }
}
