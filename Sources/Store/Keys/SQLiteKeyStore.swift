import Logging
import Loop
import Routing

/// API keys in the `keys` table, for the `Governor` (which serves every lookup from memory).
///
/// Loop-confined. `loadKeys` runs at startup, synchronously, on the loop thread's own connection (as
/// `SQLiteAliasStore.loadAliases` does); saves and deletes run on the worker and report on the loop. Spend
/// counters from settled requests are coalesced per key and written in batches by a `SpendWriter`; `Store.close`
/// writes what is buffered before the worker stops.
public final class SQLiteKeyStore: KeyStore {
    private let loop: EventLoop
    private let worker: StoreWorker
    let spendWriter: SpendWriter
    /// The loop thread's startup connection, owned by `Store`; nil once the store is closed.
    var startupDatabase: SQLiteDatabase?

    init(loop: EventLoop, worker: StoreWorker, spendWriter: SpendWriter, startupDatabase: SQLiteDatabase) {
        self.loop = loop
        self.worker = worker
        self.spendWriter = spendWriter
        self.startupDatabase = startupDatabase
    }

    /// Every stored key, oldest first. Synchronous SQL on the calling (loop) thread: call it at startup, before
    /// the loop serves requests. A row that cannot be read fails the load with its id and the reason.
    public func loadKeys() throws -> [APIKey] {
        loop.assertInLoop()
        guard let database = startupDatabase else { throw StoreError.closed("loading API keys") }
        return try KeysTable.loadAll(from: database)
    }

    /// Inserts or replaces the whole record, spend counters included; `completion` runs on the loop with nil
    /// once it is committed.
    public func saveKey(_ key: APIKey, completion: @escaping (Error?) -> Void) {
        loop.assertInLoop()
        worker.submit({ database in try KeysTable.save(key, in: database) },
                      completion: { result in completion(Self.error(of: result)) })
    }

    /// Deletes the key `id` and drops its buffered spend; deleting a key that is not stored is not an error.
    /// `completion` runs on the loop.
    public func deleteKey(id: String, completion: @escaping (Error?) -> Void) {
        loop.assertInLoop()
        spendWriter.discard(keyID: id)
        worker.submit({ database in try KeysTable.delete(id: id, in: database) },
                      completion: { result in completion(Self.error(of: result)) })
    }

    /// Buffers a key's counters after a settled request; they reach the database with the next batch (about
    /// `StoreOptions.flushDelayMilliseconds` later) or when the store closes. Only the latest values per key are
    /// written.
    public func recordSpend(keyID: String, spend: Double, periodStart: Double, totalSpend: Double) {
        spendWriter.record(SpendUpdate(keyID: keyID, spend: spend, periodStart: periodStart, totalSpend: totalSpend))
    }

    /// Writes buffered spend now; `completion` runs on the loop with nil once it is committed.
    public func flushSpend(completion: @escaping (Error?) -> Void) {
        spendWriter.flush(completion: completion)
    }

    private static func error(of result: Result<Void, any Error>) -> Error? {
        if case .failure(let error) = result { return error }
        return nil
    }
}
