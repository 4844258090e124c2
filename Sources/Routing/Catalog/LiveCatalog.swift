/// The catalog as the router sees it: one shared box, so a provider's `/models` list merged after startup reaches
/// every request at once. Confined to the router's thread.
public final class LiveCatalog: ModelLookup {
    public private(set) var catalog: Catalog
    private var byName: [String: [ModelInfo]] = [:]

    public init(_ catalog: Catalog) {
        self.catalog = catalog
        index()
    }

    public func info(for id: ModelID) -> ModelInfo? { catalog.lookup(id) }

    public func models(named name: String) -> [ModelInfo] { byName[name] ?? [] }

    /// Merges a provider's model list (see `Catalog.merge(listed:provider:)`).
    public func merge(listed names: [String], provider: String) {
        catalog.merge(listed: names, provider: provider)
        index()
    }

    private func index() {
        byName = Dictionary(grouping: catalog.all, by: \.id.model)
    }
}
