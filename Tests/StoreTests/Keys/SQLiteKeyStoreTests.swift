import Foundation
import Routing
import XCTest
@testable import Store

/// A key with every field set to a value that is easy to get wrong: fractions that are not binary, text with
/// quotes and non-ASCII characters, every list non-empty.
func fullKey(_ index: Int = 1) -> APIKey {
    APIKey(id: "key_\(String(format: "%016x", index))", secretHash: String(repeating: "ab", count: 31) + String(format: "%02x", index),
           name: "team \"ünïcode\" ☕ \(index)", kind: .provisioning, creditLimit: 12.345_678_9,
           resetInterval: .weekly, allowedModels: ["openai/*", "fast"], rpmLimit: 60, tpmLimit: 1_000_000_000_000,
           maxInFlight: 3, expiresAt: 1_800_000_000.25, tags: ["team-a", "café"], allowedServers: ["time", "git*"],
           allowedTools: ["time__*", "chat"], disabled: true, createdAt: 1_700_000_000.5 + Double(index),
           spend: 0.1 / 3, periodStart: 1_699_833_600, totalSpend: 7.000_000_1)
}

/// A key with nothing but the required fields: nil limits, empty lists.
func bareKey(_ index: Int = 2) -> APIKey {
    APIKey(id: "key_\(String(format: "%016x", index))", secretHash: String(repeating: "cd", count: 31) + String(format: "%02x", index),
           name: "bare \(index)", createdAt: 1_700_000_000 + Double(index))
}

final class SQLiteKeyStoreTests: StoreTestCase {
    private func save(_ key: APIKey, in store: Store, file: StaticString = #filePath, line: UInt = #line) {
        let error = wait(file: file, line: line) { store.keys.saveKey(key, completion: $0) }
        XCTAssertNil(error ?? StoreError("timed out"), file: file, line: line)
    }

    private func delete(_ id: String, in store: Store, file: StaticString = #filePath, line: UInt = #line) {
        let error = wait(file: file, line: line) { store.keys.deleteKey(id: id, completion: $0) }
        XCTAssertNil(error ?? StoreError("timed out"), file: file, line: line)
    }

    private func flushSpend(_ store: Store, file: StaticString = #filePath, line: UInt = #line) {
        let error = wait(file: file, line: line) { store.keys.flushSpend(completion: $0) }
        XCTAssertNil(error ?? StoreError("timed out"), file: file, line: line)
    }

    /// The stored counters of `id`, read through a second connection.
    private func storedSpend(_ id: String) throws -> [Double]? {
        let database = try otherConnection()
        defer { XCTAssertNoThrow(try database.close()) }
        let statement = try database.prepare("SELECT spend, period_start, total_spend FROM keys WHERE id = '\(id)'")
        guard try statement.step() else { return nil }
        return [statement.double(0), statement.double(1), statement.double(2)]
    }

