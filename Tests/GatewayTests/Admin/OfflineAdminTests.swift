import Foundation
import JSON
import Logging
import Loop
import Routing
import Store
import Synchronization
import XCTest

@testable import Gateway

/// `OfflineAdmin` on a real database file in a temporary directory. Each operation opens and closes its own loop
/// and store; an error logged while closing (a leaked handle, a failed write) fails the test.
final class OfflineAdminTests: XCTestCase {
    private var directory: URL!
    private let logs = Logs()

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("offline-admin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        XCTAssertEqual(logs.errors, [], "nothing went wrong quietly")
        try FileManager.default.removeItem(at: directory)
    }

    private var path: String { directory.appendingPathComponent("sub/switchyard.db").path }

    private var admin: OfflineAdmin {
        OfflineAdmin(
            databasePath: path, logger: Logger(label: "offline-admin-tests") { [logs] _ in LogsHandler(logs: logs) })
    }

    /// The message the REST and MCP faces give for `fields`: the governor's, with no store behind it.
    private func apiMessage(creating fields: JSONObject) throws -> String? {
        let governor = try Governor(adminSecret: nil, store: nil)
        var message: String?
        // With no store, a rejected field is reported before createKey returns.
        governor.createKey(fields) { result in if case .failure(let error) = result { message = error.message } }
        return message
    }

    private func message(of body: () throws -> AdminOutput) -> String? {
        do {
            _ = try body()
            return nil
        } catch {
            return "\(error)"
        }
    }

    func testCreateListUpdateRevoke() throws {
        let created = try admin.createKey([
            "name": "ci bot", "credit_limit": 5, "reset_budget_interval": "monthly",
            "allowed_models": ["openai/*"], "tags": ["team-a"],
        ])
        let secret = try XCTUnwrap(created.json["key"]?.stringValue)
        let id = try XCTUnwrap(created.json["api_key_id_hash"]?.stringValue)
        XCTAssertTrue(secret.hasPrefix("sk-sy-"))
        XCTAssertEqual(id, APIKey.id(forHash: SHA256.hex(secret)))
        XCTAssertEqual(created.json["data"]?["credit_limit"], .double(5))
        XCTAssertTrue(created.text.contains(secret) && created.text.contains(id), created.text)
        _ = try admin.createKey(["name": "ops", "kind": "provisioning"])

        let listed = try admin.listKeys()
        XCTAssertEqual(listed.json["data"]?.arrayValue?.compactMap { $0["name"]?.stringValue }, ["ci bot", "ops"])
        XCTAssertFalse(listed.text.contains(secret), "a secret is shown only at creation")
        let lines = listed.text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "ID                    NAME    KIND          SPEND / LIMIT   RESET    DISABLED")
        XCTAssertEqual(lines[1], "\(id)  ci bot  api           $0 / $5         monthly  no")
        XCTAssertTrue(lines[2].hasSuffix("provisioning  $0 / unlimited  never    no"), lines[2])

        let updated = try admin.updateKey(id: id, ["credit_limit": .null, "rpm_limit": 10, "disabled": true])
        XCTAssertEqual(updated.json["data"]?["rpm_limit"], .int(10))
        XCTAssertEqual(updated.json["data"]?["credit_limit"], .null)
        XCTAssertTrue(updated.text.contains("$0 / unlimited  monthly  yes"), updated.text)

        // Stored for real: a server opening the file accepts the secret (once enabled again) with the same limits.
        _ = try admin.updateKey(id: id, ["disabled": false])
        let key = try withGovernor { governor in try governor.authenticate(secret).get().key }
        XCTAssertEqual(key?.id, id)
        XCTAssertEqual(key?.rpmLimit, 10)
        XCTAssertEqual(key?.allowedModels, ["openai/*"])

