/// Everything the routing core is configured with: from `switchyard.json` (or `--config` / `SWITCHYARD_CONFIG`),
/// or, with no file, discovered from the usual environment variables.
public struct RoutingSettings: Sendable {
    /// Providers by id.
    public var providers: [String: ProviderConfig]
    /// Models declared or overridden in settings, each already merged over its shipped catalog entry (a settings
    /// entry that sets only a price keeps the shipped context length); ``Catalog/init(settings:base:)`` applies them.
    public var models: [ModelInfo]
    /// Aliases declared in settings (run-time changes from the store are applied over these).
    public var aliases: [AliasDefinition]
    /// Used when a request names no model (and the MCP session has not chosen one with `model_use`).
    public var defaultModel: String?
    /// Circuit breaker and moving-average tuning.
    public var health: HealthSettings
    /// The SQLite file for usage and run-time aliases. The loader makes it absolute (relative to the settings
    /// file's directory, or to the working directory without a file); a relative path set by hand is relative to
    /// the working directory.
    public var databasePath: String
    /// The admin secret (from the variable `admin_key_env` names, else `SWITCHYARD_ADMIN_KEY`). When set, every
    /// request on every face needs a valid key; when nil, Switchyard runs open for local single-user use.
    public var adminKey: String?
    /// Where the settings came from, for messages (`switchyard.json`, `environment`).
    public var source: String
    /// Problems that do not stop the gateway (a provider's key variable is unset, no provider configured); the
    /// gateway logs them at startup. They name variables, never their values.
    public var warnings: [String]

    public init(
        providers: [String: ProviderConfig] = [:], models: [ModelInfo] = [], aliases: [AliasDefinition] = [],
        defaultModel: String? = nil, health: HealthSettings = HealthSettings(),
        databasePath: String = "switchyard.db", source: String = "defaults", warnings: [String] = []
    ) {
        self.providers = providers
        self.models = models
        self.aliases = aliases
        self.defaultModel = defaultModel
        self.health = health
        self.databasePath = databasePath
        self.source = source
        self.warnings = warnings
    }
}

/// Tuning of health tracking.
public struct HealthSettings: Sendable, Equatable {
    /// Consecutive health-counting failures that open a target's circuit.
    public var failureThreshold: Int
    /// How long an open circuit stays open before one half-open probe is let through.
    public var cooldownSeconds: Double
    /// Weight of the newest sample in the exponential moving averages (0…1).
    public var smoothing: Double

    public init(failureThreshold: Int = 5, cooldownSeconds: Double = 30, smoothing: Double = 0.2) {
        self.failureThreshold = failureThreshold
        self.cooldownSeconds = cooldownSeconds
        self.smoothing = smoothing
    }
}

/// A settings problem, naming the file and the field.
public struct SettingsError: Error, Sendable, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
