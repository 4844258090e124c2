import FoundationEssentials
import JSON
import Logging
import Loop
import Routing
import Store

/// Key management and usage reports straight on the database, for the command line (`switchyard keys …`,
/// `switchyard usage`), with no server running.
///
/// Each operation opens its own event loop, the `Store` at `databasePath` and a `Governor` over its keys with no
/// admin secret (whoever can write the database file may manage keys), does one thing, runs the loop until it is
/// done, and closes the store and the loop. Key fields go through `Governor.createKey`/`updateKey`, so they are
/// validated, and rejected with the same messages, as on the REST and MCP faces.
///
/// A running `switchyard serve` reads keys at startup only: keys changed here reach it when it restarts.
public struct OfflineAdmin {
    /// The database file (`RoutingSettings.databasePath`).
    public let databasePath: String
    private let logger: Logger

    /// What `usage` groups by: key, model, provider, tag, day, face, status.
    public static let usageGroupings = UsageGrouping.allCases.map(\.rawValue)

    /// - Parameter logger: gets the store's own lines (opened, migrated, write failures).
    public init(databasePath: String, logger: Logger) {
        self.databasePath = databasePath
        self.logger = logger
    }

    /// Creates a key from management fields (`name`, `kind`, `credit_limit`, … as `POST /v1/keys` takes them).
    /// The output holds the secret, which is shown only this once.
    public func createKey(_ fields: JSONObject) throws(GatewayError) -> AdminOutput {
        try run { governor, _, done in
            governor.createKey(fields) { result in
                done(
                    result.mapError(GatewayError.init).map { created in
                        var object = governor.describe(created.key).objectValue ?? [:]
                        object["key"] = .string(created.secret)
                        let json: JSON = [
                            "key": .string(created.secret), "api_key_id_hash": .string(created.key.id),
                            "data": .object(object),
                        ]
                        return AdminOutput(json: json, text: AdminText.created(created.key, secret: created.secret))
                    })
            }
        }
    }

    /// Every key with its limits and spend (never a secret), by name.
    public func listKeys() throws(GatewayError) -> AdminOutput {
        try run { governor, _, done in
            let keys = governor.keys
            let json: JSON = ["object": "list", "data": .array(keys.map(governor.describe))]
            let text = keys.isEmpty ? "No API keys in \(databasePath)." : AdminText.keyTable(keys)
            done(.success(AdminOutput(json: json, text: text)))
        }
    }

    /// Changes a key's fields, all or nothing (`null` clears a limit), as `PATCH /v1/keys/{id}` does.
    public func updateKey(id: String, _ fields: JSONObject) throws(GatewayError) -> AdminOutput {
        try run { governor, _, done in
            governor.updateKey(id: id, fields) { result in
                done(
                    result.mapError(GatewayError.init).map { key in
                        AdminOutput(
                            json: ["data": governor.describe(key)],
                            text: "Updated \(key.id) (\(key.name)).\n" + AdminText.keyTable([key]))
                    })
            }
        }
    }

    /// Deletes a key.
    public func revokeKey(id: String) throws(GatewayError) -> AdminOutput {
        try run { governor, _, done in
            governor.revokeKey(id: id) { result in
                done(
                    result.mapError(GatewayError.init).map { key in
                        AdminOutput(
                            json: ["data": ["id": .string(key.id), "deleted": true]],
                            text: "Revoked \(key.id) (\(key.name)).")
                    })
            }
        }
    }

    /// Requests, errors, tokens and spend of the last `hours` hours, grouped by `groupBy` (one of
    /// `usageGroupings`), most expensive group first.
    public func usage(groupBy: String, hours: Double, now: Double = Date().timeIntervalSince1970)
        throws(GatewayError) -> AdminOutput
    {
        guard let grouping = UsageGrouping(rawValue: groupBy) else {
            throw GatewayError(
                message: "group by must be one of \(Self.usageGroupings.joined(separator: ", ")), not \"\(groupBy)\"")
        }
        guard hours > 0, hours.isFinite else { throw GatewayError(message: "hours must be a positive number") }
        return try run { _, store, done in
            store.usageSummary(since: now - hours * 3_600, groupBy: grouping) { result in
                switch result {
                case .success(let rows):
                    let json: JSON = [
                        "group_by": .string(grouping.rawValue), "hours": .double(hours),
                        "rows": .array(rows.map(AdminText.json)),
                    ]
                    let text =
                        rows.isEmpty
                        ? "No requests in the last \(AdminText.number(hours)) hours."
                        : AdminText.usageTable(rows, groupBy: grouping.rawValue)
                    done(.success(AdminOutput(json: json, text: text)))
                case .failure(let error):
                    done(.failure(GatewayError(message: "reading usage from \(databasePath) failed: \(error)")))
                }
            }
        }
    }

    // MARK: Running one operation

    /// Opens everything, starts `operation`, runs the loop until it calls back, then closes everything. Once the
    /// operation is done its result stands: a failure while closing afterwards is logged, never allowed to hide a
    /// created key's secret (the key is stored by then).
    private func run(_ operation: (Governor, Store, @escaping (Result<AdminOutput, GatewayError>) -> Void) -> Void)
        throws(GatewayError) -> AdminOutput
    {
        let loop: EventLoop
        do {
            loop = try EventLoop()
        } catch {
            throw GatewayError(message: "cannot start an event loop: \(error)")
        }
        let store: Store
        do {
            store = try Store(path: databasePath, loop: loop, logger: logger)
        } catch {
            closeLoop(loop)
            throw GatewayError(message: error.message)
        }
        var result: Result<AdminOutput, GatewayError>?
        do {
            let governor = try Governor(adminSecret: nil, store: store.keys)
            operation(governor, store) { result = $0 }
        } catch {
            result = .failure(GatewayError(message: "cannot load API keys from \(databasePath): \(error)"))
        }
        runLoop(loop) { result != nil }
        var closed = false
        store.close { [logger, databasePath] error in
            closed = true
            if let error { logger.error("closing the database \(databasePath) failed", metadata: ["error": "\(error)"]) }
        }
        runLoop(loop) { closed }
        closeLoop(loop)
        guard let result else { preconditionFailure("OfflineAdmin: runLoop returned before the operation finished") }
        return try result.get()
    }

    /// Runs turns until `done`. The store's worker mailbox keeps the loop alive while an answer is due, so a loop
    /// with nothing left to wait for and the flag unset is our bug.
    private func runLoop(_ loop: EventLoop, until done: () -> Bool) {
        while !done() {
            guard loop.runOnce() || done() else {
                preconditionFailure("OfflineAdmin: the loop ran out of work before the operation finished")
            }
        }
    }

    private func closeLoop(_ loop: EventLoop) {
        do {
            try loop.close()
        } catch {
            logger.error("closing the event loop failed", metadata: ["error": "\(error)"])
        }
    }
}

extension GatewayError {
    /// A management failure, with the message the REST and MCP faces give for it.
    init(_ error: RoutingError) { self.init(message: error.message) }
}

/// What an offline operation produced: the JSON the REST API would answer, and text for a person.
public struct AdminOutput: Sendable {
    public let json: JSON
    public let text: String
}
