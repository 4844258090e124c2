import XCTest

@testable import MCP

final class ToolNamerTests: XCTestCase {
    /// The pattern clients accept for tool names.
    private func isValid(_ name: String, maxLength: Int = 64) -> Bool {
        !name.isEmpty && name.utf8.count <= maxLength && name.utf8.allSatisfy(ToolNamer.isAllowed)
    }

    func testPlainNamesAreUnchanged() {
        XCTAssertEqual(ToolNamer.exposedName(server: "git", tool: "status"), "git__status")
        XCTAssertEqual(ToolNamer.exposedName(server: "my-server_2", tool: "read-file_v2"), "my-server_2__read-file_v2")
        XCTAssertEqual(ToolNamer.exposedName(server: "a", tool: "echo"), "a__echo")
    }

    func testANameOfExactlyTheLimitIsUnchanged() {
        let tool = String(repeating: "t", count: 64 - "srv__".count)
        XCTAssertEqual(ToolNamer.exposedName(server: "srv", tool: tool), "srv__" + tool)
        XCTAssertNotEqual(ToolNamer.exposedName(server: "srv", tool: tool + "x"), "srv__" + tool + "x")
    }

    func testLongNamesAreShortenedValidAndDistinct() {
        let server = String(repeating: "s", count: 30)
        let prefix = String(repeating: "t", count: 60)
        let names = (0..<200).map { ToolNamer.exposedName(server: server, tool: prefix + "\($0)") }
        for name in names {
            XCTAssertLessThanOrEqual(name.utf8.count, 64, name)
            XCTAssertTrue(isValid(name), name)
            XCTAssertTrue(name.hasPrefix(server + "__"), "the readable part is kept: \(name)")
        }
        XCTAssertEqual(Set(names).count, names.count, "tools that differ only past the cut still get distinct names")
    }

    func testShortenedNamesHonourASmallerLimit() {
        let name = ToolNamer.exposedName(server: "github", tool: "create_pull_request_review_comment", maxLength: 32)
        XCTAssertLessThanOrEqual(name.utf8.count, 32)
        XCTAssertTrue(isValid(name, maxLength: 32), name)
        XCTAssertTrue(name.hasPrefix("github__create_pull_r"), name)
    }

    func testInvalidCharactersAreReplacedAndHashed() {
        let name = ToolNamer.exposedName(server: "files", tool: "read file/ünïcode")
        XCTAssertTrue(isValid(name), name)
        XCTAssertTrue(name.hasPrefix("files__read_file_"), name)
        XCTAssertNotEqual(
            name, ToolNamer.exposedName(server: "files", tool: "read_file_ünïcode"),
            "sanitizing alone would collide; the hash keeps them apart")
    }

    func testDottedServerNamesAreHashed() {
        let dotted = ToolNamer.exposedName(server: "my.server", tool: "echo")
        XCTAssertTrue(isValid(dotted), dotted)
        XCTAssertNotEqual(dotted, "my.server__echo")
        XCTAssertTrue(dotted.hasPrefix("my_server__echo_"), dotted)
        // A plain server whose name is the sanitized spelling keeps the readable name, so the two never collide.
        XCTAssertEqual(ToolNamer.exposedName(server: "my_server", tool: "echo"), "my_server__echo")
        XCTAssertNotEqual(dotted, "my_server__echo")
    }

    func testServerNamesThatAreNotPlainAlwaysTakeTheHashedForm() {
        for server in ["_lead", "trail_", "dou__ble", "sp ace", "dot.ted"] {
            XCTAssertFalse(ToolNamer.isPlainServerName(server), server)
            let name = ToolNamer.exposedName(server: server, tool: "x")
            XCTAssertTrue(isValid(name), name)
            XCTAssertNotEqual(name, "\(server)__x", server)
        }
        // Otherwise "a__" + "b__c" and "a__b" + "c" would both read "a__b__c".
        XCTAssertNotEqual(ToolNamer.exposedName(server: "a__b", tool: "c"), ToolNamer.exposedName(server: "a", tool: "b__c"))
    }

    func testNamesAreDeterministic() {
        for (server, tool) in [
            ("git", "status"), ("my.server", "echo"), (String(repeating: "s", count: 40), String(repeating: "t", count: 40)),
        ] {
            XCTAssertEqual(
                ToolNamer.exposedName(server: server, tool: tool), ToolNamer.exposedName(server: server, tool: tool))
        }
        // Pinned: the hash is FNV-1a 64 of "server NUL tool", never Swift's per-process seeded Hasher, so names
        // survive restarts (clients cache tool lists). Computed independently with Python.
        XCTAssertEqual(ToolNamer.exposedName(server: "my.server", tool: "echo"), "my_server__echo_e008ff809a")
    }

    func testServerNameValidation() {
        XCTAssertTrue(ToolNamer.validServerName("git"))
        XCTAssertTrue(ToolNamer.validServerName("my.server"))
        XCTAssertTrue(ToolNamer.validServerName(String(repeating: "x", count: 64)))
        XCTAssertFalse(ToolNamer.validServerName(""))
        XCTAssertFalse(ToolNamer.validServerName(String(repeating: "x", count: 65)))
        XCTAssertFalse(ToolNamer.validServerName("a/b"))
        XCTAssertFalse(ToolNamer.validServerName("tab\there"))
    }

    func testNameTableMapsBackAndIsStable() {
        var table = NameTable()
        let long = String(repeating: "t", count: 80)
        let plain = table.register(server: "git", name: "status", maxLength: 64)
        let shortened = table.register(server: "git", name: long, maxLength: 64)
        XCTAssertEqual(plain, "git__status")
        XCTAssertEqual(table.lookup(plain)?.server, "git")
        XCTAssertEqual(table.lookup(plain)?.name, "status")
        XCTAssertEqual(table.lookup(shortened)?.name, long)
        XCTAssertEqual(
            table.register(server: "git", name: long, maxLength: 64), shortened, "registering again gives the same name")
        XCTAssertNil(table.lookup("git__nope"))
    }
}
