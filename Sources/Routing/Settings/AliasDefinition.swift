/// How an alias (or a category inside one) picks among its targets. Whatever is picked first, the others follow
/// as fallbacks in the order the strategy ranks them.
public enum SelectionStrategy: String, Sendable, CaseIterable {
    /// In the order written.
    case priority
    /// Random, proportional to each target's `weight`.
    case weighted
    /// Lowest moving-average latency (time to first token for streams); unmeasured targets are tried first so
    /// every target gets measured.
    case lowestLatency = "lowest_latency"
    /// Highest moving-average output tokens per second.
    case highestThroughput = "highest_throughput"
    /// Fewest requests in flight, then fewest recent requests.
    case lowestUsage = "lowest_usage"
    /// Cheapest by catalog price for this request's estimated tokens.
    case lowestPrice = "lowest_price"
    /// Classify the prompt into a category, then use that category's targets and strategy.
    case category
}

/// One candidate of an alias: a concrete model at a provider, with a weight for `weighted`.
public struct AliasTarget: Sendable, Equatable {
    public var model: ModelID
    public var weight: Double

    public init(model: ModelID, weight: Double = 1) {
        self.model = model
        self.weight = weight
    }
}

/// A named group of targets inside a category alias. A prompt falls into the first category whose keyword rules
/// match (or that the classifier model names); otherwise into the alias's default category.
public struct AliasCategory: Sendable, Equatable {
    public var name: String
    /// Case-insensitive words or phrases; any match puts the prompt in this category.
    public var keywords: [String]
    public var strategy: SelectionStrategy
    public var targets: [AliasTarget]

    public init(name: String, keywords: [String] = [], strategy: SelectionStrategy = .priority, targets: [AliasTarget]) {
        self.name = name
        self.keywords = keywords
        self.strategy = strategy
        self.targets = targets
    }
}

/// A virtual model: a name clients use as `model` that maps to targets chosen by a strategy, with fallback
/// inside the alias. Also how "one model from several providers" is expressed (targets with the same model name
/// at different providers).
public struct AliasDefinition: Sendable, Equatable {
    /// The name used as `model`; must not contain `/` (that is how model ids are told apart).
    public var name: String
    public var description: String?
    public var strategy: SelectionStrategy
    /// For every strategy but `category`.
    public var targets: [AliasTarget]
    /// For `category`: the named categories, tried in order.
    public var categories: [AliasCategory]
    /// For `category`: targets and strategy used when no category matches (the "Default" category).
    public var defaultCategory: AliasCategory?
    /// For `category`: a model (or alias-free model id) asked to name the category when keywords do not decide.
    public var classifierModel: ModelID?

    public init(
        name: String, description: String? = nil, strategy: SelectionStrategy, targets: [AliasTarget] = [],
        categories: [AliasCategory] = [], defaultCategory: AliasCategory? = nil, classifierModel: ModelID? = nil
    ) {
        self.name = name
        self.description = description
        self.strategy = strategy
        self.targets = targets
        self.categories = categories
        self.defaultCategory = defaultCategory
        self.classifierModel = classifierModel
    }

    /// Every model this alias can reach.
    public var allTargets: [AliasTarget] {
        targets + categories.flatMap(\.targets) + (defaultCategory?.targets ?? [])
    }
}

/// Where aliases changed at run time are kept (SQLite in the gateway). Loading happens once at startup; saves run
/// off the loop and report back on it.
public protocol AliasStore: AnyObject {
    /// Aliases saved at run time, in the order they were saved.
    func loadAliases() throws -> [AliasDefinition]
    /// The saved aliases as they are now (other processes on the same database may have changed them), read off
    /// the loop; `completion` runs on the loop.
    func reloadAliases(completion: @escaping (Result<[AliasDefinition], Error>) -> Void)
    func saveAlias(_ alias: AliasDefinition, completion: @escaping (Error?) -> Void)
    func deleteAlias(named name: String, completion: @escaping (Error?) -> Void)
}
