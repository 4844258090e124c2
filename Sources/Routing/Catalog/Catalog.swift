/// Every model Switchyard knows: the shipped catalog (`catalog.json`), overridden and extended by settings, and
/// kept current with what each provider's `/models` reports (``merge(listed:provider:)``).
///
/// A plain value: build one at startup, replace it when a provider's list arrives. Ids are `provider/model` with
/// the provider id from settings, so a catalog built for settings holds only models of configured providers.
public struct Catalog: Sendable {
    /// The day the shipped prices were checked (`YYYY-MM-DD`), when known.
    public let asOf: String?
    /// Unix time of `asOf`, used as every model's `created` in `/v1/models` so the answer is reproducible.
    let createdUnixTime: Int64
    private var entries: [ModelID: ModelInfo]
    /// Snapshot names a provider lists for a catalog entry (see ``CatalogFile/snapshots``).
    private var snapshots: [ModelID: ModelID]
    /// Models settings switched off: a provider listing them must not switch them back on.
    private var disabledBySettings: Set<ModelID>

    /// A catalog of exactly `models` (tests, tools); a later model with the same id replaces an earlier one.
    public init(models: [ModelInfo], asOf: String? = nil) {
        self.init(models: models, snapshots: [:], asOf: asOf)
    }

    private init(models: [ModelInfo], snapshots: [ModelID: ModelID], asOf: String?) {
        self.asOf = asOf
        createdUnixTime = asOf.flatMap(CatalogDate.unixTime(of:)) ?? 0
        entries = [:]
        self.snapshots = snapshots
        disabledBySettings = []
        apply(models)
    }

    /// The catalog shipped inside the binary, parsed once on first use.
    public static let shipped: Catalog = {
        do {
            let file = try CatalogFile.parse(PackageResources.catalog_json, name: "catalog.json")
            return Catalog(models: file.models, snapshots: file.snapshots, asOf: file.asOf)
        } catch {
            // The file is compiled in and checked by the tests, so a failure here is our bug, not the user's.
            preconditionFailure("the shipped model catalog is invalid: \(error)")
        }
    }()

    /// `base` (the shipped catalog) with `settings.models` applied, holding only models of the providers
    /// `settings` configures: a model at an unconfigured provider cannot be called, so listing it would mislead.
    public init(settings: RoutingSettings, base: Catalog = .shipped) {
        self = base
        apply(settings.models)
        entries = entries.filter { settings.providers[$0.key.provider] != nil }
        snapshots = snapshots.filter { settings.providers[$0.key.provider] != nil }
    }

    /// Adds `models`, each replacing any entry with its id. Settings entries arrive already merged over their
    /// shipped entry by the loader, so replacing whole values is what "a settings entry overrides" means here.
    public mutating func apply(_ models: [ModelInfo]) {
        for model in models {
            entries[model.id] = model
            if model.isActive {
                disabledBySettings.remove(model.id)
            } else {
                disabledBySettings.insert(model.id)
            }
        }
    }

    /// The model with this id. A dated snapshot name of a catalog entry (`anthropic/claude-opus-4-1-20250805`)
    /// finds that entry, returned under the id asked for, so costs of pinned snapshots are known too.
    public func lookup(_ id: ModelID) -> ModelInfo? {
        if let info = entries[id] { return info }
        guard let canonical = snapshots[id], var info = entries[canonical] else { return nil }
        info.id = id
        return info
    }

    /// Every model, sorted by id.
    public var all: [ModelInfo] { entries.values.sorted { $0.id < $1.id } }

    /// The models of one provider, sorted by id.
    public func models(provider: String) -> [ModelInfo] {
        entries.values.filter { $0.id.provider == provider }.sorted { $0.id < $1.id }
    }

    /// Folds in the model names a provider's `/models` reported (its own names, without our `provider/` prefix).
    /// Unknown names are added with default fields and unknown pricing; known models of that provider that are
    /// not listed become inactive, listed ones active again (unless settings switched them off).
    ///
    /// An empty list changes nothing: a working provider always serves some model, so an empty answer says more
    /// about a broken `/models` endpoint (many OpenAI-compatible servers have one) than about the models.
    public mutating func merge(listed names: [String], provider: String) {
        guard !names.isEmpty else { return }
        var listed: Set<ModelID> = []
        for name in names where !name.isEmpty {
            let id = ModelID(provider: provider, model: name)
            if entries[id] != nil {
                listed.insert(id)
            } else if let canonical = snapshots[id], entries[canonical] != nil {
                listed.insert(canonical)
            } else {
                entries[id] = ModelInfo(id: id, isPricingKnown: false)
                listed.insert(id)
            }
        }
        for id in entries.keys where id.provider == provider {
            entries[id]?.isActive = listed.contains(id) && !disabledBySettings.contains(id)
        }
    }
}
