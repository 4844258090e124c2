import Logging
import Loop
import Routing

/// The gateway's `UsageSink`: buffers usage rows on the loop and writes them to SQLite in batches off the loop.
///
/// `record` only appends to a buffer. The buffer goes to the worker as one transaction when it holds
/// `batchRows` rows or `flushDelayMilliseconds` after its first row, whichever is first; one batch is in flight
/// at a time, so rows reach the table in the order they were recorded. A batch that fails is logged and put
/// back at the front of the buffer, and retried after a growing delay: rows are never dropped silently. Only
/// when the buffer exceeds `maxRetainedRows` are the oldest dropped, with a critical log line.
///
/// Loop-confined: every method runs on the loop thread, and every completion runs there on a later turn.
public final class UsageWriter: UsageSink {
    private struct Row {
        let sequence: UInt64
        let record: UsageRecord
    }

    private let loop: EventLoop
    private let worker: StoreWorker
    private let logger: Logger
    private let options: StoreOptions
    private let clock: BatchClock
    private var pending: [Row] = []
    private var inFlight: [Row] = []
    private var lastSequence: UInt64 = 0
    /// Loop time of the oldest row waiting to be sent (or of the last send, for rows left behind by it).
    private var pendingSince: UInt64?
    private var lastError: (any Error)?
    private var waiters = FlushWaiters()
    private var lastDropLog: UInt64?

    /// Rows written to the database since the writer was created.
    public private(set) var writtenRows = 0
    /// Rows that were never written: dropped because the buffer was full, or recorded after `close`.
    public private(set) var droppedRows = 0
    /// Rows recorded but not written yet (waiting, or in the transaction being written).
    public var bufferedRows: Int { pending.count + inFlight.count }

    /// `timer` becomes the writer's: it arms it for batch and retry delays and closes it in `close`.
    init(loop: EventLoop, worker: StoreWorker, timer: Loop.Timer, logger: Logger, options: StoreOptions) {
        self.loop = loop
        self.worker = worker
        clock = BatchClock(loop: loop, timer: timer, options: options)
        self.logger = logger
        self.options = options
        // A batch's worth up front, so the request path does not grow the array in steady state.
        pending.reserveCapacity(options.batchRows)
    }

    /// Buffers one row; cheap enough for the request path (an append, and a timer armed once per batch).
    public func record(_ record: UsageRecord) {
        loop.assertInLoop()
        guard clock.state == .open else {
            droppedRows += 1
            logger.error(
                "usage row recorded after the store began closing; it is not written", metadata: ["id": "\(record.id)"])
            return
        }
        lastSequence += 1
        pending.append(Row(sequence: lastSequence, record: record))
        if pendingSince == nil { pendingSince = loop.nowMilliseconds }
        if bufferedRows > options.maxRetainedRows { dropOldest() }
        schedule()
    }

    /// Writes every row recorded so far now (not waiting for the batch delay or a retry delay), then calls
    /// `completion` on the loop: with nil once they are in the database, or with the error of the batch that
    /// failed (the rows stay buffered and are retried).
    public func flush(completion: @escaping (Error?) -> Void) {
        loop.assertInLoop()
        guard
            clock.admitsFlush(
                buffered: bufferedRows, closedError: StoreError.closed("usage writer (\(bufferedRows) rows not written)"),
                completion: completion)
        else { return }
        waiters.add(through: lastSequence, completion: completion)
        schedule()
    }

    /// Stops taking rows, writes every buffered row and calls `completion` on the loop; the gateway calls this
    /// on SIGTERM so nothing is lost. When the last write fails, the error is passed on and the unwritten rows are
    /// logged as lost.
    public func close(completion: @escaping (Error?) -> Void) {
        loop.assertInLoop()
        clock.close(completion: completion, flush: flush) { [self] error in
            logger.critical(
                "usage rows could not be written before the store closed; they are lost",
                metadata: ["rows": "\(bufferedRows)", "error": "\(error)"])
            droppedRows += bufferedRows
            pending = []
        }
    }

