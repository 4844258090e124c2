import JSON

extension AliasDefinition {
    /// Reads an alias from settings or from a tool call, e.g.
    /// `{"strategy": "weighted", "targets": [{"model": "openai/gpt-4o-mini", "weight": 3}, "groq/llama-3.3-70b"]}`.
    /// A target may be written as a bare model id string. Every problem names its field under `path`.
    public init(name: String, json: JSON, path: String) throws(SettingsError) {
        let reader = try SettingsReader(json, path: path)
        try reader.rejectUnknown(["strategy", "targets", "categories", "default", "classifier_model", "description"])
        guard !name.isEmpty, !name.contains("/") else {
            throw SettingsError(
                "\(path): alias name \"\(name)\" must be non-empty and contain no \"/\" (that marks a provider/model id)")
        }
        let strategy = try Self.strategy(reader, "strategy") ?? .priority
        let targets = try Self.targets(reader, "targets")
        var categories: [AliasCategory] = []
        for (index, element) in try reader.array("categories").enumerated() {
            categories.append(try Self.category(element, path: reader.field("categories[\(index)]"), requireName: true))
        }
        let defaultCategory = try reader.object["default"].map { value throws(SettingsError) in
            try Self.category(value, path: reader.field("default"), requireName: false)
        }
        if strategy == .category {
            guard !categories.isEmpty || defaultCategory != nil else {
                throw reader.error("categories", "a category alias needs \"categories\" and/or a \"default\" category")
            }
        } else {
            guard !targets.isEmpty else { throw reader.error("targets", "needs at least one target") }
            guard categories.isEmpty else { throw reader.error("categories", "only used with \"strategy\": \"category\"") }
        }
        if strategy == .weighted, !targets.contains(where: { $0.weight > 0 }) {
            throw reader.error("targets", "weighted needs at least one target with a weight above 0")
        }
        self.init(
            name: name, description: try reader.string("description"), strategy: strategy, targets: targets,
            categories: categories, defaultCategory: defaultCategory,
            classifierModel: try reader.modelID("classifier_model"))
    }

    /// The same shape `init(name:json:path:)` reads (targets always written as objects).
    public var json: JSON {
        var object: JSONObject = ["strategy": .string(strategy.rawValue)]
        if let description { object["description"] = .string(description) }
        if !targets.isEmpty { object["targets"] = .array(targets.map(\.json)) }
        if !categories.isEmpty { object["categories"] = .array(categories.map(\.json)) }
        if let defaultCategory { object["default"] = defaultCategory.json }
        if let classifierModel { object["classifier_model"] = .string(classifierModel.description) }
        return .object(object)
    }

    private static func strategy(_ reader: SettingsReader, _ key: String) throws(SettingsError) -> SelectionStrategy? {
        guard let text = try reader.string(key) else { return nil }
        guard let strategy = SelectionStrategy(rawValue: text) else {
            let known = SelectionStrategy.allCases.map(\.rawValue).joined(separator: ", ")
            throw reader.error(key, "unknown strategy \"\(text)\" (expected one of: \(known))")
        }
        return strategy
    }

    private static func targets(_ reader: SettingsReader, _ key: String) throws(SettingsError) -> [AliasTarget] {
        var result: [AliasTarget] = []
        for (index, element) in try reader.array(key).enumerated() {
            let path = reader.field("\(key)[\(index)]")
            if let text = element.stringValue {
                guard let id = ModelID(text) else {
                    throw SettingsError("\(path): must be a model id written provider/model, got \"\(text)\"")
                }
                result.append(AliasTarget(model: id))
                continue
            }
            let target = try SettingsReader(element, path: path)
            try target.rejectUnknown(["model", "weight"])
            guard let id = try target.modelID("model") else { throw target.error("model", "is required (provider/model)") }
            result.append(AliasTarget(model: id, weight: try target.double("weight", range: 0...1_000_000) ?? 1))
        }
        return result
    }

    private static func category(_ value: JSON, path: String, requireName: Bool) throws(SettingsError) -> AliasCategory {
        let reader = try SettingsReader(value, path: path)
        try reader.rejectUnknown(["name", "keywords", "strategy", "targets"])
        let name = requireName ? try reader.requiredString("name") : (try reader.string("name") ?? "default")
        let strategy = try Self.strategy(reader, "strategy") ?? .priority
        guard strategy != .category else { throw reader.error("strategy", "a category cannot itself use \"category\"") }
        let targets = try Self.targets(reader, "targets")
        guard !targets.isEmpty else { throw reader.error("targets", "needs at least one target") }
        // A named category without keywords can still be chosen by the alias's classifier model.
        let keywords = try reader.strings("keywords") ?? []
        return AliasCategory(name: name, keywords: keywords, strategy: strategy, targets: targets)
    }
}

extension AliasTarget {
    var json: JSON { ["model": .string(model.description), "weight": .double(weight)] }
}

extension AliasCategory {
    var json: JSON {
        var object: JSONObject = [
            "name": .string(name), "strategy": .string(strategy.rawValue),
            "targets": .array(targets.map(\.json)),
        ]
        if !keywords.isEmpty { object["keywords"] = .array(keywords.map(JSON.string)) }
        return .object(object)
    }
}
