import JSON

/// The sections of a settings file, read and checked against each other. Errors carry field paths only; the
/// loader adds the file name.
enum SettingsFile {
    static let fields: Set<String> = [
        "providers", "models", "aliases", "default_model", "health", "database", "admin_key_env",
    ]

    /// Reads `root`. `discovered` holds the environment's providers when the file has no `providers` section.
    static func read(
        _ root: JSON, discovered: [String: ProviderConfig]?, directory: String,
        environment: [String: String]
    ) throws(SettingsError) -> RoutingSettings {
        let reader = try SettingsReader(root, path: "")
        try reader.rejectUnknown(fields)
        var warnings: [String] = []
        var providers = discovered ?? [:]
        if let section = try reader.child("providers") {
            let parsed = try ProviderSettings.parse(section, environment: environment)
            providers = parsed.providers
            warnings += parsed.warnings
        }
        if providers.isEmpty { warnings.append(SettingsLoader.noProvidersWarning) }
        let aliases = try self.aliases(reader, providers: providers)
        var defaultModel: String?
        if let value = try reader.string("default_model") {
            try checkDefaultModel(value, field: "default_model", providers: providers, aliases: aliases)
            defaultModel = value
        }
        let database = try reader.string("database") ?? SettingsLoader.defaultDatabaseName
        guard !database.isEmpty else { throw reader.error("database", "must be a file path") }
        // The store opens the file from two threads (startup and its worker); an in-memory database would be two
        // separate databases, and keys and usage must survive a restart anyway.
        guard database != ":memory:", !database.hasPrefix("file:") else {
            throw reader.error("database", "must be a file path (in-memory and URI databases are not supported)")
        }
        var settings = RoutingSettings(
            providers: providers, models: try models(reader, providers: providers), aliases: aliases,
            defaultModel: defaultModel, health: try health(reader),
            databasePath: SettingsPaths.resolve(database, in: directory, home: environment["HOME"]),
            warnings: warnings)
        if let variable = try reader.string("admin_key_env") {
            // Fail closed: a file that asks for an admin key must never run open because the variable is unset.
            guard let secret = environment[variable], !secret.isEmpty else {
                throw reader.error(
                    "admin_key_env",
                    "names the variable \(variable), which is not set; set it (or remove admin_key_env to run open)")
            }
            settings.adminKey = secret
        }
        return settings
    }

    /// `models`: entries keyed by model id, each merged over the shipped catalog entry of that id, if any.
    static func models(_ reader: SettingsReader, providers: [String: ProviderConfig]) throws(SettingsError)
        -> [ModelInfo]
    {
        guard let section = try reader.child("models") else { return [] }
        var models: [ModelInfo] = []
        for (key, value) in section.object {
            let path = section.field(key)
            guard let id = ModelID(key) else {
                throw SettingsError("\(path): the key must be a model id written provider/model")
            }
            try checkProvider(id.provider, path: path, providers: providers)
            let override = try ModelOverride(json: value, path: path)
            // A model the catalog does not know starts with unknown pricing until the entry gives a price.
            let base = Catalog.shipped.lookup(id) ?? ModelInfo(id: id, isPricingKnown: false)
            models.append(override.applied(to: base))
        }
        return models
    }

    /// `aliases`: entries keyed by alias name; every target must be at a configured provider.
    static func aliases(_ reader: SettingsReader, providers: [String: ProviderConfig]) throws(SettingsError)
        -> [AliasDefinition]
    {
        guard let section = try reader.child("aliases") else { return [] }
        var aliases: [AliasDefinition] = []
        for (name, value) in section.object {
            let path = section.field(name)
            let alias = try AliasDefinition(name: name, json: value, path: path)
            // Paths follow the JSON: the parser keeps targets and categories in the order written.
            for (index, target) in alias.targets.enumerated() {
                try checkProvider(target.model.provider, path: "\(path).targets[\(index)]", providers: providers)
            }
            for (category, entry) in alias.categories.enumerated() {
                for (index, target) in entry.targets.enumerated() {
                    try checkProvider(
                        target.model.provider, path: "\(path).categories[\(category)].targets[\(index)]",
                        providers: providers)
                }
            }
            for (index, target) in (alias.defaultCategory?.targets ?? []).enumerated() {
                try checkProvider(target.model.provider, path: "\(path).default.targets[\(index)]", providers: providers)
            }
            if let classifier = alias.classifierModel {
                try checkProvider(classifier.provider, path: "\(path).classifier_model", providers: providers)
            }
            aliases.append(alias)
        }
        return aliases
    }

    static func health(_ reader: SettingsReader) throws(SettingsError) -> HealthSettings {
        let defaults = HealthSettings()
        guard let section = try reader.child("health") else { return defaults }
        try section.rejectUnknown(["failure_threshold", "cooldown_seconds", "smoothing"])
        return HealthSettings(
            failureThreshold: try section.int("failure_threshold", range: 1...1_000) ?? defaults.failureThreshold,
            cooldownSeconds: try section.double("cooldown_seconds", range: 0...86_400) ?? defaults.cooldownSeconds,
            // 0 would freeze the averages at their first sample.
            smoothing: try section.double("smoothing", range: 0.01...1) ?? defaults.smoothing)
    }

    /// A default model is an alias name or a model id at a configured provider.
    static func checkDefaultModel(
        _ value: String, field: String, providers: [String: ProviderConfig],
        aliases: [AliasDefinition]
    ) throws(SettingsError) {
        if value.contains("/") {
            guard let id = ModelID(value) else {
                throw SettingsError("\(field): \"\(value)\" must be a model id written provider/model or an alias name")
            }
            try checkProvider(id.provider, path: field, providers: providers)
        } else if !aliases.contains(where: { $0.name == value }) {
            let defined =
                aliases.isEmpty
                ? "none are defined"
                : "defined: "
                    + aliases.map(\.name).sorted().joined(separator: ", ")
            throw SettingsError(
                "\(field): \"\(value)\" is not an alias (\(defined)); name an alias or a model id "
                    + "written provider/model")
        }
    }

    static func checkProvider(_ provider: String, path: String, providers: [String: ProviderConfig])
        throws(SettingsError)
    {
        guard providers[provider] == nil else { return }
        let defined =
            providers.isEmpty
            ? "none are configured"
            : "configured: "
                + providers.keys.sorted().joined(separator: ", ")
        throw SettingsError("\(path): provider \"\(provider)\" is not configured (\(defined))")
    }
}
