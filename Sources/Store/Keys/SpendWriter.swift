import Logging
import Loop
import Routing

/// Buffers keys' spend on the loop and adds it to the SQLite counters off the loop, at the usage writer's pace.
///
/// Every settled request reports its cost as a delta in its key's budget period; deltas of the same key and
/// period are added up in the buffer (a busy key costs one row update per batch, not one per request). The
/// buffer goes to the worker as one transaction `flushDelayMilliseconds` after its first entry; one batch is in
/// flight at a time. The SQL adds each delta to the stored counters (`KeysTable.spendSQL`), so processes sharing
/// the file add up their spend instead of overwriting each other's. A failed batch changed nothing (it is one
/// transaction): it is logged, added back into the buffer and retried after a growing delay, so it is counted
/// exactly once.
///
/// Loop-confined: every method runs on the loop thread, and every completion runs there on a later turn.
final class SpendWriter {
    /// A key's unwritten spend, one delta per budget period, and the sequence number of the oldest `record` it
    /// holds: later records add to the entry and keep its place for `flush`.
    private struct Entry {
        var deltas: [SpendDelta]
        var firstSequence: UInt64

        /// Adds `delta` to the one of its period, or starts that period's delta.
        mutating func add(_ delta: SpendDelta) {
            if let index = deltas.firstIndex(where: { $0.periodStart == delta.periodStart }) {
                deltas[index].cost += delta.cost
            } else {
                deltas.append(delta)
            }
        }
    }

    private let loop: EventLoop
    private let worker: StoreWorker
    private let logger: Logger
    private let options: StoreOptions
    private let clock: BatchClock
    private var pending: [String: Entry] = [:]
    private var inFlight: [String: Entry] = [:]
    private var lastSequence: UInt64 = 0
    private var pendingSince: UInt64?
    private var waiters = FlushWaiters()

    /// Row updates written since the writer was created (one per key and budget period per batch).
    private(set) var writtenUpdates = 0
    /// Keys with spend not written yet.
    var bufferedKeys: Int { Set(pending.keys).union(inFlight.keys).count }

    /// `timer` becomes the writer's: it arms it for batch and retry delays and closes it in `close`.
    init(loop: EventLoop, worker: StoreWorker, timer: Loop.Timer, logger: Logger, options: StoreOptions) {
        self.loop = loop
        self.worker = worker
        clock = BatchClock(loop: loop, timer: timer, options: options)
        self.logger = logger
        self.options = options
    }

    /// Buffers spend to add to a key's counters; cheap enough for the request path (a dictionary write).
    func record(keyID: String, _ delta: SpendDelta) {
        loop.assertInLoop()
        guard clock.state == .open else {
            logger.error(
                "key spend recorded after the store began closing; it is not written",
                metadata: [
                    "key": "\(keyID)", "cost": "\(delta.cost)", "period_start": "\(delta.periodStart)",
                ])
            return
        }
        lastSequence += 1
        var entry = pending[keyID] ?? Entry(deltas: [], firstSequence: lastSequence)
        entry.add(delta)
        pending[keyID] = entry
        if pendingSince == nil { pendingSince = loop.nowMilliseconds }
        schedule()
    }

    /// The spend recorded and not yet in the database, by key: buffered, or in the batch that has not reported
    /// back (a failed batch is back in the buffer by then). What `SQLiteKeyStore.reloadKeys` adds to the keys it
    /// read.
    func unwritten() -> [String: [SpendDelta]] {
        loop.assertInLoop()
        var merged = inFlight
        for (id, entry) in pending {
            if var both = merged[id] {
                for delta in entry.deltas { both.add(delta) }
                merged[id] = both
            } else {
                merged[id] = entry
            }
        }
        return merged.mapValues(\.deltas)
    }

    /// Forgets the buffered spend of a key that was deleted (its row is gone; writing it would do nothing).
    func discard(keyID: String) {
        loop.assertInLoop()
        pending[keyID] = nil
        if pending.isEmpty { pendingSince = nil }
        resolveWaiters()
    }

