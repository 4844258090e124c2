import JSON

/// A capability a request may need from a model.
public enum ModelCapability: String, Sendable, CaseIterable {
    case tools
    case vision
    case jsonSchema = "json_schema"
    case reasoning
}

extension ModelInfo {
    /// Whether the catalog says this model has `capability`.
    public func supports(_ capability: ModelCapability) -> Bool {
        switch capability {
        case .tools: return supportsTools
        case .vision: return supportsVision
        case .jsonSchema: return supportsJSONSchema
        case .reasoning: return supportsReasoning
        }
    }
}

/// Which models to list (the `models_list` tool, filtered model listings). Every condition set must hold.
public struct ModelFilter: Sendable, Equatable {
    /// Only this provider id.
    public var provider: String?
    /// Only models that accept this input modality (`image`, `audio`, …).
    public var inputModality: String?
    /// Only models with all of these.
    public var capabilities: Set<ModelCapability>
    /// USD per million input tokens, inclusive. Models whose price is unknown never pass a price limit.
    public var maxInputPrice: Double?
    /// USD per million output tokens, inclusive.
    public var maxOutputPrice: Double?
    /// Only models whose context window is known and at least this many tokens.
    public var minContextLength: Int?
    /// Skip models a provider no longer lists or settings switched off.
    public var activeOnly: Bool

    public init(
        provider: String? = nil, inputModality: String? = nil, capabilities: Set<ModelCapability> = [],
        maxInputPrice: Double? = nil, maxOutputPrice: Double? = nil, minContextLength: Int? = nil,
        activeOnly: Bool = false
    ) {
        self.provider = provider
        self.inputModality = inputModality
        self.capabilities = capabilities
        self.maxInputPrice = maxInputPrice
        self.maxOutputPrice = maxOutputPrice
        self.minContextLength = minContextLength
        self.activeOnly = activeOnly
    }

    /// Whether `model` passes every condition set.
    public func matches(_ model: ModelInfo) -> Bool {
        if let provider, model.id.provider != provider { return false }
        if let inputModality, !model.inputModalities.contains(inputModality) { return false }
        if !capabilities.allSatisfy(model.supports) { return false }
        if maxInputPrice != nil || maxOutputPrice != nil, !model.isPricingKnown { return false }
        if let maxInputPrice, model.pricing.input > maxInputPrice { return false }
        if let maxOutputPrice, model.pricing.output > maxOutputPrice { return false }
        if let minContextLength, (model.contextLength ?? 0) < minContextLength { return false }
        if activeOnly, !model.isActive { return false }
        return true
    }
}

extension ModelFilter {
    /// Reads tool arguments such as `{"provider": "openai", "capability": ["tools", "vision"],
    /// "max_input_price": 1, "active_only": true}`; `capability` may be one name or an array. Problems name the
    /// field under `path` (empty for the top level).
    public init(json: JSON, path: String = "") throws(SettingsError) {
        let reader = try SettingsReader(json, path: path)
        try reader.rejectUnknown([
            "provider", "input_modality", "capability", "max_input_price", "max_output_price",
            "min_context_length", "active_only",
        ])
        var capabilities: Set<ModelCapability> = []
        let names: [String]
        if let single = reader.object["capability"]?.stringValue {
            names = [single]
        } else {
            names = try reader.strings("capability") ?? []
        }
        for name in names {
            guard let capability = ModelCapability(rawValue: name) else {
                let known = ModelCapability.allCases.map(\.rawValue).joined(separator: ", ")
                throw reader.error("capability", "unknown capability \"\(name)\" (expected one of: \(known))")
            }
            capabilities.insert(capability)
        }
        self.init(
            provider: try reader.string("provider"), inputModality: try reader.string("input_modality"),
            capabilities: capabilities,
            maxInputPrice: try reader.double("max_input_price", range: 0...1_000_000),
            maxOutputPrice: try reader.double("max_output_price", range: 0...1_000_000),
            minContextLength: try reader.int("min_context_length", range: 0...1_000_000_000),
            activeOnly: try reader.bool("active_only") ?? false)
    }
}

extension Catalog {
    /// The models `filter` lets through, sorted by id.
    public func models(matching filter: ModelFilter) -> [ModelInfo] {
        all.filter(filter.matches)
    }
}
