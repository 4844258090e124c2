import Foundation
import JSON
import JSONRPC
import Logging
import Loop
import LoopTestSupport
import MCP
import XCTest

/// The Hub against real child processes: `Tests/fixtures/fake_mcp_server.py` run by `python3`.
///
/// One `HubHarness` per test: a loop, a Hub whose transports are spawned children, and a JSON-RPC peer standing in
/// for the upstream client (it mints the `IncomingRequest`s the Hub answers, and collects what is sent back).
/// Every test ends in `finish()`: stop all servers, wait until every child has exited, close the loop (which
/// throws if any handle leaked).
final class HubTests: XCTestCase {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/fake_mcp_server.py").path

    /// The fixture's tools, in name order.
    static let fixtureTools = [
        "add", "change_tools", "close_stdout", "crash", "echo", "env", "fail", "log", "progress", "slow",
    ]

    private func config(
        _ name: String, _ flags: [String] = [], restartPolicy: DownstreamConfig.RestartPolicy = .always,
        startupTimeout: UInt64 = 30_000
    ) -> DownstreamConfig {
        DownstreamConfig(
            name: name,
            transport: .stdio(
                command: "python3", arguments: [Self.fixture] + flags, environment: [:],
                workingDirectory: nil),
            startupTimeoutMilliseconds: startupTimeout, restartPolicy: restartPolicy)
    }

    override func setUpWithError() throws {
        try super.setUpWithError()
        guard FileManager.default.fileExists(atPath: Self.fixture) else {
            throw XCTSkip("fixture not found at \(Self.fixture)")
        }
    }

    // MARK: Tests

    func testTwoServersBecomeReadyAndEchoPassesThroughExactly() throws {
        let harness = try HubHarness()
        harness.hub.apply([config("a"), config("b")])
        harness.waitUntilReady(["a", "b"])

        let expectedNames = ["a", "b"].flatMap { server in Self.fixtureTools.map { "\(server)__\($0)" } }
        XCTAssertEqual(harness.toolNames, expectedNames)
        XCTAssertEqual(harness.hub.statuses.map(\.toolCount), [10, 10])
        XCTAssertEqual(harness.hub.statuses.map(\.restarts), [0, 0])
        XCTAssertTrue(harness.hub.statuses.allSatisfy { $0.pid != nil && $0.lastError == nil })
        let echo = try XCTUnwrap(harness.hub.tools.first { $0["name"] == "a__echo" })
        XCTAssertEqual(echo["title"], "echo (a)", "a title naming the server is added when the server gave none")
        XCTAssertEqual(echo["description"], "Echo the text back")
        XCTAssertEqual(echo["inputSchema"]?["required"], ["text"])
        XCTAssertEqual(harness.hub.resolveTool("b__add")?.server, "b")
        XCTAssertEqual(harness.hub.resolveTool("b__add")?.tool, "add")

        // The downstream result reaches the client exactly as the server sent it.
        let reply = harness.call("a__echo", arguments: ["text": "hello, hub ✓"])
        XCTAssertEqual(
            reply,
            .success([
                "content": [["type": "text", "text": "hello, hub ✓"]],
                "structuredContent": ["echoed": "hello, hub ✓"],
                "isError": false,
            ]))
        // Arguments reach the right server; a tool's own error result (isError) is passed through, not turned
        // into a JSON-RPC error.
        XCTAssertEqual(harness.call("b__add", arguments: ["a": 2, "b": 40])?.result?["structuredContent"], ["sum": 42])
        XCTAssertEqual(harness.call("a__fail", arguments: nil)?.result?["isError"], true)

        // A name that is not a downstream tool is not routed (the caller answers "unknown tool").
        XCTAssertEqual(harness.call("c__echo", arguments: nil), .failure(.invalidParams("not routed: c__echo")))
        try harness.finish()
    }

