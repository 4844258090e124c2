import Foundation
import Loop
import LoopTestSupport
import XCTest

final class DirectoryEntryWatcherTests: LoopTestCase {
    private func makeTemporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "switchyard-entry-watcher-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock {
            do { try FileManager.default.removeItem(atPath: path) } catch { print("cannot remove \(path): \(error)") }
        }
        return path
    }

    func testEntriesCreatedRenamedAndRemovedAreReportedByName() throws {
        let directory = try makeTemporaryDirectory()
        var names: [String?] = []
        let watcher = try DirectoryEntryWatcher(loop: loop, path: directory) { names.append($0) }
        try FileManager.default.createDirectory(atPath: directory + "/servers.d.new", withIntermediateDirectories: false)
        try FileManager.default.moveItem(atPath: directory + "/servers.d.new", toPath: directory + "/servers.d")
        try FileManager.default.removeItem(atPath: directory + "/servers.d")
        runLoop(loop, until: { names.count >= 4 }, timeout: 5_000)
        XCTAssertEqual(names, ["servers.d.new", "servers.d.new", "servers.d", "servers.d"])
        watcher.close()
        try closeLoop()
    }

    /// The reason this watcher exists: a database or log written next to servers.d must not wake the loop.
    func testWritesToFilesInTheDirectoryAreNotReported() throws {
        let directory = try makeTemporaryDirectory()
        let file = directory + "/usage.db"
        XCTAssertTrue(FileManager.default.createFile(atPath: file, contents: Data()))
        var names: [String?] = []
        let watcher = try DirectoryEntryWatcher(loop: loop, path: directory) { names.append($0) }
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: file))
        for _ in 0..<20 { handle.write(Data("row\n".utf8)) }
        try handle.close()
        // A marker entry afterwards: once it is seen, any event for the writes would have been seen before it.
        XCTAssertTrue(FileManager.default.createFile(atPath: directory + "/marker", contents: Data()))
        runLoop(loop, until: { names.contains("marker") }, timeout: 5_000)
        // (Foundation writes the marker through a temporary file renamed into place: those entries are fine.)
        XCTAssertFalse(names.contains("usage.db"), "writes to a file are not entry changes: \(names)")
        watcher.close()
        try closeLoop()
    }

    func testTheDirectoryGoingAwayIsReportedWithoutAName() throws {
        let directory = try makeTemporaryDirectory() + "/watched"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        var names: [String?] = []
        let watcher = try DirectoryEntryWatcher(loop: loop, path: directory) { names.append($0) }
        try FileManager.default.removeItem(atPath: directory)
        runLoop(loop, until: { names.contains(nil) }, timeout: 5_000)
        watcher.close()
        try closeLoop()
    }

    func testWatchingAMissingDirectoryThrowsAndLeaksNothing() throws {
        let path = try makeTemporaryDirectory() + "/does-not-exist"
        XCTAssertThrowsError(try DirectoryEntryWatcher(loop: loop, path: path) { _ in XCTFail("event") }) { error in
            XCTAssertEqual((error as? UVError)?.name, "ENOENT")
            XCTAssertTrue("\(error)".contains(path), "the message names the path: \(error)")
        }
        try closeLoop()
    }
}
