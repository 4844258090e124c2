import JSON
import Routing

/// How an `APIKey` is stored in the `keys` table. Writes run on the worker thread; the startup load runs on the
/// loop thread's startup connection.
enum KeysTable {
    /// The columns in the order `upsertSQL` binds them and `selectSQL` reads them.
    static let columns = """
        id, secret_hash, name, kind, credit_limit, reset_interval, allowed_models, rpm_limit, tpm_limit, \
        max_in_flight, expires_at, tags, allowed_servers, allowed_tools, disabled, created_at, spend, period_start, \
        total_spend
        """

    static let selectSQL = "SELECT \(columns) FROM keys ORDER BY created_at, id"

    /// Whether the counters being written, `(new.period_start, new.total_spend)`, are not older than the row's.
    /// A key's period start only moves forward and its total spend only grows, so this pair orders its states.
    private static func notOlder(_ new: String) -> String {
        """
        NOT (coalesce(keys.period_start, 0) > coalesce(\(new).period_start, 0) OR (coalesce(keys.period_start, 0) = \
        coalesce(\(new).period_start, 0) AND coalesce(keys.total_spend, 0) > coalesce(\(new).total_spend, 0)))
        """
    }

    /// The whole record, except that counters older than the stored ones are kept out: another process (the
    /// command line while a server runs) may save a key it read before the server's latest spend write. Every
    /// SET expression sees the row as it was, so the three counters move together.
    static let upsertSQL = """
        INSERT INTO keys (\(columns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, \
        ?17, ?18, ?19)
        ON CONFLICT (id) DO UPDATE SET secret_hash = excluded.secret_hash, name = excluded.name, kind = excluded.kind,
            credit_limit = excluded.credit_limit, reset_interval = excluded.reset_interval,
            allowed_models = excluded.allowed_models, rpm_limit = excluded.rpm_limit, tpm_limit = excluded.tpm_limit,
            max_in_flight = excluded.max_in_flight, expires_at = excluded.expires_at, tags = excluded.tags,
            allowed_servers = excluded.allowed_servers, allowed_tools = excluded.allowed_tools,
            disabled = excluded.disabled, created_at = excluded.created_at,
            spend = CASE WHEN \(notOlder("excluded")) THEN excluded.spend ELSE keys.spend END,
            period_start = CASE WHEN \(notOlder("excluded")) THEN excluded.period_start ELSE keys.period_start END,
            total_spend = CASE WHEN \(notOlder("excluded")) THEN excluded.total_spend ELSE keys.total_spend END
        """

    static let deleteSQL = "DELETE FROM keys WHERE id = ?1"

    /// Writes a key's counters unless the row already holds later ones: a write that arrives after a newer one (a
    /// retried batch, or a full `saveKey` that overtook it) is skipped instead of taking the counters back. An
    /// UPDATE, not an upsert, so a key revoked meanwhile is not brought back.
    static let spendSQL = """
        UPDATE keys SET spend = ?2, period_start = ?3, total_spend = ?4
        WHERE id = ?1 AND NOT (coalesce(period_start, 0) > ?3
                               OR (coalesce(period_start, 0) = ?3 AND coalesce(total_spend, 0) > ?4))
        """

    /// Every stored key, oldest first. A row that cannot be read fails the load, naming the key and the column.
    static func loadAll(from database: SQLiteDatabase) throws -> [APIKey] {
        let statement = try database.prepare(selectSQL)
        var keys: [APIKey] = []
        while try statement.step() { keys.append(try read(statement)) }
        return keys
    }

    /// Inserts or replaces the whole record.
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

    /// Writes the latest counters of several keys in one transaction.
    static func writeSpend(_ updates: [SpendUpdate], in database: SQLiteDatabase) throws {
        try database.transaction {
            let statement = try database.cachedStatement(spendSQL)
            for update in updates {
                statement.reset()
                try statement.bind(update.keyID, at: 1)
                try statement.bind(update.spend, at: 2)
                try statement.bind(update.periodStart, at: 3)
                try statement.bind(update.totalSpend, at: 4)
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

/// A key's spend counters as of one settled request.
struct SpendUpdate: Sendable, Equatable {
    let keyID: String
    let spend: Double
    let periodStart: Double
    let totalSpend: Double
}