    /// The buffered row with `id`, so a request that just finished is found before its batch is written.
    func bufferedRecord(id: String) -> UsageRecord? {
        loop.assertInLoop()
        return (pending.last { $0.record.id == id } ?? inFlight.last { $0.record.id == id })?.record
    }

    // MARK: Batching

    private func schedule() {
        guard clock.state != .closed, inFlight.isEmpty, !pending.isEmpty, let since = pendingSince else { return }
        let due = clock.due(since: since, flushWaiting: !waiters.isEmpty, full: pending.count >= options.batchRows)
        clock.at(due, send: sendBatch, reschedule: { [weak self] in self?.schedule() })
    }

    private func sendBatch() {
        clock.disarm()
        let count = min(pending.count, options.maxTransactionRows)
        inFlight = Array(pending.prefix(count))
        pending.removeFirst(count)
        pendingSince = pending.isEmpty ? nil : loop.nowMilliseconds
        let records = inFlight.map(\.record)
        worker.submit({ database in try UsageTable.insert(records, into: database) }) { [self] result in
            batchFinished(result)
        }
    }

    private func batchFinished(_ result: Result<Int, any Error>) {
        let batch = inFlight
        inFlight = []
        switch result {
        case .success(let inserted):
            writtenRows += batch.count
            let failures = clock.succeeded()
            if failures > 0 {
                logger.notice(
                    "usage rows are being written again",
                    metadata: [
                        "failed_attempts": "\(failures)", "rows": "\(batch.count)",
                    ])
            }
            if inserted < batch.count {
                logger.debug("usage rows already stored were skipped", metadata: ["rows": "\(batch.count - inserted)"])
            }
            lastError = nil
            resolveWaiters()
        case .failure(let error):
            lastError = error
            pending.insert(contentsOf: batch, at: 0)
            pendingSince = loop.nowMilliseconds
            let delay = clock.failed()
            logger.error(
                "writing usage rows failed; they are kept and retried",
                metadata: [
                    "error": "\(error)", "rows": "\(batch.count)", "buffered": "\(bufferedRows)",
                    "attempt": "\(clock.consecutiveFailures)", "retry_in_ms": "\(delay)",
                ])
            failWaiters(error)
        }
        schedule()
    }

    /// The sequence number of the oldest row not yet written (`.max` when none is buffered).
    private var oldestBuffered: UInt64 {
        min(inFlight.first?.sequence ?? .max, pending.first?.sequence ?? .max)
    }

    private func resolveWaiters() {
        for completion in waiters.takeResolved(oldestUnwritten: oldestBuffered) { completion(nil) }
    }

    private func failWaiters(_ error: any Error) {
        for completion in waiters.takeAll() { completion(error) }
    }

    /// Keeps the buffer bounded while the database fails: the oldest waiting rows go, with a critical log line at
    /// most every ten seconds (one per request would flood the log during an outage). Rows go a sixteenth of the
    /// limit at a time, so a full buffer does not shift the whole array on every `record`.
    private func dropOldest() {
        let excess = bufferedRows - options.maxRetainedRows
        let count = min(excess + options.maxRetainedRows / 16, pending.count)
        guard excess > 0, count > 0 else { return }
        pending.removeFirst(count)
        droppedRows += count
        let now = loop.nowMilliseconds
        if lastDropLog.map({ now >= $0 + 10_000 }) ?? true {
            lastDropLog = now
            logger.critical(
                "dropping usage rows: the database keeps failing and the buffer is full",
                metadata: [
                    "dropped_total": "\(droppedRows)", "max_buffered": "\(options.maxRetainedRows)",
                    "last_error": "\(lastError.map { "\($0)" } ?? "none")",
                ])
        }
        failWaiters(StoreError("\(count) usage rows were dropped: the database keeps failing and the buffer is full"))
    }
}
