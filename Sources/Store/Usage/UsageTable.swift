import JSON
import Routing

/// How a `UsageRecord` is stored in the `usage` and `usage_tags` tables. Runs on the worker thread only.
enum UsageTable {
    /// The columns in the order `insertSQL` binds them and `selectSQL` reads them.
    static let columns = """
        id, created_at, key_id, face, requested_model, resolved_model, provider, prompt_tokens, completion_tokens, \
        cached_tokens, reasoning_tokens, cost, latency_ms, ttft_ms, stream, status, http_status, error, tags, attempts, \
        cache_write_tokens
        """

    /// A row whose id is already stored is skipped rather than failing its batch: ids are unique per request, so
    /// a duplicate is a retry of a batch that did commit, and failing it would block every later row.
    static let insertSQL = """
        INSERT INTO usage (\(columns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, \
        ?17, ?18, ?19, ?20, ?21) ON CONFLICT (id) DO NOTHING
        """
    static let insertTagSQL = "INSERT INTO usage_tags (usage_id, tag) VALUES (?1, ?2) ON CONFLICT DO NOTHING"
    static let selectSQL = "SELECT \(columns) FROM usage WHERE id = ?1"

    /// Writes `records` in one transaction; returns how many were new.
    static func insert(_ records: [UsageRecord], into database: SQLiteDatabase) throws -> Int {
        try database.transaction {
            let row = try database.cachedStatement(insertSQL)
            let tag = try database.cachedStatement(insertTagSQL)
            var inserted = 0
            for record in records {
                row.reset()
                try bind(record, to: row)
                try row.execute()
                guard database.changes == 1 else { continue }
                inserted += 1
                for name in record.tags {
                    tag.reset()
                    try tag.bind(record.id, at: 1)
                    try tag.bind(name, at: 2)
                    try tag.execute()
                }
            }
            return inserted
        }
    }

    /// The stored record with `id`, or nil.
    static func record(id: String, in database: SQLiteDatabase) throws -> UsageRecord? {
        let statement = try database.cachedStatement(selectSQL)
        statement.reset()
        try statement.bind(id, at: 1)
        guard try statement.step() else { return nil }
        return try read(statement)
    }

    private static func bind(_ record: UsageRecord, to statement: SQLiteStatement) throws {
        try statement.bind(record.id, at: 1)
        try statement.bind(record.createdAt, at: 2)
        try statement.bind(record.keyID, at: 3)
        try statement.bind(record.face, at: 4)
        try statement.bind(record.requestedModel, at: 5)
        try statement.bind(record.resolvedModel?.description, at: 6)
        try statement.bind(record.resolvedModel?.provider, at: 7)
        try statement.bind(record.usage.prompt, at: 8)
        try statement.bind(record.usage.completion, at: 9)
        try statement.bind(record.usage.cached, at: 10)
        try statement.bind(record.usage.reasoning, at: 11)
        try statement.bind(record.cost, at: 12)
        try statement.bind(record.latencyMilliseconds, at: 13)
        try statement.bind(record.timeToFirstTokenMilliseconds, at: 14)
        try statement.bind(record.stream ? 1 : 0, at: 15)
        try statement.bind(record.status, at: 16)
        try statement.bind(record.httpStatus, at: 17)
        try statement.bind(record.error, at: 18)
        try statement.bind(JSON.array(record.tags.map(JSON.string)).jsonString, at: 19)
        try statement.bind(JSON.array(record.attempts.map(\.storedJSON)).jsonString, at: 20)
        try statement.bind(record.usage.cacheWrite, at: 21)
    }

    /// Reads the current row of a statement that selected `columns`.
    static func read(_ statement: SQLiteStatement) throws -> UsageRecord {
        let id = statement.text(0) ?? ""
        let resolved = try statement.text(5).map { text in
            guard let model = ModelID(text) else {
                throw StoreError.badRow("usage", id, "resolved_model \"\(text)\" is not provider/model")
            }
            return model
        }
        let tags = try jsonArray(statement.text(18), column: "tags", id: id).map { element in
            guard let tag = element.stringValue else {
                throw StoreError.badRow("usage", id, "tags holds \(element), not a string")
            }
            return tag
        }
        let attempts = try jsonArray(statement.text(19), column: "attempts", id: id).enumerated().map { index, element in
            try AttemptRecord(stored: element, path: "attempts[\(index)]", id: id)
        }
        return UsageRecord(
            id: id, createdAt: statement.double(1), keyID: statement.text(2), face: statement.text(3) ?? "",
            requestedModel: statement.text(4) ?? "", resolvedModel: resolved, attempts: attempts,
            usage: TokenUsage(
                prompt: statement.int(7), completion: statement.int(8), cached: statement.int(9),
                cacheWrite: statement.int(20), reasoning: statement.int(10)),
            cost: statement.double(11), latencyMilliseconds: statement.double(12),
            timeToFirstTokenMilliseconds: statement.optionalDouble(13), stream: statement.int(14) != 0,
            status: statement.text(15) ?? "", httpStatus: statement.int(16), error: statement.text(17), tags: tags)
    }

    private static func jsonArray(_ text: String?, column: String, id: String) throws -> [JSON] {
        guard let text else { return [] }
        let value: JSON
        do {
            value = try JSON.parse(text)
        } catch {
            throw StoreError.badRow("usage", id, "\(column) is not JSON: \(error)")
        }
        guard let array = value.arrayValue else { throw StoreError.badRow("usage", id, "\(column) is not a JSON array") }
        return array
    }
}

extension AttemptRecord {
    /// `{"model", "outcome", "status", "error", "latency_ms", "cost"}`; absent values are written as null so
    /// every element has the same keys for `json_extract` in ad-hoc queries (rows written before `cost` existed
    /// lack it, and read back without one).
    var storedJSON: JSON {
        [
            "model": .string(model.description), "outcome": .string(outcome),
            "status": status.map { .int(Int64($0)) } ?? .null, "error": error.map(JSON.string) ?? .null,
            "latency_ms": .double(latencyMilliseconds), "cost": cost.map(JSON.double) ?? .null,
        ]
    }

    init(stored json: JSON, path: String, id: String) throws {
        guard let text = json["model"]?.stringValue, let model = ModelID(text) else {
            throw StoreError.badRow("usage", id, "\(path).model is missing or not provider/model")
        }
        guard let outcome = json["outcome"]?.stringValue else {
            throw StoreError.badRow("usage", id, "\(path).outcome is missing")
        }
        // A non-finite latency was written as null (JSON has no NaN); it reads back as 0.
        self.init(
            model: model, outcome: outcome, status: json["status"]?.intValue.map { Int($0) },
            error: json["error"]?.stringValue, latencyMilliseconds: json["latency_ms"]?.doubleValue ?? 0,
            cost: json["cost"]?.doubleValue)
    }
}
