import Foundation
import MCP
import XCTest

@testable import Gateway

final class ServersDirectoryTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: directory)
    }

    private func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: directory.appendingPathComponent(name))
    }

    func testLoadsSingleAndMultiServerFilesAndReportsBadOnes() throws {
        try write("time.json", #"{"command":"mcp-server-time"}"#)
        try write(
            "desktop.json", #"{"mcpServers":{"git":{"command":"mcp-server-git"},"remote":{"url":"http://127.0.0.1:9/mcp"}}}"#
        )
        try write("broken.json", #"{"command": "#)
        try write("badfield.json", #"{"command":"x","timeout_ms":"soon"}"#)
        try write("notes.txt", "ignored")
        try write(".hidden.json", "{}")
        let loaded = ServersDirectory(path: directory.path, environment: [:]).load()
        XCTAssertEqual(loaded.servers.map(\.name).sorted(), ["git", "remote", "time"])
        XCTAssertEqual(loaded.issues.count, 2)
        XCTAssertTrue(loaded.issues.contains { $0.file.hasSuffix("broken.json") && $0.message.contains("invalid JSON") })
        XCTAssertTrue(loaded.issues.contains { $0.file.hasSuffix("badfield.json") && $0.field == "timeout_ms" })
    }

    func testDuplicateNamesAreReported() throws {
        try write("a.json", #"{"mcpServers":{"time":{"command":"t"}}}"#)
        try write("time.json", #"{"command":"t2"}"#)
        let loaded = ServersDirectory(path: directory.path, environment: [:]).load()
        XCTAssertEqual(loaded.servers.count, 1)
        XCTAssertEqual(loaded.issues.count, 1)
        XCTAssertTrue(loaded.issues[0].message.contains("already defined"))
    }

    func testMissingDirectoryIsEmpty() {
        let loaded = ServersDirectory(path: directory.appendingPathComponent("nope").path, environment: [:]).load()
        XCTAssertTrue(loaded.servers.isEmpty && loaded.issues.isEmpty)
    }
}
