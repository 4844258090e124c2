import FoundationEssentials
import Loop

/// The one background thread that runs the store's SQL, in the order it was submitted, on its own connection.
///
/// Loop-confined on the submitting side: `submit` and `close` are called on the loop thread and every completion
/// runs there too, brought back through a `Mailbox` (the only way onto the loop from another thread). The thread
/// opens its connection itself and closes it itself, so the connection never crosses threads.
final class StoreWorker {
    /// The loop that submits jobs and receives their results.
    let loop: EventLoop
    /// The database file.
    let path: String
    private let queue: StoreWorkerQueue
    private var mailbox: Mailbox<StoreWorkerMessage>?
    private var completions: [UInt64: (Result<any Sendable, any Error>) -> Void] = [:]
    private var nextID: UInt64 = 0
    private var state = State.running
    private var closeCompletions: [(Error?) -> Void] = []

    private enum State { case running, closing, stopped }

    /// Starts the thread and waits until it has opened its connection, so a file that cannot be opened fails
    /// here, at startup, with the SQLite error. Call on the loop thread before the loop runs.
    init(loop: EventLoop, path: String, busyTimeoutMilliseconds: Int32) throws {
        loop.assertInLoop()
        self.loop = loop
        self.path = path
        queue = try StoreWorkerQueue()
        let mailbox = try Mailbox<StoreWorkerMessage>(loop: loop) { [weak self] message in self?.receive(message) }
        self.mailbox = mailbox
        do {
            try WorkerThread.start(name: "the store worker") { [queue, sender = mailbox.sender] in
                Self.run(queue: queue, sender: sender, path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
            }
        } catch {
            mailbox.close()
            self.mailbox = nil
            state = .stopped
            throw error
        }
        if case .failure(let error) = queue.waitUntilOpened() {
            // The thread has returned already; only the mailbox is left to close.
            mailbox.close()
            self.mailbox = nil
            state = .stopped
            throw error
        }
    }

    /// Runs `work` on the worker thread after every job submitted before it; `completion` gets its result on the
    /// loop thread, on a later turn (never inside this call).
    func submit<T: Sendable>(
        _ work: @escaping @Sendable (SQLiteDatabase) throws -> T,
        completion: @escaping (Result<T, any Error>) -> Void
    ) {
        loop.assertInLoop()
        guard state == .running else {
            loop.execute { completion(.failure(StoreError.closed(self.path))) }
            return
        }
        nextID &+= 1
        let id = nextID
        // The job below boxes exactly a `T`, so the cast back cannot fail.
        completions[id] = { result in completion(result.map { $0 as! T }) }
        queue.push(
            StoreJob(id: id) { database in
                Result<any Sendable, any Error> { try work(database) }
            })
    }

    /// Runs every job submitted so far, then closes the thread's connection and stops the thread; `completion`
    /// runs on the loop with the error from closing the connection, if any.
    func close(completion: @escaping (Error?) -> Void) {
        loop.assertInLoop()
        switch state {
        case .stopped:
            loop.execute { completion(nil) }
        case .closing:
            closeCompletions.append(completion)
        case .running:
            state = .closing
            closeCompletions.append(completion)
            queue.requestStop()
        }
    }

    /// Jobs submitted whose completion has not run yet.
    var outstandingJobs: Int { completions.count }

    private func receive(_ message: StoreWorkerMessage) {
        switch message {
        case .reply(let id, let result):
            guard let completion = completions.removeValue(forKey: id) else {
                preconditionFailure("store worker answered job \(id) twice or never submitted")
            }
            completion(result)
        case .stopped(let error):
            state = .stopped
            mailbox?.close()
            mailbox = nil
            let callbacks = closeCompletions
            closeCompletions = []
            for callback in callbacks { callback(error) }
        }
    }

    /// The thread's body: open, run jobs in order until asked to stop, close.
    private static func run(
        queue: StoreWorkerQueue, sender: MailboxSender<StoreWorkerMessage>, path: String,
        busyTimeoutMilliseconds: Int32
    ) {
        let database: SQLiteDatabase
        do {
            database = try SQLiteDatabase(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        } catch {
            queue.reportOpened(.failure(error))
            return
        }
        queue.reportOpened(.success(()))
        var stop = false
        while !stop {
            let taken = queue.waitForJobs()
            // The mailbox stays open until `.stopped` arrives, so these posts are never refused.
            for job in taken.jobs { sender.post(.reply(id: job.id, result: job.work(database))) }
            stop = taken.stop
        }
        do {
            try database.close()
            sender.post(.stopped(nil))
        } catch {
            sender.post(.stopped(error))
        }
    }
}