    func testEveryFieldRoundTripsIncludingNilLimitsAndEmptyLists() throws {
        let store = try openStore()
        XCTAssertEqual(try store.keys.loadKeys(), [])
        let loopThread = pthread_self()
        var onLoop = true
        for key in [fullKey(), bareKey()] {
            let error = wait { done in
                store.keys.saveKey(key) { error in
                    if pthread_equal(pthread_self(), loopThread) == 0 { onLoop = false }
                    done(error)
                }
            }
            XCTAssertNil(error ?? StoreError("timed out"))
        }
        XCTAssertTrue(onLoop, "completions run on the loop thread")
        XCTAssertEqual(try store.keys.loadKeys(), [fullKey(), bareKey()])
        close(store)

        let reopened = try openStore()
        XCTAssertEqual(try reopened.keys.loadKeys(), [fullKey(), bareKey()], "oldest first, every field intact")
        close(reopened)
        let database = try otherConnection()
        XCTAssertEqual(try database.scalarText("SELECT allowed_models FROM keys WHERE id = '\(fullKey().id)'"), #"["openai/*","fast"]"#)
        XCTAssertEqual(try database.scalarInt("SELECT COUNT(*) FROM keys WHERE credit_limit IS NULL AND rpm_limit IS NULL AND tpm_limit IS NULL AND max_in_flight IS NULL AND expires_at IS NULL"), 1)
        try database.close()
        XCTAssertThrowsError(try reopened.keys.loadKeys()) { XCTAssertTrue("\($0)".contains("closed"), "\($0)") }
        try closeLoop()
    }

    func testSavingAgainReplacesTheRecordAndDeleteRemovesIt() throws {
        let store = try openStore()
        save(fullKey(), in: store)
        save(bareKey(), in: store)
        var changed = fullKey()
        changed.name = "renamed"
        changed.creditLimit = nil
        changed.rpmLimit = nil
        changed.allowedModels = []
        changed.disabled = false
        save(changed, in: store)
        XCTAssertEqual(try store.keys.loadKeys(), [changed, bareKey()])
        delete(bareKey().id, in: store)
        delete(bareKey().id, in: store)  // deleting a key that is not stored is not an error
        XCTAssertEqual(try store.keys.loadKeys(), [changed])
        close(store)
        let reopened = try openStore()
        XCTAssertEqual(try reopened.keys.loadKeys(), [changed])
        close(reopened)
        try closeLoop()
    }

    func testSpendIsCoalescedPerKeyAndTheLatestValuesAreWritten() throws {
        let store = try openStore(options: StoreOptions(flushDelayMilliseconds: 600_000))
        save(fullKey(1), in: store)
        save(bareKey(2), in: store)
        for step in 1...100 {
            store.keys.recordSpend(keyID: fullKey(1).id, spend: Double(step) * 0.01, periodStart: 1_699_833_600,
                                   totalSpend: 7 + Double(step) * 0.01)
            if step <= 50 {
                store.keys.recordSpend(keyID: bareKey(2).id, spend: Double(step), periodStart: 0, totalSpend: Double(step))
            }
        }
        XCTAssertEqual(store.worker.outstandingJobs, 0, "spend waits for the batch delay")
        XCTAssertEqual(store.keys.spendWriter.bufferedKeys, 2)
        flushSpend(store)
        XCTAssertEqual(store.keys.spendWriter.writtenUpdates, 2, "one row update per key, not one per request")
        XCTAssertEqual(try storedSpend(fullKey(1).id), [1.0, 1_699_833_600, 8.0])
        XCTAssertEqual(try storedSpend(bareKey(2).id), [50, 0, 50])

        // Recorded right before close, with a delay no test waits for: close writes it.
        store.keys.recordSpend(keyID: bareKey(2).id, spend: 51.5, periodStart: 0, totalSpend: 51.5)
        close(store)
        XCTAssertEqual(store.keys.spendWriter.bufferedKeys, 0)
        let reopened = try openStore()
        let loaded = try reopened.keys.loadKeys()
        XCTAssertEqual(loaded.map(\.spend), [1.0, 51.5])
        XCTAssertEqual(loaded.map(\.totalSpend), [8.0, 51.5])
        close(reopened)
        // After close, spend is refused loudly rather than kept in memory.
        store.keys.recordSpend(keyID: bareKey(2).id, spend: 99, periodStart: 0, totalSpend: 99)
        XCTAssertEqual(logs.lines(atLeast: .error, containing: "key spend recorded after the store began closing").count, 1)
        try closeLoop()
    }

    func testSpendIsWrittenAfterTheDelayWithoutAFlush() throws {
        let store = try openStore(options: StoreOptions(flushDelayMilliseconds: 20))
        save(bareKey(), in: store)
        store.keys.recordSpend(keyID: bareKey().id, spend: 0.25, periodStart: 0, totalSpend: 0.25)
        XCTAssertEqual(store.worker.outstandingJobs, 0)
        runLoop(loop, until: { store.keys.spendWriter.writtenUpdates == 1 }, timeout: 10_000)
        XCTAssertEqual(try storedSpend(bareKey().id), [0.25, 0, 0.25])
        close(store)
        try closeLoop()
    }

    func testOlderCountersNeverOverwriteNewerOnes() throws {
        let store = try openStore()
        var key = bareKey()
        key.resetInterval = .daily
        key.spend = 2
        key.periodStart = 86_400 * 2
        key.totalSpend = 10
        save(key, in: store)
        // From an earlier period (a spend write that a full save overtook): skipped.
        store.keys.recordSpend(keyID: key.id, spend: 9, periodStart: 86_400, totalSpend: 9.5)
        flushSpend(store)
        XCTAssertEqual(try storedSpend(key.id), [2, 86_400 * 2, 10])
        // Same period, smaller total: skipped too.
        store.keys.recordSpend(keyID: key.id, spend: 1, periodStart: 86_400 * 2, totalSpend: 9)
        flushSpend(store)
        XCTAssertEqual(try storedSpend(key.id), [2, 86_400 * 2, 10])
        // Later ones are written, including a new period starting from zero.
        store.keys.recordSpend(keyID: key.id, spend: 0.5, periodStart: 86_400 * 3, totalSpend: 10.5)
        flushSpend(store)
        XCTAssertEqual(try storedSpend(key.id), [0.5, 86_400 * 3, 10.5])
        // A full save read before that write (the command line while a server runs) changes the fields but
        // leaves the newer counters alone.
        key.name = "renamed"
        save(key, in: store)
        XCTAssertEqual(try store.keys.loadKeys().map(\.name), ["renamed"])
        XCTAssertEqual(try storedSpend(key.id), [0.5, 86_400 * 3, 10.5])
        close(store)
        try closeLoop()
    }

    func testSpendForADeletedKeyDoesNotBringItBack() throws {
        let store = try openStore()
        save(bareKey(), in: store)
        store.keys.recordSpend(keyID: bareKey().id, spend: 1, periodStart: 0, totalSpend: 1)
        delete(bareKey().id, in: store)
        XCTAssertEqual(store.keys.spendWriter.bufferedKeys, 0, "deleting drops the key's buffered spend")
        // Spend settled after the delete (a request that was in flight): the UPDATE finds no row.
        store.keys.recordSpend(keyID: bareKey().id, spend: 2, periodStart: 0, totalSpend: 2)
        flushSpend(store)
        XCTAssertNil(try storedSpend(bareKey().id))
        XCTAssertEqual(try store.keys.loadKeys(), [])
        close(store)
        try closeLoop()
    }

    func testAFailedSpendBatchIsRetriedAndTheLatestValuesWin() throws {
        let store = try openStore(options: StoreOptions(retryDelayMilliseconds: 10, maxRetryDelayMilliseconds: 100))
        save(bareKey(), in: store)
        // Another connection takes the table away: every batch fails until it is back.
        let other = try otherConnection()
        try other.execute("ALTER TABLE keys RENAME TO keys_away")
        store.keys.recordSpend(keyID: bareKey().id, spend: 1, periodStart: 0, totalSpend: 1)
        let flushError = wait { store.keys.flushSpend(completion: $0) }
        XCTAssertTrue("\(String(describing: flushError))".contains("no such table"), "\(String(describing: flushError))")
        XCTAssertEqual(store.keys.spendWriter.bufferedKeys, 1, "the failed counters are kept")
        // Newer counters recorded while failing replace the kept ones.
        store.keys.recordSpend(keyID: bareKey().id, spend: 3, periodStart: 0, totalSpend: 3)
        runLoop(loop, until: { self.logs.lines(atLeast: .error, containing: "writing key spend failed").count >= 3 },
                timeout: 10_000)
        try other.execute("ALTER TABLE keys_away RENAME TO keys")
        try other.close()
        runLoop(loop, until: { store.keys.spendWriter.bufferedKeys == 0 }, timeout: 10_000)
        XCTAssertEqual(logs.lines(atLeast: .notice, containing: "key spend is being written again").count, 1)
        XCTAssertEqual(try storedSpend(bareKey().id), [3, 0, 3])
        close(store)
        try closeLoop()
    }

    func testARowThatCannotBeReadNamesTheKey() throws {
        let store = try openStore()
        save(bareKey(), in: store)
        close(store)
        let other = try otherConnection()
        try other.execute("UPDATE keys SET kind = 'admin'")
        try other.close()
        let reopened = try openStore()
        XCTAssertThrowsError(try reopened.keys.loadKeys()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("keys row \"\(bareKey().id)\""), text)
            XCTAssertTrue(text.contains("kind \"admin\""), text)
        }
        close(reopened)
        let again = try otherConnection()
        try again.execute("UPDATE keys SET kind = 'api', tags = '[1]'")
        try again.close()
        let third = try openStore()
        XCTAssertThrowsError(try third.keys.loadKeys()) { XCTAssertTrue("\($0)".contains("tags holds 1"), "\($0)") }
        close(third)
        try closeLoop()
    }
}
