import Foundation
import Routing
import XCTest

@testable import Store

/// A key with every field set to a value that is easy to get wrong: fractions that are not binary, text with
/// quotes and non-ASCII characters, every list non-empty.
func fullKey(_ index: Int = 1) -> APIKey {
    APIKey(
        id: "key_\(String(format: "%016x", index))",
        secretHash: String(repeating: "ab", count: 31) + String(format: "%02x", index),
        name: "team \"ünïcode\" ☕ \(index)", kind: .provisioning, creditLimit: 12.345_678_9,
        resetInterval: .weekly, allowedModels: ["openai/*", "fast"], rpmLimit: 60, tpmLimit: 1_000_000_000_000,
        maxInFlight: 3, expiresAt: 1_800_000_000.25, tags: ["team-a", "café"], allowedServers: ["time", "git*"],
        allowedTools: ["time__*", "chat"], disabled: true, createdAt: 1_700_000_000.5 + Double(index),
        spend: 0.1 / 3, periodStart: 1_699_833_600, totalSpend: 7.000_000_1)
}

/// A key with nothing but the required fields: nil limits, empty lists.
func bareKey(_ index: Int = 2) -> APIKey {
    APIKey(
        id: "key_\(String(format: "%016x", index))",
        secretHash: String(repeating: "cd", count: 31) + String(format: "%02x", index),
        name: "bare \(index)", createdAt: 1_700_000_000 + Double(index))
}

extension StoreTestCase {
    func save(_ key: APIKey, in store: Store, file: StaticString = #filePath, line: UInt = #line) {
        let error = wait(file: file, line: line) { store.keys.saveKey(key, completion: $0) }
        XCTAssertNil(error ?? StoreError("timed out"), file: file, line: line)
    }

    func delete(_ id: String, in store: Store, file: StaticString = #filePath, line: UInt = #line) {
        let error = wait(file: file, line: line) { store.keys.deleteKey(id: id, completion: $0) }
        XCTAssertNil(error ?? StoreError("timed out"), file: file, line: line)
    }

    func flushSpend(_ store: Store, file: StaticString = #filePath, line: UInt = #line) {
        let error = wait(file: file, line: line) { store.keys.flushSpend(completion: $0) }
        XCTAssertNil(error ?? StoreError("timed out"), file: file, line: line)
    }

    /// The stored `[spend, period_start, total_spend]` of `id`, read through a second connection.
    func storedSpend(_ id: String) throws -> [Double]? {
        let database = try otherConnection()
        defer { XCTAssertNoThrow(try database.close()) }
        let statement = try database.prepare("SELECT spend, period_start, total_spend FROM keys WHERE id = '\(id)'")
        guard try statement.step() else { return nil }
        return [statement.double(0), statement.double(1), statement.double(2)]
    }
}

/// Key records: every field stored and read back, replaced, deleted, and rows that cannot be read. The spend
/// counters are `KeySpendTests`'.
final class SQLiteKeyStoreTests: StoreTestCase {
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
        XCTAssertEqual(
            try database.scalarText("SELECT allowed_models FROM keys WHERE id = '\(fullKey().id)'"), #"["openai/*","fast"]"#)
        XCTAssertEqual(
            try database.scalarInt(
                "SELECT COUNT(*) FROM keys WHERE credit_limit IS NULL AND rpm_limit IS NULL AND tpm_limit IS NULL AND max_in_flight IS NULL AND expires_at IS NULL"
            ), 1)
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