    func testACrashFailsTheCallPromptlyAndTheServerRestarts() throws {
        let harness = try HubHarness()
        harness.hub.apply([config("a"), config("b")])
        harness.waitUntilReady(["a", "b"])
        let firstPid = try XCTUnwrap(harness.status("a")?.pid)

        let started = EventLoop.hrtime()
        let reply = harness.call("a__crash", arguments: nil, timeout: 10_000)
        let elapsedMilliseconds = (EventLoop.hrtime() - started) / 1_000_000
        guard case .failure(let error)? = reply else {
            return XCTFail("the crash call did not fail: \(String(describing: reply))")
        }
        XCTAssertTrue(error.message.contains("downstream server a"), "the error names the server: \(error.message)")
        XCTAssertTrue(error.message.contains("exited with status 3"), "and says what happened: \(error.message)")
        XCTAssertLessThan(elapsedMilliseconds, 5_000, "fails when the child dies, not at the 60 s call timeout")

        // Right after the crash: backoff, its tools withdrawn; the other server is untouched.
        let crashed = try XCTUnwrap(harness.status("a"))
        XCTAssertEqual(crashed.phase, .backoff)
        XCTAssertEqual(crashed.retryInMilliseconds, 1_000, "the first backoff is one second")
        XCTAssertTrue(
            crashed.lastError?.contains("exited with status 3") == true, "\(String(describing: crashed.lastError))")
        XCTAssertFalse(harness.toolNames.contains { $0.hasPrefix("a__") })
        XCTAssertEqual(harness.status("b")?.phase, .ready)
        XCTAssertEqual(
            harness.call("b__echo", arguments: ["text": "still here"])?.result?["structuredContent"],
            ["echoed": "still here"])

        // After the backoff it comes back on its own, as a new process.
        harness.waitUntil(timeout: 20_000, "a restarts") {
            harness.status("a")?.phase == .ready && harness.status("a")?.restarts == 1
        }
        let restarted = try XCTUnwrap(harness.status("a"))
        XCTAssertNotEqual(restarted.pid, firstPid)
        XCTAssertNil(restarted.lastError, "a ready server shows no stale error")
        XCTAssertEqual(
            harness.call("a__echo", arguments: ["text": "back"])?.result?["structuredContent"], ["echoed": "back"])
        try harness.finish()
    }

    func testAPaginatedServerExposesAllItsTools() throws {
        let harness = try HubHarness()
        // 9 + 3 = 12 tools in pages of 2: six full pages.
        harness.hub.apply([config("paged", ["--page-size", "2", "--many-tools", "3"])])
        harness.waitUntilReady(["paged"])
        XCTAssertEqual(harness.toolNames, (Self.fixtureTools + ["t0", "t1", "t2"]).map { "paged__\($0)" })
        XCTAssertEqual(harness.status("paged")?.toolCount, 13)
        XCTAssertEqual(harness.call("paged__t2", arguments: nil)?.result?["content"]?[0]?["text"], "called t2")
        try harness.finish()
    }

    func testAServerPrintingGarbageIsReadyWithADiagnostic() throws {
        let harness = try HubHarness()
        harness.hub.apply([config("noisy", ["--garbage"])])
        harness.waitUntilReady(["noisy"])
        let status = try XCTUnwrap(harness.status("noisy"))
        XCTAssertEqual(status.toolCount, 10)
        let diagnostic = try XCTUnwrap(status.lastError, "garbage on stdout is reported in lastError")
        XCTAssertTrue(diagnostic.contains("non-JSON-RPC output on stdout"), diagnostic)
        XCTAssertTrue(diagnostic.contains("hello this is not json"), "with an example line: \(diagnostic)")
        XCTAssertEqual(status.json["last_error"]?.stringValue, diagnostic)
        // Garbage around the answers does not stop calls from working.
        XCTAssertEqual(
            harness.call("noisy__echo", arguments: ["text": "through the noise"])?.result?["structuredContent"],
            ["echoed": "through the noise"])
        try harness.finish()
    }

