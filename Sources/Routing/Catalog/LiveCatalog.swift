/// The catalog as the router sees it: one shared box, so a provider's `/models` list merged after startup reaches
/// every request at once. Confined to the router's thread.
public final class LiveCatalog: ModelLookup {
    public private(set) var catalog: Catalog
    private var byName: [String: [ModelInfo]] = [:]

    /// Models declared in settings: a provider's list never switches them off (the user said they exist).
    private let declared: [ModelInfo]

    public init(_ catalog: Catalog, declared: [ModelInfo] = []) {
        self.catalog = catalog
        self.declared = declared
        index()
    }

    public func info(for id: ModelID) -> ModelInfo? { catalog.lookup(id) }

    public func models(named name: String) -> [ModelInfo] { byName[name] ?? [] }

    /// Merges a provider's model list (see `Catalog.merge(listed:provider:)`).
    public func merge(listed names: [String], provider: String) {
        catalog.merge(listed: names, provider: provider)
        catalog.apply(declared.filter { $0.id.provider == provider })
        index()
    }

    private func index() {
        byName = Dictionary(grouping: catalog.all, by: \.id.model)
    }
}
