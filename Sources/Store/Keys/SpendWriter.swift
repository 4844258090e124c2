import Logging
import Loop

/// Buffers keys' spend counters on the loop and writes them to SQLite off the loop, at the usage writer's pace.
///
/// Every settled request reports its key's new counters; only the latest per key matters, so `record` replaces
/// the key's buffered entry (a busy key costs one row update per batch, not one per request). The buffer goes to
/// the worker as one transaction `flushDelayMilliseconds` after its first entry; one batch is in flight at a
/// time. A failed batch is logged and merged back under any newer entries, and retried after a growing delay.
/// The SQL itself refuses to move a key's counters backwards (`KeysTable.spendSQL`), so no ordering of batches
/// and full-record saves can lose spend.
///
/// Loop-confined: every method runs on the loop thread, and every completion runs there on a later turn.
final class SpendWriter {
    /// A key's latest counters, and the sequence number of the oldest `record` they stand for that is not
    /// written yet: a newer entry replaces an older one's figures but inherits its place for `flush`.
    private struct Entry {
        var update: SpendUpdate
        var firstSequence: UInt64
    }

    private struct Waiter {
        let through: UInt64
        let completion: (Error?) -> Void
    }

    private enum State { case open, closing, closed }

    private let loop: EventLoop
    private let worker: StoreWorker
    private let logger: Logger
    private let options: StoreOptions
    private let timer: Loop.Timer
    private var timerDue: UInt64?
    private var pending: [String: Entry] = [:]
    private var inFlight: [String: Entry] = [:]
    private var lastSequence: UInt64 = 0
    private var pendingSince: UInt64?
    private var retryAt: UInt64?
    private var consecutiveFailures = 0
    private var waiters: [Waiter] = []
    private var state = State.open
    private var closeCompletions: [(Error?) -> Void] = []

    /// Row updates written since the writer was created (one per key per batch).
    private(set) var writtenUpdates = 0
    /// Keys whose latest counters are not written yet.
    var bufferedKeys: Int { Set(pending.keys).union(inFlight.keys).count }

    /// `timer` becomes the writer's: it arms it for batch and retry delays and closes it in `close`.
    init(loop: EventLoop, worker: StoreWorker, timer: Loop.Timer, logger: Logger, options: StoreOptions) {
        self.loop = loop
        self.worker = worker
        self.timer = timer
        self.logger = logger
        self.options = options
    }

    /// Buffers a key's latest counters; cheap enough for the request path (a dictionary write).
    func record(_ update: SpendUpdate) {
        loop.assertInLoop()
        guard state == .open else {
            logger.error("key spend recorded after the store began closing; it is not written", metadata: [
                "key": "\(update.keyID)", "spend": "\(update.spend)", "total_spend": "\(update.totalSpend)",
            ])
            return
        }
        lastSequence += 1
        let first = pending[update.keyID]?.firstSequence ?? lastSequence
        pending[update.keyID] = Entry(update: update, firstSequence: first)
        if pendingSince == nil { pendingSince = loop.nowMilliseconds }
        schedule()
    }

    /// Forgets the buffered counters of a key being deleted (its row is going; writing them would do nothing).
    func discard(keyID: String) {
        loop.assertInLoop()
        pending[keyID] = nil
        if pending.isEmpty { pendingSince = nil }
        resolveWaiters()
    }

    /// Writes every buffered entry now, then calls `completion` on the loop: with nil once the counters recorded
    /// so far are in the database, or with the error of the batch that failed (the entries stay buffered).
    func flush(completion: @escaping (Error?) -> Void) {
        loop.assertInLoop()
        guard bufferedKeys > 0 else {
            loop.execute { completion(nil) }
            return
        }
        guard state != .closed else {
            loop.execute { completion(StoreError.closed("key spend writer (\(self.bufferedKeys) keys not written)")) }
            return
        }
        waiters.append(Waiter(through: lastSequence, completion: completion))
        schedule()
    }

    /// Stops taking counters, writes the buffered ones and calls `completion` on the loop (the store does this on
    /// SIGTERM, so no settled spend is lost). When the last write fails, the unwritten counters are logged.
    func close(completion: @escaping (Error?) -> Void) {
        loop.assertInLoop()
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
            if let error {
                // Each key's figures are in the log, so an operator can put them back by hand.
                for entry in pending.values {
                    logger.critical("key spend could not be written before the store closed; it is lost", metadata: [
                        "key": "\(entry.update.keyID)", "spend": "\(entry.update.spend)",
                        "period_start": "\(entry.update.periodStart)", "total_spend": "\(entry.update.totalSpend)",
                        "error": "\(error)",
                    ])
                }
                pending = [:]
            }
            let callbacks = closeCompletions
            closeCompletions = []
            for callback in callbacks { callback(error) }
        }
    }

    // MARK: Batching

    private func schedule() {
        guard state != .closed, inFlight.isEmpty, !pending.isEmpty, let since = pendingSince else { return }
        let now = loop.nowMilliseconds
        let due: UInt64
        if !waiters.isEmpty {
            due = now  // flush or close asked: write now, even while backing off after a failure
        } else if let retryAt {
            due = retryAt
        } else {
            due = since + options.flushDelayMilliseconds
        }
        guard due > now else { return sendBatch() }
        guard timerDue != due else { return }
        timerDue = due
        timer.start(after: due - now) { [weak self] in
            self?.timerDue = nil
            self?.schedule()
        }
    }

    private func sendBatch() {
        if timerDue != nil {
            timer.stop()
            timerDue = nil
        }
        inFlight = pending
        pending = [:]
        pendingSince = nil
        let updates = inFlight.values.map(\.update)
        worker.submit({ database in try KeysTable.writeSpend(updates, in: database) }) { [self] result in
            batchFinished(result)
        }
    }

    private func batchFinished(_ result: Result<Void, any Error>) {
        let batch = inFlight
        inFlight = [:]
        switch result {
        case .success:
            writtenUpdates += batch.count
            if consecutiveFailures > 0 {
                logger.notice("key spend is being written again", metadata: ["failed_attempts": "\(consecutiveFailures)"])
            }
            consecutiveFailures = 0
            retryAt = nil
            resolveWaiters()
        case .failure(let error):
            consecutiveFailures += 1
            // Newer counters recorded meanwhile win; they take over the failed entry's place in line.
            for (id, entry) in batch {
                if var newer = pending[id] {
                    newer.firstSequence = min(newer.firstSequence, entry.firstSequence)
                    pending[id] = newer
                } else {
                    pending[id] = entry
                }
            }
            let now = loop.nowMilliseconds
            pendingSince = now
            let shift = UInt64(min(consecutiveFailures - 1, 16))
            let delay = min(options.retryDelayMilliseconds << shift, options.maxRetryDelayMilliseconds)
            retryAt = now + delay
            logger.error("writing key spend failed; it is kept and retried", metadata: [
                "error": "\(error)", "keys": "\(batch.count)", "attempt": "\(consecutiveFailures)",
                "retry_in_ms": "\(delay)",
            ])
            let failed = waiters
            waiters = []
            for waiter in failed { waiter.completion(error) }
        }
        schedule()
    }

    /// Completes the waiters whose every recorded entry is written (or was superseded by a written one).
    private func resolveWaiters() {
        let oldest = min(inFlight.values.map(\.firstSequence).min() ?? .max, pending.values.map(\.firstSequence).min() ?? .max)
        guard waiters.contains(where: { $0.through < oldest }) else { return }
        let done = waiters.filter { $0.through < oldest }
        waiters.removeAll { $0.through < oldest }
        for waiter in done { waiter.completion(nil) }
    }
}
