import CSQLite
import Foundation
import XCTest

@testable import Store

final class SQLiteDatabaseTests: StoreTestCase {
    func testConnectionIsConfiguredForWALWithForeignKeys() throws {
        let database = try otherConnection()
        XCTAssertEqual(database.journalMode, "wal")
        XCTAssertEqual(try database.scalarText("PRAGMA journal_mode"), "wal")
        XCTAssertEqual(try database.scalarInt("PRAGMA synchronous"), 1, "NORMAL")
        XCTAssertEqual(try database.scalarInt("PRAGMA foreign_keys"), 1)
        XCTAssertEqual(try database.scalarInt("PRAGMA busy_timeout"), 5_000)
        try database.close()
        try closeLoop()
    }

    func testEveryTypeBindsAndReadsBack() throws {
        let database = try otherConnection()
        try database.execute("CREATE TABLE t (i INT, d REAL, s TEXT, n TEXT)")
        let insert = try database.prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4)")
        let texts = ["", "plain", "café ☕ 🚀", "nul\u{0}inside", String(repeating: "x", count: 100_000)]
        for (index, text) in texts.enumerated() {
            insert.reset()
            try insert.bind(index == 0 ? Int.max : Int.min + index, at: 1)
            try insert.bind(Double(index) / 3, at: 2)
            try insert.bind(text, at: 3)
            try insert.bind(nil as String?, at: 4)
            try insert.execute()
        }
        let select = try database.prepare("SELECT i, d, s, n FROM t ORDER BY rowid")
        for (index, text) in texts.enumerated() {
            XCTAssertTrue(try select.step())
            XCTAssertEqual(select.int(0), index == 0 ? Int.max : Int.min + index)
            XCTAssertEqual(select.double(1), Double(index) / 3)
            XCTAssertEqual(select.text(2), text, "row \(index)")
            XCTAssertFalse(select.isNull(2))
            XCTAssertNil(select.text(3))
            XCTAssertNil(select.optionalInt(3))
            XCTAssertNil(select.optionalDouble(3))
        }
        XCTAssertFalse(try select.step())
        try database.close()
        try closeLoop()
    }

    func testErrorsCarryTheCodeSQLitesMessageAndTheSQL() throws {
        let database = try otherConnection()
        XCTAssertThrowsError(try database.prepare("SELECT * FROM missing")) { error in
            guard let error = error as? SQLiteError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.code, SQLITE_ERROR)
            XCTAssertEqual(error.codeName, "SQLITE_ERROR")
            XCTAssertEqual(error.message, "no such table: missing")
            XCTAssertEqual(error.sql, "SELECT * FROM missing")
            XCTAssertTrue(
                error.description.contains("no such table: missing (SQLITE_ERROR) in: SELECT * FROM missing"),
                error.description)
        }
        try database.execute("CREATE TABLE t (id TEXT PRIMARY KEY)")
        let insert = try database.cachedStatement("INSERT INTO t VALUES (?1)")
        try insert.bind("a", at: 1)
        try insert.execute()
        insert.reset()
        try insert.bind("a", at: 1)
        XCTAssertThrowsError(try insert.execute()) { error in
            XCTAssertEqual((error as? SQLiteError)?.code, SQLITE_CONSTRAINT)
            XCTAssertNotEqual((error as? SQLiteError)?.extendedCode, SQLITE_CONSTRAINT, "extended codes are on")
        }
        try database.close()
        try closeLoop()
    }

    func testTransactionCommitsOrRollsBackAsAWhole() throws {
        let database = try otherConnection()
        try database.execute("CREATE TABLE t (id INT PRIMARY KEY)")
        struct Abort: Error {}
        XCTAssertThrowsError(
            try database.transaction {
                try database.execute("INSERT INTO t VALUES (1)")
                throw Abort()
            }
        ) { XCTAssertTrue($0 is Abort) }
        XCTAssertEqual(try database.scalarInt("SELECT COUNT(*) FROM t"), 0, "rolled back")
        // A failing statement inside rolls back the rows before it too.
        XCTAssertThrowsError(
            try database.transaction {
                try database.execute("INSERT INTO t VALUES (2)")
                try database.execute("INSERT INTO t VALUES (2)")
            })
        XCTAssertEqual(try database.scalarInt("SELECT COUNT(*) FROM t"), 0)
        let inserted = try database.transaction { () throws -> Int in
            try database.execute("INSERT INTO t VALUES (3); INSERT INTO t VALUES (4)")
            return database.changes
        }
        XCTAssertEqual(inserted, 1, "changes counts the last statement")
        XCTAssertEqual(try database.scalarInt("SELECT COUNT(*) FROM t"), 2)
        try database.close()
        try closeLoop()
    }

    func testCachedStatementsAreCompiledOnce() throws {
        let database = try otherConnection()
        let first = try database.cachedStatement("SELECT 1")
        let second = try database.cachedStatement("SELECT 1")
        XCTAssertTrue(first === second)
        XCTAssertFalse(first === (try database.prepare("SELECT 1")))
        try database.close()
        XCTAssertFalse(database.isOpen)
        try database.close()  // twice is harmless
        try closeLoop()
    }

    func testAFileThatIsNotADatabaseFailsWithNotADB() throws {
        let path = databasePath("garbage.sqlite")
        try Data(String(repeating: "this is not a database\n", count: 100).utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try SQLiteDatabase(path: path)) { error in
            XCTAssertEqual((error as? SQLiteError)?.code, SQLITE_NOTADB, "\(error)")
        }
        try closeLoop()
    }
}
