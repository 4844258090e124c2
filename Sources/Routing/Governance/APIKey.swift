import Patterns

/// What a key may do.
public enum KeyKind: String, Sendable, CaseIterable {
    /// Everything (from settings or `SWITCHYARD_ADMIN_KEY`; never stored in the database).
    case admin
    /// Manages other keys; cannot call models.
    case provisioning
    /// Calls models and tools within its limits.
    case api
}

/// When a key's spend counter starts again from zero.
public enum BudgetInterval: String, Sendable, CaseIterable {
    case daily, weekly, monthly, never

    /// The start of the period containing `time` (unix seconds, UTC): midnight, Monday midnight, the 1st.
    public func periodStart(containing time: Double) -> Double {
        let day = (time / 86_400).rounded(.down)
        switch self {
        case .never: return 0
        case .daily: return day * 86_400
        case .weekly:
            // 1970-01-01 was a Thursday; Monday-based weeks start 3 days before each Thursday-aligned week.
            let mondays = ((day + 3) / 7).rounded(.down) * 7 - 3
            return mondays * 86_400
        case .monthly:
            let (year, month, _) = CivilDate.from(days: Int(day))
            return Double(CivilDate.days(year: year, month: month, day: 1)) * 86_400
        }
    }
}

/// One key. The secret itself is never kept: only its SHA-256 (`secretHash`, hex), shown nowhere after creation.
public struct APIKey: Sendable, Equatable {
    /// Derived from the hash (`key_` + its first 16 hex digits): stable, safe to show and log.
    public var id: String
    public var secretHash: String
    public var name: String
    public var kind: KeyKind
    /// USD per budget period; nil means unlimited.
    public var creditLimit: Double?
    public var resetInterval: BudgetInterval
    /// Globs over model ids and alias names (`openai/*`, `fast`); empty means all.
    public var allowedModels: [String]
    public var rpmLimit: Int?
    public var tpmLimit: Int?
    public var maxInFlight: Int?
    /// Unix seconds; nil means never.
    public var expiresAt: Double?
    /// Added to every request's usage row.
    public var tags: [String]
    /// Globs over downstream MCP server names; empty means all.
    public var allowedServers: [String]
    /// Globs over exposed tool names (`time__*`, `chat`); empty means all.
    public var allowedTools: [String]
    public var disabled: Bool
    public var createdAt: Double
    /// Spend in the current period (USD), settled requests only.
    public var spend: Double
    /// Start of the period `spend` belongs to (unix seconds).
    public var periodStart: Double
    /// Spend over the key's whole life.
    public var totalSpend: Double

    public init(
        id: String, secretHash: String, name: String, kind: KeyKind = .api, creditLimit: Double? = nil,
        resetInterval: BudgetInterval = .never, allowedModels: [String] = [], rpmLimit: Int? = nil,
        tpmLimit: Int? = nil, maxInFlight: Int? = nil, expiresAt: Double? = nil, tags: [String] = [],
        allowedServers: [String] = [], allowedTools: [String] = [], disabled: Bool = false,
        createdAt: Double = 0, spend: Double = 0, periodStart: Double = 0, totalSpend: Double = 0
    ) {
        self.id = id
        self.secretHash = secretHash
        self.name = name
        self.kind = kind
        self.creditLimit = creditLimit
        self.resetInterval = resetInterval
        self.allowedModels = allowedModels
        self.rpmLimit = rpmLimit
        self.tpmLimit = tpmLimit
        self.maxInFlight = maxInFlight
        self.expiresAt = expiresAt
        self.tags = tags
        self.allowedServers = allowedServers
        self.allowedTools = allowedTools
        self.disabled = disabled
        self.createdAt = createdAt
        self.spend = spend
        self.periodStart = periodStart
        self.totalSpend = totalSpend
    }

    /// The id for a secret's hash.
    public static func id(forHash hash: String) -> String { "key_" + hash.prefix(16) }

    /// Whether this key may use `name` (a model id or alias name).
    public func allowsModel(_ name: String) -> Bool {
        allowedModels.isEmpty || allowedModels.contains { Glob.matches($0, name) }
    }

    /// Whether this key may see and call the exposed tool `tool` (of downstream `server`, nil for our own tools).
    public func allowsTool(_ tool: String, server: String?) -> Bool {
        if let server, !allowsServer(server) { return false }
        return allowedTools.isEmpty || allowedTools.contains { Glob.matches($0, tool) }
    }

    /// Whether this key may use downstream `server` (its tools, subject to `allowedTools`, its resources and prompts).
    public func allowsServer(_ server: String) -> Bool {
        allowedServers.isEmpty || allowedServers.contains { Glob.matches($0, server) }
    }
}

/// Proleptic Gregorian dates from day numbers (Howard Hinnant's civil_from_days / days_from_civil).
enum CivilDate {
    static func from(days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
