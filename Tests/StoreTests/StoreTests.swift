import Foundation
import XCTest

@testable import Store

final class StoreTests: StoreTestCase {
    func testOpeningCreatesMissingParentDirectories() throws {
        let store = try openStore("a/b/c/store.sqlite")
        XCTAssertTrue(FileManager.default.fileExists(atPath: databasePath("a/b/c/store.sqlite")))
        close(store)
        try closeLoop()
    }

    func testAFileThatIsNotADatabaseGivesAClearError() throws {
        let path = databasePath("notes.sqlite")
        try Data(String(repeating: "shopping list: eggs, milk\n", count: 100).utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try openStore("notes.sqlite")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("cannot open the database \"\(path)\""), text)
            XCTAssertTrue(text.contains("SQLITE_NOTADB"), text)
            XCTAssertTrue(text.contains("Move it aside"), text)
            XCTAssertEqual((error as? StoreError)?.sqlite?.codeName, "SQLITE_NOTADB")
        }
        try closeLoop()  // nothing was left open
    }

    func testAPathUnderARegularFileGivesAClearError() throws {
        try Data("x".utf8).write(to: directory.appendingPathComponent("plain-file"))
        let path = databasePath("plain-file/store.sqlite")
        XCTAssertThrowsError(try openStore("plain-file/store.sqlite")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("cannot open the database \"\(path)\""), text)
            XCTAssertTrue(text.contains("choose another database path"), text)
        }
        try closeLoop()
    }

    func testADirectoryAsThePathGivesAClearError() throws {
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("dir.sqlite"),
            withIntermediateDirectories: true)
        XCTAssertThrowsError(try openStore("dir.sqlite")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(databasePath("dir.sqlite")), text)
            XCTAssertTrue(text.contains("SQLITE_CANTOPEN"), text)
            XCTAssertTrue(text.contains("choose another database path"), text)
        }
        try closeLoop()
    }

    func testInMemoryPathsAreRefused() throws {
        XCTAssertThrowsError(try Store(path: ":memory:", loop: loop, logger: logger)) { error in
            XCTAssertTrue("\(error)".contains("must name a file"), "\(error)")
        }
        try closeLoop()
    }

    func testReadsAfterCloseFailAndCloseTwiceIsHarmless() throws {
        let store = try openStore()
        close(store)
        close(store)
        let result = wait { store.usageRecord(id: "gen-1", completion: $0) }
        guard case .failure(let error)? = result else { return XCTFail("\(String(describing: result))") }
        XCTAssertTrue("\(error)".contains("closed"), "\(error)")
        let aliasError = wait { store.aliases.deleteAlias(named: "x", completion: $0) }
        XCTAssertNotNil(aliasError ?? nil)
        try closeLoop()
    }
}