    func testMisbehavingServersWithPolicyNeverEndFailedWithAReason() throws {
        let harness = try HubHarness()
        harness.hub.apply([
            config("exits", ["--exit-immediately", "2"], restartPolicy: .never),
            config("hangs", ["--hang-initialize"], restartPolicy: .never, startupTimeout: 500),
            config("good"),
        ])
        harness.waitUntil(timeout: 30_000, "two failed, one ready") {
            harness.status("exits")?.phase == .failed && harness.status("hangs")?.phase == .failed
                && harness.status("good")?.phase == .ready
        }
        XCTAssertTrue(
            harness.status("exits")?.lastError?.contains("exited with status 2") == true,
            "\(String(describing: harness.status("exits")?.lastError))")
        XCTAssertTrue(
            harness.status("hangs")?.lastError?.contains("no answer to initialize within 500 ms") == true,
            "\(String(describing: harness.status("hangs")?.lastError))")
        XCTAssertEqual(harness.toolNames, Self.fixtureTools.map { "good__\($0)" }, "only the ready server's tools")
        XCTAssertEqual(harness.hub.statuses.map(\.restarts), [0, 0, 0])

        // servers_restart brings a failed server back (and counts as a restart); it fails the same way again.
        XCTAssertTrue(harness.hub.restart("exits"))
        XCTAssertFalse(harness.hub.restart("nope"))
        harness.waitUntil(timeout: 30_000, "manual restart") {
            harness.status("exits")?.restarts == 1 && harness.status("exits")?.phase == .failed
        }
        try harness.finish()
    }

    func testApplyingANewSetStopsRemovedServersAndKeepsUnchangedOnes() throws {
        let harness = try HubHarness()
        harness.hub.apply([config("a"), config("b")])
        harness.waitUntilReady(["a", "b"])
        let pidA = harness.status("a")?.pid
        var changes: [Set<MCPListKind>] = []
        harness.hub.onListsChanged = { changes.append($0) }
        harness.hub.apply([config("a")])
        XCTAssertEqual(harness.hub.statuses.map(\.name), ["a"])
        XCTAssertEqual(harness.toolNames, Self.fixtureTools.map { "a__\($0)" })
        XCTAssertEqual(harness.status("a")?.pid, pidA, "an unchanged server is not restarted")
        harness.waitUntil(timeout: 5_000, "one coalesced list change") { !changes.isEmpty }
        XCTAssertTrue(changes.first?.contains(.tools) == true)
        // The removed server's child is stopped (stdin closed; the fixture exits on EOF).
        harness.waitUntil(timeout: 10_000, "b's child exits") { harness.runningChildren == 1 }
        try harness.finish()
    }
}

/// Loop, Hub, and a stand-in upstream client for one test.
private final class HubHarness {
    let loop: EventLoop
    let hub: Hub
    private let peer: JSONRPCPeer
    private let outbox = Outbox()
    private let spawned = Spawned()
    private var nextID: Int64 = 1
    private var finished = false

    init() throws {
        loop = try EventLoop()
        let scheduler = LoopScheduler(loop: loop)
        let logger = Logger(label: "hub-tests") { _ in SwiftLogNoOpLogHandler() }
        hub = Hub(loop: loop, scheduler: scheduler, clientInfo: ["name": "hub-tests", "version": "1.0.0"], logger: logger) {
            [loop, spawned] config in
            guard case let .stdio(command, arguments, environment, workingDirectory) = config.transport else {
                throw HubTestError.unsupportedTransport
            }
            // The parent's environment (PATH, pyenv's variables) plus what the config adds.
            let merged = ProcessInfo.processInfo.environment.merging(environment) { _, configured in configured }
            let transport = ChildProcessTransport(
                loop: loop,
                options: ProcessOptions(
                    executable: command, arguments: arguments,
                    environment: merged,
                    workingDirectory: workingDirectory),
                logger: logger)
            spawned.transports.append(transport)
            return transport
        }
        peer = JSONRPCPeer(scheduler: scheduler, send: { [outbox] in outbox.messages.append($0) })
        peer.onRequest = { [hub] request in
            // What the gateway's MCP server does for tools/call: route, or answer that the tool is unknown.
            let name = request.params?["name"]?.stringValue ?? ""
            if !hub.callTool(name, arguments: request.params?["arguments"], request: request) {
                request.fail(.invalidParams("not routed: \(name)"))
            }
        }
    }

