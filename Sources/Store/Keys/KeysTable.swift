import JSON
import Routing

/// How an `APIKey` is stored in the `keys` table. Writes and reloads run on the worker thread; the startup load
/// runs on the loop thread's startup connection.
enum KeysTable {
    /// The columns in the order `upsertSQL` binds them and `selectSQL` reads them.
    static let columns = """
        id, secret_hash, name, kind, credit_limit, reset_interval, allowed_models, rpm_limit, tpm_limit, \
        max_in_flight, expires_at, tags, allowed_servers, allowed_tools, disabled, created_at, spend, period_start, \
        total_spend
        """

    static let selectSQL = "SELECT \(columns) FROM keys ORDER BY created_at, id"

    /// The whole record on insert; on conflict every field but the spend counters. The database is their
    /// authority: every process adds its spend to them (`spendSQL`), and a process saving a key it read earlier
    /// (the command line while a server runs) would otherwise take back spend written since.
    static let upsertSQL = """
        INSERT INTO keys (\(columns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, \
        ?17, ?18, ?19)
        ON CONFLICT (id) DO UPDATE SET secret_hash = excluded.secret_hash, name = excluded.name, kind = excluded.kind,
            credit_limit = excluded.credit_limit, reset_interval = excluded.reset_interval,
            allowed_models = excluded.allowed_models, rpm_limit = excluded.rpm_limit, tpm_limit = excluded.tpm_limit,
            max_in_flight = excluded.max_in_flight, expires_at = excluded.expires_at, tags = excluded.tags,
            allowed_servers = excluded.allowed_servers, allowed_tools = excluded.allowed_tools,
            disabled = excluded.disabled, created_at = excluded.created_at
        """

    static let deleteSQL = "DELETE FROM keys WHERE id = ?1"

    /// Adds the cost `?3` of requests settled in the period starting at `?2` to key `?1`: a later period than the
    /// stored one starts over from it, the same period adds to it, an earlier one (another process rolled the
    /// period meanwhile) adds only to the lifetime total. Increments, so the spend of several processes sharing
    /// the file adds up. `spend` compares the old `period_start`: sqlite.org/lang_update.html, "The scalar
    /// expressions may refer to columns of the row being updated. In this case all scalar expressions are
    /// evaluated before any assignments are made." An UPDATE, not an upsert, so a key revoked meanwhile is not
    /// brought back.
    static let spendSQL = """
        UPDATE keys SET spend = CASE WHEN coalesce(period_start, 0) < ?2 THEN ?3
                                     WHEN coalesce(period_start, 0) = ?2 THEN coalesce(spend, 0) + ?3
                                     ELSE coalesce(spend, 0) END,
                        period_start = MAX(coalesce(period_start, 0), ?2),
                        total_spend = coalesce(total_spend, 0) + ?3
        WHERE id = ?1
        """

    /// Every stored key, oldest first. A row that cannot be read fails the load, naming the key and the column.
    static func loadAll(from database: SQLiteDatabase) throws -> [APIKey] {
        let statement = try database.prepare(selectSQL)
        var keys: [APIKey] = []
        while try statement.step() { keys.append(try read(statement)) }
        return keys
    }

    /// Inserts the whole record, or replaces every field but the spend counters.
    static func save(_ key: APIKey, in database: SQLiteDatabase) throws {
        let statement = try database.cachedStatement(upsertSQL)
        statement.reset()
        try statement.bind(key.id, at: 1)
        try statement.bind(key.secretHash, at: 2)
        try statement.bind(key.name, at: 3)
        try statement.bind(key.kind.rawValue, at: 4)
        try statement.bind(key.creditLimit, at: 5)
        try statement.bind(key.resetInterval.rawValue, at: 6)
        try statement.bind(jsonList(key.allowedModels), at: 7)
        try statement.bind(key.rpmLimit, at: 8)
        try statement.bind(key.tpmLimit, at: 9)
        try statement.bind(key.maxInFlight, at: 10)
        try statement.bind(key.expiresAt, at: 11)
        try statement.bind(jsonList(key.tags), at: 12)
        try statement.bind(jsonList(key.allowedServers), at: 13)
        try statement.bind(jsonList(key.allowedTools), at: 14)
        try statement.bind(key.disabled ? 1 : 0, at: 15)
        try statement.bind(key.createdAt, at: 16)
        try statement.bind(key.spend, at: 17)
        try statement.bind(key.periodStart, at: 18)
        try statement.bind(key.totalSpend, at: 19)
        try statement.execute()
    }

