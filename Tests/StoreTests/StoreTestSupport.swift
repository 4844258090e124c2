import Foundation
import Logging
import Loop
import LoopTestSupport
import Routing
import Synchronization
import XCTest

@testable import Store

/// One loop and one temporary directory per test. Every test ends with `closeLoop()`, which throws when a handle
/// is still open (the store's mailbox or timer included), so every test is a leak test (DESIGN.md §7).
class StoreTestCase: XCTestCase {
    private(set) var loop: EventLoop!
    private(set) var directory: URL!
    let logs = LogCapture()
    private var loopClosed = false

    override func setUpWithError() throws {
        try super.setUpWithError()
        loop = try EventLoop()
        loopClosed = false
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("store-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let loop, !loopClosed {
            // A test that failed half-way. Open handles keep the loop alive (libuv retains them), so its deinit
            // cannot trap and take the whole run down; the failure is reported instead.
            XCTFail("the test ended without closing its loop")
            do {
                try loop.close()
                loopClosed = true
            } catch {
                XCTFail("closing the loop after a failed test: \(error)")
            }
        }
        loop = nil
        if let directory { try FileManager.default.removeItem(at: directory) }
        try super.tearDownWithError()
    }

    /// A logger whose lines land in `logs`.
    var logger: Logger {
        Logger(label: "store-tests") { [logs] _ in CapturingLogHandler(capture: logs) }
    }

    /// The path of a database file in this test's directory.
    func databasePath(_ name: String = "store.sqlite") -> String {
        directory.appendingPathComponent(name).path
    }

    func openStore(_ name: String = "store.sqlite", options: StoreOptions = StoreOptions()) throws -> Store {
        try Store(path: databasePath(name), loop: loop, logger: logger, options: options)
    }

    /// Starts an operation that reports through a completion and runs the loop until it does.
    func wait<T>(
        timeout: UInt64 = 15_000, file: StaticString = #filePath, line: UInt = #line,
        _ start: (@escaping (T) -> Void) -> Void
    ) -> T? {
        var value: T?
        start { value = $0 }
        runLoop(loop, until: { value != nil }, timeout: timeout, file: file, line: line)
        return value
    }

    /// Closes `store` and fails the test when closing reports an error.
    func close(_ store: Store, file: StaticString = #filePath, line: UInt = #line) {
        let error = wait(file: file, line: line) { store.close(completion: $0) }
        if case .some(.some(let error)) = error { XCTFail("closing the store: \(error)", file: file, line: line) }
    }

    /// Closes the loop; throws (`EBUSY`, naming the open handles) when the test leaked one.
    func closeLoop() throws {
        try loop.close()
        loopClosed = true
    }

    /// A second connection to the test's database, as another process would have.
    func otherConnection(_ name: String = "store.sqlite") throws -> SQLiteDatabase {
        try SQLiteDatabase(path: databasePath(name))
    }
}

/// A usage record with varied fields, so a round trip checks every column: some rows have no key, no resolved
/// model, no tags, no time to first token; costs and latencies are not round binary fractions.
func sampleRecord(_ index: Int, createdAt: Double = 1_700_000_000) -> UsageRecord {
    let models = [
        ModelID(provider: "openai", model: "gpt-4o-mini"), ModelID(provider: "anthropic", model: "claude-sonnet-4"),
        ModelID(provider: "openrouter", model: "meta/llama-3.3-70b"),
    ]
    let model = models[index % models.count]
    let failed = index % 7 == 3
    var attempts: [AttemptRecord] = []
    if index % 2 == 0 {
        attempts.append(
            AttemptRecord(
                model: models[(index + 1) % models.count], outcome: "rate_limited", status: 429,
                error: "slow down \"please\"\n", latencyMilliseconds: 12.5 + Double(index) / 3,
                cost: index % 4 == 0 ? 0.000_25 * Double(index) : nil))
    }
    attempts.append(
        AttemptRecord(
            model: model, outcome: failed ? "overloaded" : "ok", status: failed ? nil : 200,
            latencyMilliseconds: 100 + Double(index) / 7))
    return UsageRecord(
        id: "gen-\(index)", createdAt: createdAt + Double(index) * 0.001, keyID: index % 3 == 0 ? nil : "key-\(index % 3)",
        face: index % 2 == 0 ? "http" : "mcp", requestedModel: index % 4 == 0 ? "fast" : model.description,
        resolvedModel: failed ? nil : model, attempts: attempts,
        usage: TokenUsage(
            prompt: 1_000 + index, completion: 50 + index % 13, cached: index % 5, cacheWrite: index % 3 * 100,
            reasoning: index % 11),
        cost: Double(index) * 0.000_123_7 + 0.1 / 3, latencyMilliseconds: 250 + Double(index) / 9,
        timeToFirstTokenMilliseconds: index % 5 == 0 ? nil : 40 + Double(index) / 11, stream: index % 3 == 1,
        status: failed ? "error" : "ok", httpStatus: failed ? 529 : 200, error: failed ? "all targets overloaded" : nil,
        tags: index % 4 == 1 ? [] : (index % 4 == 2 ? ["team-a", "café ☕"] : ["team-b"]))
}

/// One captured log line.
struct LogEntry: Sendable {
    let level: Logger.Level
    let message: String
    let metadata: [String: String]
}

/// Log lines captured from any thread.
final class LogCapture: Sendable {
    private let entries = Mutex<[LogEntry]>([])

    func append(_ entry: LogEntry) { entries.withLock { $0.append(entry) } }

    var all: [LogEntry] { entries.withLock { $0 } }

    /// Lines at `level` or above whose message contains `text`.
    func lines(atLeast level: Logger.Level, containing text: String) -> [LogEntry] {
        all.filter { $0.level >= level && $0.message.contains(text) }
    }
}

struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        capture.append(
            LogEntry(
                level: event.level, message: "\(event.message)",
                metadata: merged.mapValues { "\($0)" }))
    }
}