    deinit {
        // A test that failed half-way must still not drop an open loop (EventLoop's deinit traps): finish, and if
        // handles are left, they keep the loop alive.
        if !finished { try? finish() }
    }

    /// Sends `tools/call` as an upstream client would, and runs the loop until the answer is sent back.
    func call(
        _ name: String, arguments: JSON?, timeout: UInt64 = 15_000,
        file: StaticString = #filePath, line: UInt = #line
    ) -> Result<JSON, JSONRPCError>? {
        let id = RequestID(nextID)
        nextID += 1
        var params: JSONObject = ["name": .string(name)]
        if let arguments { params["arguments"] = arguments }
        peer.receive(.request(id: id, method: "tools/call", params: .object(params)))
        waitUntil(timeout: timeout, "answer to \(name)", file: file, line: line) { self.outbox.answer(to: id) != nil }
        return outbox.answer(to: id)
    }

    func status(_ name: String) -> DownstreamStatus? { hub.statuses.first { $0.name == name } }

    var toolNames: [String] { hub.tools.compactMap { $0["name"]?.stringValue } }

    /// Children spawned by this test that have not exited yet.
    var runningChildren: Int { spawned.transports.filter { $0.pid != nil }.count }

    func waitUntilReady(_ names: [String], timeout: UInt64 = 30_000, file: StaticString = #filePath, line: UInt = #line) {
        waitUntil(timeout: timeout, "\(names) ready", file: file, line: line) {
            names.allSatisfy { self.status($0)?.phase == .ready }
        }
        for name in names where status(name)?.phase != .ready {
            XCTFail("\(name): \(String(describing: status(name)?.json))", file: file, line: line)
        }
    }

    /// Runs the loop until `condition` holds, with a Timer as the deadline (never a fixed sleep).
    @discardableResult
    func waitUntil(
        timeout: UInt64, _ what: String, file: StaticString = #filePath, line: UInt = #line,
        _ condition: () -> Bool
    ) -> Bool {
        runLoop(loop, until: condition, timeout: timeout, waitingFor: what, file: file, line: line)
    }

    /// Stops every server, waits until every child spawned has exited, and closes the loop cleanly.
    func finish(file: StaticString = #filePath, line: UInt = #line) throws {
        finished = true
        var stopped = false
        hub.stopAll { stopped = true }
        waitUntil(timeout: 15_000, "stopAll", file: file, line: line) { stopped }
        XCTAssertEqual(hub.statuses.count, 0, file: file, line: line)
        waitUntil(timeout: 15_000, "every child to exit", file: file, line: line) { self.runningChildren == 0 }
        XCTAssertEqual(peer.pendingIncomingCount, 0, "every call was answered", file: file, line: line)
        peer.close(reason: "test over")
        try loop.close()
    }
}

private enum HubTestError: Error {
    case unsupportedTransport
}

/// What the stand-in client was sent.
private final class Outbox {
    var messages: [JSONRPCMessage] = []

    func answer(to id: RequestID) -> Result<JSON, JSONRPCError>? {
        for message in messages {
            switch message {
            case let .response(responseID, result) where responseID == id: return .success(result)
            case let .error(errorID, error) where errorID == id: return .failure(error)
            default: continue
            }
        }
        return nil
    }
}

/// Every transport the Hub asked for, so a test can wait for all children to be gone.
private final class Spawned {
    var transports: [ChildProcessTransport] = []
}

private extension Result where Success == JSON {
    var result: JSON? { try? get() }
}
