import Loop

/// A job for the worker thread: runs against the worker's connection and returns a value for the loop.
struct StoreJob: Sendable {
    let id: UInt64
    let work: @Sendable (SQLiteDatabase) -> Result<any Sendable, any Error>
}

/// What the worker thread sends back to the loop through the mailbox.
enum StoreWorkerMessage: Sendable {
    /// Job `id` finished.
    case reply(id: UInt64, result: Result<any Sendable, any Error>)
    /// The thread ran its last job and closed its connection (with the close error, if any).
    case stopped(SQLiteError?)
}

/// The hand-off between the loop thread (which pushes jobs) and the worker thread (which takes them in order).
///
/// `@unchecked Sendable`: every stored property is read and written only while `condition` is locked, and the
/// condition's wait/signal is the only way the two threads signal each other.
final class StoreWorkerQueue: @unchecked Sendable {
    private let condition: ConditionLock
    private var jobs: [StoreJob] = []
    private var stopRequested = false
    private var openResult: Result<Void, SQLiteError>?

    init() throws(UVError) {
        condition = try ConditionLock()
    }

    /// Queues a job (loop thread).
    func push(_ job: StoreJob) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Asks the worker to stop once every job queued so far has run (loop thread).
    func requestStop() {
        condition.lock()
        stopRequested = true
        condition.signal()
        condition.unlock()
    }

    /// Blocks the worker thread until there is work; returns every queued job, and whether to stop after them.
    /// Taking the whole queue at once keeps the lock out of the per-job path.
    func waitForJobs() -> (jobs: [StoreJob], stop: Bool) {
        condition.lock()
        defer { condition.unlock() }
        while jobs.isEmpty && !stopRequested { condition.wait() }
        let taken = jobs
        jobs = []
        return (taken, stopRequested)
    }

    /// Reports the result of opening the worker's connection (worker thread).
    func reportOpened(_ result: Result<Void, SQLiteError>) {
        condition.lock()
        openResult = result
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks the caller until the worker thread has opened its connection or failed to (startup only, before
    /// the loop runs; opening a local file takes milliseconds, or the busy timeout at worst).
    func waitUntilOpened() -> Result<Void, SQLiteError> {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let openResult { return openResult }
            condition.wait()
        }
    }
}
