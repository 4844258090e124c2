import Routing

/// What a usage summary groups requests by.
public enum UsageGrouping: String, Sendable, CaseIterable {
    /// The model that answered (`provider/model`); requests no model answered have no group value.
    case model
    /// The provider of the model that answered.
    case provider
    /// The API key id; requests made without a key have no group value.
    case key
    /// Each tag; a request with two tags counts in both groups, one without tags has no group value.
    case tag
    /// The UTC day the request arrived, `YYYY-MM-DD`.
    case day
    /// `http` or `mcp`.
    case face
    /// `ok` or `error`.
    case status
}

/// One group of a usage summary.
public struct UsageSummaryRow: Sendable, Equatable {
    /// The group's value (a model id, a day, a tag, …); nil for requests that have none (no key, no tag, …).
    public var group: String?
    /// Requests in the group.
    public var requests: Int
    /// Requests whose status is not `ok`.
    public var errors: Int
    /// Prompt tokens, summed.
    public var promptTokens: Int
    /// Completion tokens, summed.
    public var completionTokens: Int
    /// The sum of the requests' cost, in US dollars.
    public var cost: Double
    /// The mean end-to-end latency.
    public var averageLatencyMilliseconds: Double

    /// A row with every figure given.
    public init(
        group: String?, requests: Int, errors: Int, promptTokens: Int, completionTokens: Int, cost: Double,
        averageLatencyMilliseconds: Double
    ) {
        self.group = group
        self.requests = requests
        self.errors = errors
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cost = cost
        self.averageLatencyMilliseconds = averageLatencyMilliseconds
    }
}

/// The aggregate queries over `usage`. Runs on the worker thread only.
enum UsageQueries {
    /// The SQL expression for each grouping, over `usage u` (and `usage_tags t` for tags).
    private static func groupExpression(_ grouping: UsageGrouping) -> String {
        switch grouping {
        case .model: "u.resolved_model"
        case .provider: "u.provider"
        case .key: "u.key_id"
        case .tag: "t.tag"
        case .day: "date(u.created_at, 'unixepoch')"
        case .face: "u.face"
        case .status: "u.status"
        }
    }

    static func summarySQL(_ grouping: UsageGrouping) -> String {
        let join = grouping == .tag ? "LEFT JOIN usage_tags t ON t.usage_id = u.id" : ""
        // TOTAL (not SUM) returns 0.0 rather than NULL for all-NULL costs; the tie-breakers make the order stable.
        return """
            SELECT \(groupExpression(grouping)) AS grp, COUNT(*), SUM(u.status <> 'ok'), SUM(u.prompt_tokens),
                   SUM(u.completion_tokens), TOTAL(u.cost), AVG(u.latency_ms)
            FROM usage u \(join)
            WHERE u.created_at >= ?1 AND u.created_at < ?2 AND (?3 IS NULL OR u.key_id = ?3)
            GROUP BY grp
            ORDER BY TOTAL(u.cost) DESC, COUNT(*) DESC, grp
            """
    }

    /// Requests from `since` (inclusive) to `until` (exclusive), grouped, most expensive group first.
    static func summary(
        since: Double, until: Double, groupBy grouping: UsageGrouping, keyID: String? = nil,
        in database: SQLiteDatabase
    ) throws -> [UsageSummaryRow] {
        let statement = try database.cachedStatement(summarySQL(grouping))
        statement.reset()
        try statement.bind(since, at: 1)
        try statement.bind(until, at: 2)
        try statement.bind(keyID, at: 3)
        var rows: [UsageSummaryRow] = []
        while try statement.step() {
            rows.append(
                UsageSummaryRow(
                    group: statement.text(0), requests: statement.int(1), errors: statement.int(2),
                    promptTokens: statement.int(3), completionTokens: statement.int(4), cost: statement.double(5),
                    averageLatencyMilliseconds: statement.double(6)))
        }
        return rows
    }

    static let recentCountsSQL = """
        SELECT resolved_model, COUNT(*) FROM usage
        WHERE created_at >= ?1 AND resolved_model IS NOT NULL
        GROUP BY resolved_model
        """

    /// Requests per answering model since `since`.
    static func recentCounts(since: Double, in database: SQLiteDatabase) throws -> [ModelID: Int] {
        let statement = try database.cachedStatement(recentCountsSQL)
        statement.reset()
        try statement.bind(since, at: 1)
        var counts: [ModelID: Int] = [:]
        while try statement.step() {
            let text = statement.text(0) ?? ""
            guard let model = ModelID(text) else {
                throw StoreError.badRow("usage", "resolved_model \(text)", "not provider/model")
            }
            counts[model] = statement.int(1)
        }
        return counts
    }
}