    /// Deletes the key `id`; deleting a key that is not stored is not an error.
    static func delete(id: String, in database: SQLiteDatabase) throws {
        let statement = try database.cachedStatement(deleteSQL)
        statement.reset()
        try statement.bind(id, at: 1)
        try statement.execute()
    }

    /// Adds several keys' spend in one transaction: all of it is counted, or (on an error) none.
    static func writeSpend(_ updates: [SpendUpdate], in database: SQLiteDatabase) throws {
        try database.transaction {
            let statement = try database.cachedStatement(spendSQL)
            for update in updates {
                statement.reset()
                try statement.bind(update.keyID, at: 1)
                try statement.bind(update.periodStart, at: 2)
                try statement.bind(update.cost, at: 3)
                try statement.execute()
            }
        }
    }

    /// Reads the current row of a statement that selected `columns`.
    static func read(_ statement: SQLiteStatement) throws -> APIKey {
        let id = statement.text(0) ?? ""
        guard let secretHash = statement.text(1), !secretHash.isEmpty else {
            throw StoreError.badRow("keys", id, "secret_hash is empty")
        }
        // An admin key is never stored (it comes from the settings); a row claiming to be one was edited by hand
        // and must not grant everything.
        let kindText = statement.text(3) ?? ""
        guard let kind = KeyKind(rawValue: kindText), kind != .admin else {
            throw StoreError.badRow("keys", id, "kind \"\(kindText)\" is not api or provisioning")
        }
        let intervalText = statement.text(5) ?? ""
        guard let interval = BudgetInterval(rawValue: intervalText) else {
            throw StoreError.badRow("keys", id, "reset_interval \"\(intervalText)\" is not daily, weekly, monthly or never")
        }
        return APIKey(
            id: id, secretHash: secretHash, name: statement.text(2) ?? "", kind: kind,
            creditLimit: statement.optionalDouble(4), resetInterval: interval,
            allowedModels: try list(statement.text(6), column: "allowed_models", id: id),
            rpmLimit: statement.optionalInt(7), tpmLimit: statement.optionalInt(8), maxInFlight: statement.optionalInt(9),
            expiresAt: statement.optionalDouble(10), tags: try list(statement.text(11), column: "tags", id: id),
            allowedServers: try list(statement.text(12), column: "allowed_servers", id: id),
            allowedTools: try list(statement.text(13), column: "allowed_tools", id: id),
            disabled: statement.int(14) != 0, createdAt: statement.double(15), spend: statement.double(16),
            periodStart: statement.double(17), totalSpend: statement.double(18))
    }

    private static func jsonList(_ values: [String]) -> String {
        JSON.array(values.map(JSON.string)).jsonString
    }

    private static func list(_ text: String?, column: String, id: String) throws -> [String] {
        guard let text else { return [] }
        let value: JSON
        do {
            value = try JSON.parse(text)
        } catch {
            throw StoreError.badRow("keys", id, "\(column) is not JSON: \(error)")
        }
        guard let array = value.arrayValue else { throw StoreError.badRow("keys", id, "\(column) is not a JSON array") }
        return try array.map { element in
            guard let string = element.stringValue else {
                throw StoreError.badRow("keys", id, "\(column) holds \(element), not a string")
            }
            return string
        }
    }
}

/// Spend to add to one key's counters: the cost of requests settled in one budget period.
struct SpendUpdate: Sendable, Equatable {
    let keyID: String
    let periodStart: Double
    let cost: Double
}
