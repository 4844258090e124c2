import Routing
import XCTest

@testable import Store

final class SchemaTests: StoreTestCase {
    func testAFreshFileIsMigratedToTheLatestVersion() throws {
        let database = try otherConnection()
        XCTAssertEqual(try Schema.migrate(database), 0, "found an empty file")
        XCTAssertEqual(try database.scalarInt("PRAGMA user_version"), Schema.latestVersion)
        let tables = try database.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        var names: [String] = []
        while try tables.step() { names.append(tables.text(0) ?? "") }
        XCTAssertEqual(names, ["aliases", "keys", "usage", "usage_tags"])
        // Automatic indexes (for primary keys) have no SQL; only the ones the migration creates are listed.
        let indexes = try database.prepare(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
        var indexNames: [String] = []
        while try indexes.step() { indexNames.append(indexes.text(0) ?? "") }
        XCTAssertEqual(indexNames, ["usage_created_at", "usage_key_id", "usage_tags_tag"])
        try database.close()
        try closeLoop()
    }

    func testMigratingAgainChangesNothingAndKeepsData() throws {
        let store = try openStore()
        store.usageWriter.record(sampleRecord(1))
        close(store)
        // Reopening runs the migrations again: they must see the version and leave the data alone.
        let reopened = try openStore()
        let found = wait { reopened.usageRecord(id: "gen-1", completion: $0) }
        XCTAssertEqual(try found?.get(), sampleRecord(1))
        close(reopened)
        let database = try otherConnection()
        XCTAssertEqual(try Schema.migrate(database), Schema.latestVersion)
        XCTAssertEqual(try database.scalarInt("SELECT COUNT(*) FROM usage"), 1)
        XCTAssertEqual(
            logs.lines(atLeast: .info, containing: "store opened").last?.metadata["migrated_from"],
            "\(Schema.latestVersion)")
        try database.close()
        try closeLoop()
    }

    func testAVersionOneFileGainsTheKeysTableAndKeepsItsRows() throws {
        let database = try otherConnection()
        try database.execute(Schema.usageAndAliases)
        try database.execute("PRAGMA user_version = 1")
        try database.execute("INSERT INTO aliases VALUES ('fast', '{\"targets\": [\"openai/gpt-4o-mini\"]}', 1)")
        try database.close()
        let store = try openStore()
        XCTAssertEqual(try store.keys.loadKeys(), [])
        XCTAssertEqual(try store.aliases.loadAliases().map(\.name), ["fast"])
        close(store)
        XCTAssertEqual(logs.lines(atLeast: .info, containing: "store opened").last?.metadata["migrated_from"], "1")
        try closeLoop()
    }

    func testAVersionTwoFileGainsCacheWriteTokensAndItsRowsReadAsNone() throws {
        let database = try otherConnection()
        try database.execute(Schema.usageAndAliases)
        try database.execute(Schema.keys)
        try database.execute("PRAGMA user_version = 2")
        try database.execute(
            """
            INSERT INTO usage (id, created_at, face, requested_model, resolved_model, provider, prompt_tokens, status,
                http_status) VALUES ('gen-old', 1, 'http', 'm', 'p/m', 'p', 12, 'ok', 200)
            """)
        try database.close()
        let store = try openStore()
        let old = wait { store.usageRecord(id: "gen-old", completion: $0) }
        XCTAssertEqual(try old?.get()?.usage, TokenUsage(prompt: 12))
        store.usageWriter.record(sampleRecord(2))
        close(store)  // flushes the row
        XCTAssertEqual(logs.lines(atLeast: .info, containing: "store opened").last?.metadata["migrated_from"], "2")
        let reopened = try openStore()
        let new = wait { reopened.usageRecord(id: "gen-2", completion: $0) }
        XCTAssertEqual(try new?.get()?.usage.cacheWrite, 200, "new rows keep the count")
        close(reopened)
        try closeLoop()
    }

    func testMigrationsAreNumberedInOrder() throws {
        let versions = Schema.migrations.map(\.version)
        XCTAssertEqual(versions, Array(1...versions.count), "each migration bumps user_version by one")
        try closeLoop()
    }

    func testAFileFromANewerBuildIsRefusedWithAdvice() throws {
        let database = try otherConnection()
        try database.execute("PRAGMA user_version = \(Schema.latestVersion + 1)")
        try database.close()
        XCTAssertThrowsError(try openStore()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(databasePath()), text)
            XCTAssertTrue(text.contains("newer"), text)
            XCTAssertTrue(text.contains("Run the newer Switchyard"), text)
        }
        try closeLoop()
    }
}
