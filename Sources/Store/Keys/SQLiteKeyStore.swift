import Logging
import Loop
import Routing

/// API keys in the `keys` table, for the `Governor` (which serves every lookup from memory).
///
/// Loop-confined. `loadKeys` runs at startup, synchronously, on the loop thread's own connection (as
/// `SQLiteAliasStore.loadAliases` does); saves, deletes and reloads run on the worker and report on the loop.
/// Spend from settled requests is added up per key and period and added to the stored counters in batches by a
/// `SpendWriter`; `Store.close` writes what is buffered before the worker stops.
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

    /// Inserts the whole record, or replaces every field of a stored key but its spend counters (which only
    /// `recordSpend` changes); `completion` runs on the loop with nil once it is committed.
    public func saveKey(_ key: APIKey, completion: @escaping (Error?) -> Void) {
        loop.assertInLoop()
        worker.submit(
            { database in try KeysTable.save(key, in: database) },
            completion: { result in completion(Self.error(of: result)) })
    }

    /// Deletes the key `id`, then drops its buffered spend; deleting a key that is not stored is not an error.
    /// `completion` runs on the loop.
    public func deleteKey(id: String, completion: @escaping (Error?) -> Void) {
        loop.assertInLoop()
        worker.submit(
            { database in try KeysTable.delete(id: id, in: database) },
            completion: { [spendWriter] result in
                // Only once the row is gone: if the delete fails the key stays, and so must its spend.
                if case .success = result { spendWriter.discard(keyID: id) }
                completion(Self.error(of: result))
            })
    }

    /// Buffers the cost of a settled request, to be added to the key's counters with the next batch (about
    /// `StoreOptions.flushDelayMilliseconds` later) or when the store closes.
    public func recordSpend(keyID: String, cost: Double, periodStart: Double) {
        spendWriter.record(keyID: keyID, SpendDelta(periodStart: periodStart, cost: cost))
    }

    /// Reads every key on the worker; `completion` runs on the loop with them and the spend not written into
    /// them yet (`SpendWriter.unwritten`, taken when the read reports back).
    ///
    /// That pairing counts every recorded delta exactly once because the worker runs jobs one at a time in the
    /// order they were submitted and its replies reach the loop in that same order (`StoreWorker.run` posts each
    /// reply as its job finishes, and the `Mailbox` hands messages over first in, first out). So when this read
    /// reports back, every spend batch submitted before it has run before the read (and is in the keys) and has
    /// reported back (a failed one is in the buffer again, and its transaction left no trace), while every batch
    /// submitted after it is still in flight or buffered, and in `unwritten`. (Only a job refused because the
    /// store is closing reports out of order, at once; a refused read changes nothing.)
    public func reloadKeys(completion: @escaping (Result<KeySnapshot, Error>) -> Void) {
        loop.assertInLoop()
        worker.submit(
            { database in try KeysTable.loadAll(from: database) },
            completion: { [spendWriter] result in
                completion(result.map { KeySnapshot(keys: $0, unwritten: spendWriter.unwritten()) })
            })
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
