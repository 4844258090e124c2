import Foundation
import Loop
import LoopTestSupport
import XCTest

final class FileWatcherTests: LoopTestCase {
    private func makeTemporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "switchyard-loop-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testAFileCreatedInAWatchedDirectoryIsReported() throws {
        let directory = try makeTemporaryDirectory()
        var names: [String?] = []
        let watcher = try FileWatcher(loop: loop, path: directory) { names.append($0) }
        XCTAssertTrue(FileManager.default.createFile(atPath: directory + "/hello.json", contents: Data("{}".utf8)))
        runLoop(loop, until: { names.contains("hello.json") }, timeout: 5_000)
        watcher.close()
        try closeLoop()
    }

    func testAChangeToAWatchedFileIsReported() throws {
        let directory = try makeTemporaryDirectory()
        let file = directory + "/settings.json"
        XCTAssertTrue(FileManager.default.createFile(atPath: file, contents: Data("{}".utf8)))
        var events = 0
        let watcher = try FileWatcher(loop: loop, path: file) { _ in events += 1 }
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: file))
        handle.seekToEndOfFile()
        handle.write(Data(" ".utf8))
        try handle.close()
        runLoop(loop, until: { events > 0 }, timeout: 5_000)
        watcher.close()
        try closeLoop()
    }

    func testWatchingAMissingPathThrowsAndLeaksNothing() throws {
        let path = try makeTemporaryDirectory() + "/does-not-exist"
        XCTAssertThrowsError(try FileWatcher(loop: loop, path: path) { _ in XCTFail("event for a missing path") }) { error in
            XCTAssertEqual((error as? UVError)?.name, "ENOENT")
            XCTAssertTrue("\(error)".contains(path), "the message names the path: \(error)")
        }
        try closeLoop()
    }
}
