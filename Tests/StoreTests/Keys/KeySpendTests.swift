import Foundation
import LoopTestSupport
import Routing
import XCTest

@testable import Store

/// Spend is stored as increments: every batch adds to the counters, so processes sharing the file (two `Store`
/// objects here) add up their spend instead of overwriting each other's.
final class KeySpendTests: StoreTestCase {
    private func assertStored(_ id: String, _ expected: [Double], file: StaticString = #filePath, line: UInt = #line) throws
    {
        let stored = try XCTUnwrap(try storedSpend(id), "no row for \(id)", file: file, line: line)
        XCTAssertEqual(stored.count, 3, file: file, line: line)
        for (name, (got, want)) in zip(["spend", "period_start", "total_spend"], zip(stored, expected)) {
            XCTAssertEqual(got, want, accuracy: 1e-9, "\(name): \(stored) vs \(expected)", file: file, line: line)
        }
    }

    private func reload(_ store: Store, file: StaticString = #filePath, line: UInt = #line) throws -> KeySnapshot {
        let result = try XCTUnwrap(
            wait(file: file, line: line) { store.keys.reloadKeys(completion: $0) }, file: file, line: line)
        return try result.get()
    }

    func testDeltasAddUpPerKeyAndPeriodAndAcrossBatches() throws {
        let store = try openStore(options: StoreOptions(flushDelayMilliseconds: 600_000))
        save(fullKey(1), in: store)  // stored with spend 0.1/3 and total 7.0000001
        save(bareKey(2), in: store)
        for step in 1...100 {
            store.keys.recordSpend(keyID: fullKey(1).id, cost: 0.01, periodStart: 1_699_833_600)
            if step <= 50 { store.keys.recordSpend(keyID: bareKey(2).id, cost: 1, periodStart: 0) }
        }
        XCTAssertEqual(store.worker.outstandingJobs, 0, "spend waits for the batch delay")
        XCTAssertEqual(store.keys.spendWriter.bufferedKeys, 2)
        flushSpend(store)
        XCTAssertEqual(store.keys.spendWriter.writtenUpdates, 2, "one row update per key and period, not one per request")
        try assertStored(fullKey(1).id, [0.1 / 3 + 1, 1_699_833_600, 8.000_000_1])
        try assertStored(bareKey(2).id, [50, 0, 50])

        // A second batch adds to the first; recorded right before close, with a delay no test waits for.
        store.keys.recordSpend(keyID: bareKey(2).id, cost: 1.5, periodStart: 0)
        close(store)
        XCTAssertEqual(store.keys.spendWriter.bufferedKeys, 0)
        let reopened = try openStore()
        let loaded = try reopened.keys.loadKeys()
        XCTAssertEqual(loaded.map(\.spend)[1], 51.5)
        XCTAssertEqual(loaded.map(\.totalSpend)[1], 51.5)
        close(reopened)
        // After close, spend is refused loudly rather than kept in memory.
        store.keys.recordSpend(keyID: bareKey(2).id, cost: 99, periodStart: 0)
        XCTAssertEqual(logs.lines(atLeast: .error, containing: "key spend recorded after the store began closing").count, 1)
        try closeLoop()
    }

    func testSpendIsWrittenAfterTheDelayWithoutAFlush() throws {
        let store = try openStore(options: StoreOptions(flushDelayMilliseconds: 20))
        save(bareKey(), in: store)
        store.keys.recordSpend(keyID: bareKey().id, cost: 0.25, periodStart: 0)
        XCTAssertEqual(store.worker.outstandingJobs, 0)
        runLoop(loop, until: { store.keys.spendWriter.writtenUpdates == 1 }, timeout: 10_000)
        try assertStored(bareKey().id, [0.25, 0, 0.25])
        close(store)
        try closeLoop()
    }

    func testTwoStoresOnOneFileAddUpTheirSpend() throws {
        // Two `Store`s on one file, as `switchyard serve` and `switchyard stdio` are: two connections, two
        // writers. With counters written as absolute values the file held the larger of the two, not the sum.
        let first = try openStore(options: StoreOptions(flushDelayMilliseconds: 600_000))
        let second = try openStore(options: StoreOptions(flushDelayMilliseconds: 600_000))
        save(bareKey(), in: first)
        for round in 0..<3 {
            for _ in 0..<4 { first.keys.recordSpend(keyID: bareKey().id, cost: 0.25, periodStart: 0) }
            for _ in 0..<4 { second.keys.recordSpend(keyID: bareKey().id, cost: 0.5, periodStart: 0) }
            // Alternate which one writes first, so each batch lands on the other's counters.
            for store in round % 2 == 0 ? [first, second] : [second, first] { flushSpend(store) }
        }
        try assertStored(bareKey().id, [9, 0, 9])
        for store in [first, second] {
            let snapshot = try reload(store)
            XCTAssertEqual(snapshot.keys.map(\.spend), [9], "each process reads the other's spend")
            XCTAssertEqual(snapshot.unwritten, [:])
        }
        close(first)
        close(second)
        try closeLoop()
    }

    func testANewPeriodStartsOverAndAnOlderOneCountsOnlyInTheTotal() throws {
        let store = try openStore(options: StoreOptions(flushDelayMilliseconds: 600_000))
        var key = bareKey()
        key.resetInterval = .daily
        key.spend = 2
        key.periodStart = 86_400 * 2
        key.totalSpend = 10
        save(key, in: store)
        // Settled in the day before (by a process that had not rolled over yet): only the total grows.
        store.keys.recordSpend(keyID: key.id, cost: 9, periodStart: 86_400)
        flushSpend(store)
        try assertStored(key.id, [2, 86_400 * 2, 19])
        store.keys.recordSpend(keyID: key.id, cost: 1, periodStart: 86_400 * 2)
        flushSpend(store)
        try assertStored(key.id, [3, 86_400 * 2, 20])
        // One batch spanning a rollover: the new day starts from its own spend, in whatever order they run.
        store.keys.recordSpend(keyID: key.id, cost: 0.5, periodStart: 86_400 * 3)
        store.keys.recordSpend(keyID: key.id, cost: 0.25, periodStart: 86_400 * 2)
        store.keys.recordSpend(keyID: key.id, cost: 0.125, periodStart: 86_400 * 3)
        XCTAssertEqual(
            store.keys.spendWriter.unwritten(),
            [
                key.id: [
                    SpendDelta(periodStart: 86_400 * 3, cost: 0.625),
                    SpendDelta(periodStart: 86_400 * 2, cost: 0.25),
                ]
            ],
            "one delta per key and period")
        flushSpend(store)
        XCTAssertEqual(store.keys.spendWriter.writtenUpdates, 4)
        try assertStored(key.id, [0.625, 86_400 * 3, 20.875])
        close(store)
        try closeLoop()
    }

    func testSavingAKeyNeverChangesItsCounters() throws {
        let store = try openStore()
        var key = bareKey()
        key.spend = 1.5
        key.periodStart = 86_400
        key.totalSpend = 3
        save(key, in: store)
        try assertStored(key.id, [1.5, 86_400, 3])  // an insert writes the initial counters
        store.keys.recordSpend(keyID: key.id, cost: 5, periodStart: 86_400)
        flushSpend(store)
        // A save from a copy read earlier (the command line while a server runs), or one with made-up counters,
        // changes the fields and leaves the counters alone.
        key.name = "renamed"
        key.spend = 99
        key.periodStart = 86_400 * 9
        key.totalSpend = 1_000
        save(key, in: store)
        XCTAssertEqual(try store.keys.loadKeys().map(\.name), ["renamed"])
        try assertStored(key.id, [6.5, 86_400, 8])
        close(store)
        try closeLoop()
    }

    func testSpendForADeletedKeyDoesNotBringItBack() throws {
        let store = try openStore()
        save(bareKey(), in: store)
        store.keys.recordSpend(keyID: bareKey().id, cost: 1, periodStart: 0)
        delete(bareKey().id, in: store)
        XCTAssertEqual(store.keys.spendWriter.bufferedKeys, 0, "deleting drops the key's buffered spend")
        // Spend settled after the delete (a request that was in flight): the UPDATE finds no row.
        store.keys.recordSpend(keyID: bareKey().id, cost: 2, periodStart: 0)
        flushSpend(store)
        XCTAssertNil(try storedSpend(bareKey().id))
        XCTAssertEqual(try store.keys.loadKeys(), [])
        close(store)
        try closeLoop()
    }

    func testAFailedBatchIsRetriedAndCountedOnce() throws {
        let store = try openStore(options: StoreOptions(retryDelayMilliseconds: 10, maxRetryDelayMilliseconds: 100))
        save(bareKey(), in: store)
        // Another connection takes the table away: every batch fails (and rolls back) until it is back.
        let other = try otherConnection()
        try other.execute("ALTER TABLE keys RENAME TO keys_away")
        store.keys.recordSpend(keyID: bareKey().id, cost: 1, periodStart: 0)
        let flushError = wait { store.keys.flushSpend(completion: $0) }
        XCTAssertTrue("\(String(describing: flushError))".contains("no such table"), "\(String(describing: flushError))")
        XCTAssertEqual(
            store.keys.spendWriter.unwritten(), [bareKey().id: [SpendDelta(periodStart: 0, cost: 1)]],
            "the failed spend is kept")
        // Spend recorded while failing is added to the kept spend, batch after failed batch.
        store.keys.recordSpend(keyID: bareKey().id, cost: 3, periodStart: 0)
        runLoop(
            loop, until: { self.logs.lines(atLeast: .error, containing: "writing key spend failed").count >= 3 },
            timeout: 10_000)
        store.keys.recordSpend(keyID: bareKey().id, cost: 0.5, periodStart: 0)
        try other.execute("ALTER TABLE keys_away RENAME TO keys")
        try other.close()
        runLoop(loop, until: { store.keys.spendWriter.bufferedKeys == 0 }, timeout: 10_000)
        XCTAssertEqual(logs.lines(atLeast: .notice, containing: "key spend is being written again").count, 1)
        try assertStored(bareKey().id, [4.5, 0, 4.5])
        close(store)
        try closeLoop()
    }

    func testReloadingReturnsTheSpendNotWrittenYet() throws {
        let store = try openStore(options: StoreOptions(flushDelayMilliseconds: 600_000))
        save(bareKey(), in: store)
        store.keys.recordSpend(keyID: bareKey().id, cost: 1, periodStart: 0)
        flushSpend(store)
        // Buffered: not in the row, in `unwritten`.
        store.keys.recordSpend(keyID: bareKey().id, cost: 0.5, periodStart: 0)
        var snapshot = try reload(store)
        XCTAssertEqual(snapshot.keys.map(\.spend), [1])
        XCTAssertEqual(snapshot.unwritten, [bareKey().id: [SpendDelta(periodStart: 0, cost: 0.5)]])
        XCTAssertEqual(snapshot.keysWithUnwrittenSpend.map(\.spend), [1.5])

        // A batch submitted after the read is still in flight when the read reports back: in `unwritten`.
        var read: Result<KeySnapshot, Error>?
        store.keys.reloadKeys { read = $0 }
        store.keys.flushSpend { XCTAssertNil($0) }
        runLoop(loop, until: { read != nil }, timeout: 10_000)
        snapshot = try XCTUnwrap(read).get()
        XCTAssertEqual(snapshot.keys.map(\.spend), [1])
        XCTAssertEqual(snapshot.unwritten, [bareKey().id: [SpendDelta(periodStart: 0, cost: 0.5)]])

        // A batch submitted before the read is in the keys, and no longer in `unwritten`.
        runLoop(loop, until: { store.keys.spendWriter.bufferedKeys == 0 }, timeout: 10_000)
        store.keys.recordSpend(keyID: bareKey().id, cost: 0.25, periodStart: 0)
        read = nil
        store.keys.flushSpend { XCTAssertNil($0) }
        store.keys.reloadKeys { read = $0 }
        runLoop(loop, until: { read != nil }, timeout: 10_000)
        snapshot = try XCTUnwrap(read).get()
        XCTAssertEqual(snapshot.keys.map(\.spend), [1.75])
        XCTAssertEqual(snapshot.unwritten, [:])
        close(store)
        try closeLoop()
    }
}