    /// Writes every buffered entry now, then calls `completion` on the loop: with nil once the spend recorded so
    /// far is in the database, or with the error of the batch that failed (the entries stay buffered).
    func flush(completion: @escaping (Error?) -> Void) {
        loop.assertInLoop()
        guard
            clock.admitsFlush(
                buffered: bufferedKeys,
                closedError: StoreError.closed("key spend writer (\(bufferedKeys) keys not written)"),
                completion: completion)
        else { return }
        waiters.add(through: lastSequence, completion: completion)
        schedule()
    }

    /// Stops taking spend, writes what is buffered and calls `completion` on the loop (the store does this on
    /// SIGTERM, so no settled spend is lost). When the last write fails, the unwritten spend is logged.
    func close(completion: @escaping (Error?) -> Void) {
        loop.assertInLoop()
        clock.close(completion: completion, flush: flush) { [self] error in
            // Each key's unwritten spend is in the log, so an operator can add it by hand.
            for (id, entry) in pending {
                for delta in entry.deltas {
                    logger.critical(
                        "key spend could not be written before the store closed; it is lost",
                        metadata: [
                            "key": "\(id)", "cost": "\(delta.cost)", "period_start": "\(delta.periodStart)",
                            "error": "\(error)",
                        ])
                }
            }
            pending = [:]
        }
    }

    // MARK: Batching

    private func schedule() {
        guard clock.state != .closed, inFlight.isEmpty, !pending.isEmpty, let since = pendingSince else { return }
        let due = clock.due(since: since, flushWaiting: !waiters.isEmpty, full: false)
        clock.at(due, send: sendBatch, reschedule: { [weak self] in self?.schedule() })
    }

    private func sendBatch() {
        clock.disarm()
        inFlight = pending
        pending = [:]
        pendingSince = nil
        // Sorted so a batch's SQL runs in a stable order (the sums do not depend on it).
        let updates = inFlight.sorted { $0.key < $1.key }.flatMap { id, entry in
            entry.deltas.sorted { $0.periodStart < $1.periodStart }.map {
                SpendUpdate(keyID: id, periodStart: $0.periodStart, cost: $0.cost)
            }
        }
        worker.submit({ database in try KeysTable.writeSpend(updates, in: database) }) { [self] result in
            batchFinished(result)
        }
    }

    private func batchFinished(_ result: Result<Void, any Error>) {
        let batch = inFlight
        inFlight = [:]
        switch result {
        case .success:
            writtenUpdates += batch.values.reduce(0) { $0 + $1.deltas.count }
            let failures = clock.succeeded()
            if failures > 0 {
                logger.notice("key spend is being written again", metadata: ["failed_attempts": "\(failures)"])
            }
            resolveWaiters()
        case .failure(let error):
            // The transaction rolled back, so none of it is counted: add it to what was recorded meanwhile,
            // which takes the failed entry's place in line.
            for (id, entry) in batch {
                if var newer = pending[id] {
                    for delta in entry.deltas { newer.add(delta) }
                    newer.firstSequence = min(newer.firstSequence, entry.firstSequence)
                    pending[id] = newer
                } else {
                    pending[id] = entry
                }
            }
            pendingSince = loop.nowMilliseconds
            let delay = clock.failed()
            logger.error(
                "writing key spend failed; it is kept and retried",
                metadata: [
                    "error": "\(error)", "keys": "\(batch.count)", "attempt": "\(clock.consecutiveFailures)",
                    "retry_in_ms": "\(delay)",
                ])
            for completion in waiters.takeAll() { completion(error) }
        }
        schedule()
    }

    /// Completes the waiters whose every recorded delta is written.
    private func resolveWaiters() {
        let oldest = min(
            inFlight.values.map(\.firstSequence).min() ?? .max, pending.values.map(\.firstSequence).min() ?? .max)
        for completion in waiters.takeResolved(oldestUnwritten: oldest) { completion(nil) }
    }
}