        let revoked = try admin.revokeKey(id: id)
        XCTAssertEqual(revoked.json["data"]?["deleted"], .bool(true))
        XCTAssertEqual(revoked.text, "Revoked \(id) (ci bot).")
        XCTAssertEqual(try admin.listKeys().json["data"]?.arrayValue?.count, 1)
        XCTAssertEqual(message { try admin.revokeKey(id: id) }, "No API key with id \(id).")
    }

    func testBadFieldsGiveTheAPIsMessagesAndStoreNothing() throws {
        for fields: JSONObject in [
            ["name": "x", "rpm_limit": 0], ["name": "x", "colour": "red"], ["kind": "api"],
            ["name": "x", "reset_budget_interval": "hourly"], ["name": "x", "tags": [""]],
            ["name": "x", "kind": "admin"],
        ] {
            let expected = try XCTUnwrap(try apiMessage(creating: fields), "\(fields)")
            XCTAssertEqual(message { try admin.createKey(fields) }, expected)
        }
        XCTAssertEqual(try admin.listKeys().text, "No API keys in \(path).")
        let id = try XCTUnwrap(try admin.createKey(["name": "app"]).json["api_key_id_hash"]?.stringValue)
        XCTAssertEqual(
            message { try admin.updateKey(id: id, ["kind": "provisioning"]) },
            "kind: cannot be changed; create a new key")
        XCTAssertEqual(
            message { try admin.updateKey(id: "key_0000000000000000", ["name": "y"]) },
            "No API key with id key_0000000000000000.")
    }

    func testUsageGroupsTheStoredRequestsAndKeySpend() throws {
        let id = try XCTUnwrap(
            try admin.createKey(["name": "app", "tags": ["team-a"]]).json["api_key_id_hash"]?.stringValue)
        let now = 1_800_000_000.0
        // What a server would have written: usage rows, and the key's spend settled on the same requests.
        try withGovernorAndStore { governor, store in
            let principal = Principal.key(try XCTUnwrap(governor.key(id: id)))
            for (index, cost) in [0.25, 0.5, 0].enumerated() {
                let admission = try governor.admit(principal, names: ["openai/gpt-4o-mini"], estimate: 1).get()
                governor.settle(admission, cost: cost, tokens: 30)
                store.usageWriter.record(
                    UsageRecord(
                        id: "gen-\(index)", createdAt: now - 3_600, keyID: id, face: "http",
                        requestedModel: "openai/gpt-4o-mini",
                        resolvedModel: index == 2 ? nil : ModelID(provider: "openai", model: "gpt-4o-mini"),
                        usage: TokenUsage(prompt: 10, completion: 20), cost: cost, status: index == 2 ? "error" : "ok",
                        httpStatus: index == 2 ? 502 : 200, tags: ["team-a"]))
            }
            // An old request, outside the window asked for below.
            store.usageWriter.record(
                UsageRecord(id: "gen-old", createdAt: now - 90_000, face: "mcp", requestedModel: "x", cost: 9))
        }
        XCTAssertTrue(try admin.listKeys().text.contains("$0.75 / unlimited"))

        let byKey = try admin.usage(groupBy: "key", hours: 24, now: now)
        XCTAssertEqual(byKey.json["rows"]?.arrayValue?.count, 1)
        XCTAssertEqual(
            byKey.text,
            """
            KEY                   REQUESTS  ERRORS  PROMPT TOKENS  COMPLETION TOKENS  SPEND
            \(id)         3       1             30                 60  $0.75
            """)
        let byModel = try admin.usage(groupBy: "model", hours: 48, now: now)
        XCTAssertEqual(byModel.json["rows"]?.arrayValue?.compactMap { $0["group"]?.stringValue }, ["openai/gpt-4o-mini"])
        XCTAssertTrue(byModel.text.contains("(none)"), "the old request and the failed one have no model")
        XCTAssertEqual(try admin.usage(groupBy: "tag", hours: 1, now: now + 7_200).text, "No requests in the last 1 hours.")
        XCTAssertEqual(
            message { try admin.usage(groupBy: "colour", hours: 1) },
            "group by must be one of model, provider, key, tag, day, face, status, not \"colour\"")
        XCTAssertEqual(message { try admin.usage(groupBy: "key", hours: 0) }, "hours must be a positive number")
    }

    func testADatabaseThatCannotBeOpenedIsNamed() throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let text = try XCTUnwrap(message { try admin.listKeys() })
        XCTAssertTrue(text.hasPrefix("cannot open the database \"\(path)\""), text)
    }

    /// Runs `body` with a governor over a store on the test's database, as a server would, then closes both.
    @discardableResult
    private func withGovernorAndStore<T>(_ body: (Governor, Store) throws -> T) throws -> T {
        let loop = try EventLoop()
        let store = try Store(
            path: path, loop: loop, logger: Logger(label: "server") { [logs] _ in LogsHandler(logs: logs) })
        var closed = false
        defer {
            store.close { error in
                XCTAssertNil(error)
                closed = true
            }
            while !closed { loop.runOnce() }
            XCTAssertNoThrow(try loop.close())
        }
        return try body(try Governor(adminSecret: "admin", store: store.keys), store)
    }

    private func withGovernor<T>(_ body: (Governor) throws -> T) throws -> T {
        try withGovernorAndStore { governor, _ in try body(governor) }
    }
}

/// Error lines logged from any thread.
private final class Logs: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var errors: [String] { lines.withLock { $0 } }
}

private struct LogsHandler: LogHandler {
    let logs: Logs
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        if event.level >= .error { logs.append("\(event.message) \(event.metadata ?? [:])") }
    }
}
