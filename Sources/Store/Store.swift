import FoundationEssentials
import Logging
import Loop

/// The gateway's SQLite storage: usage rows, aliases saved at run time, and API keys with their spend.
///
/// Opening is synchronous and meant for startup, before the loop runs: it creates the parent directories, opens
/// the file, brings the schema up to date and starts the worker thread that runs all later SQL. From then on no
/// SQL runs on the loop thread: writes and reads go to the worker, and their completions come back on the loop.
/// Loop-confined: create it and call it on the loop thread, and `close` it before closing the loop.
public final class Store {
    /// The database file.
    public let path: String
    /// The `UsageSink` to hand to the router.
    public let usageWriter: UsageWriter
    /// The `AliasStore` to hand to the router's settings.
    public let aliases: SQLiteAliasStore
    /// The `KeyStore` to hand to the `Governor`.
    public let keys: SQLiteKeyStore
    let loop: EventLoop
    let worker: StoreWorker
    private let logger: Logger
    /// The loop thread's connection, for migrations, `loadAliases` and `loadKeys` at startup; closed with the store.
    private var startupDatabase: SQLiteDatabase?

    /// Opens (or creates) the database at `path`. Errors name the path and say what to do, e.g. for a file that
    /// is not a database, a read-only file, or a directory that cannot be created.
    public init(path: String, loop: EventLoop, logger: Logger, options: StoreOptions = StoreOptions()) throws(StoreError) {
        loop.assertInLoop()
        guard !path.isEmpty, path != ":memory:", !path.hasPrefix("file:") else {
            // The worker and the startup code each open the path; an in-memory database would be two databases.
            throw StoreError("the database path \"\(path)\" must name a file (in-memory and URI paths are not supported)")
        }
        self.path = path
        self.loop = loop
        self.logger = logger
        let startup: SQLiteDatabase
        do {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            startup = try SQLiteDatabase(path: path, busyTimeoutMilliseconds: options.busyTimeoutMilliseconds)
            let found = try Schema.migrate(startup)
            logger.info(
                "store opened",
                metadata: [
                    "path": "\(path)", "schema_version": "\(Schema.latestVersion)", "migrated_from": "\(found)",
                    "journal_mode": "\(startup.journalMode)",
                ])
            if startup.journalMode.lowercased() != "wal" {
                logger.warning(
                    "SQLite refused WAL mode; writers will block readers",
                    metadata: [
                        "path": "\(path)", "journal_mode": "\(startup.journalMode)",
                    ])
            }
        } catch {
            // A connection opened before the failure is closed by its deinit as `startup` goes out of scope.
            throw StoreError.cannotOpen(path, because: error)
        }
        startupDatabase = startup
        // The timers first: once the worker thread runs, every later failure would have to stop it again.
        let usageTimer: Loop.Timer
        let spendTimer: Loop.Timer
        do {
            usageTimer = try Loop.Timer(loop: loop)
        } catch {
            throw StoreError("cannot create the usage writer's timer: \(error)")
        }
        do {
            spendTimer = try Loop.Timer(loop: loop)
        } catch {
            usageTimer.close()
            throw StoreError("cannot create the key spend writer's timer: \(error)")
        }
        do {
            worker = try StoreWorker(loop: loop, path: path, busyTimeoutMilliseconds: options.busyTimeoutMilliseconds)
        } catch {
            usageTimer.close()
            spendTimer.close()
            throw StoreError.cannotOpen(path, because: error)
        }
        usageWriter = UsageWriter(loop: loop, worker: worker, timer: usageTimer, logger: logger, options: options)
        aliases = SQLiteAliasStore(loop: loop, worker: worker, startupDatabase: startup)
        let spendWriter = SpendWriter(loop: loop, worker: worker, timer: spendTimer, logger: logger, options: options)
        keys = SQLiteKeyStore(loop: loop, worker: worker, spendWriter: spendWriter, startupDatabase: startup)
    }

    /// Writes every buffered usage row and key spend counter, stops the worker thread and closes both
    /// connections; `completion` runs on the loop with the first error met (each one is also logged). Call it on
    /// SIGTERM, before closing the loop.
    public func close(completion: @escaping (Error?) -> Void) {
        loop.assertInLoop()
        // The worker stops only once both writers have heard back about their last batch.
        usageWriter.close { [self] usageError in
            keys.spendWriter.close { [self] spendError in
                closeConnections(firstError: usageError ?? spendError, completion: completion)
            }
        }
    }

    private func closeConnections(firstError: Error?, completion: @escaping (Error?) -> Void) {
        worker.close { [self] workerError in
            var firstError = firstError
            if let workerError {
                logger.error("closing the store's worker connection failed", metadata: ["error": "\(workerError)"])
                firstError = firstError ?? workerError
            }
            aliases.startupDatabase = nil
            keys.startupDatabase = nil
            if let startup = startupDatabase {
                startupDatabase = nil
                do {
                    try startup.close()
                } catch {
                    logger.error("closing the store's startup connection failed", metadata: ["error": "\(error)"])
                    firstError = firstError ?? error
                }
            }
            completion(firstError)
        }
    }
}
