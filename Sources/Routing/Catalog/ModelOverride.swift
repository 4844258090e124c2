import JSON

/// Some fields of a ``ModelInfo``: one entry of the shipped catalog or of `models` in settings. Fields left `nil`
/// keep what the model already has, so a settings entry can change only a price.
public struct ModelOverride: Sendable, Equatable {
    public var displayName: String?
    public var contextLength: Int?
    public var maxOutputTokens: Int?
    public var inputModalities: [String]?
    public var outputModalities: [String]?
    /// Prices are overridden one by one (`{"pricing": {"output": 12}}` keeps the input price).
    public var inputPrice: Double?
    public var outputPrice: Double?
    public var cachedInputPrice: Double?
    public var cacheWritePrice: Double?
    public var supportsTools: Bool?
    public var supportsVision: Bool?
    public var supportsJSONSchema: Bool?
    public var supportsReasoning: Bool?
    public var usesMaxCompletionTokens: Bool?
    public var isActive: Bool?

    public init(
        displayName: String? = nil, contextLength: Int? = nil, maxOutputTokens: Int? = nil,
        inputModalities: [String]? = nil, outputModalities: [String]? = nil, inputPrice: Double? = nil,
        outputPrice: Double? = nil, cachedInputPrice: Double? = nil, cacheWritePrice: Double? = nil,
        supportsTools: Bool? = nil, supportsVision: Bool? = nil, supportsJSONSchema: Bool? = nil,
        supportsReasoning: Bool? = nil, usesMaxCompletionTokens: Bool? = nil, isActive: Bool? = nil
    ) {
        self.displayName = displayName
        self.contextLength = contextLength
        self.maxOutputTokens = maxOutputTokens
        self.inputModalities = inputModalities
        self.outputModalities = outputModalities
        self.inputPrice = inputPrice
        self.outputPrice = outputPrice
        self.cachedInputPrice = cachedInputPrice
        self.cacheWritePrice = cacheWritePrice
        self.supportsTools = supportsTools
        self.supportsVision = supportsVision
        self.supportsJSONSchema = supportsJSONSchema
        self.supportsReasoning = supportsReasoning
        self.usesMaxCompletionTokens = usesMaxCompletionTokens
        self.isActive = isActive
    }

    /// `model` with every field this override sets replaced.
    public func applied(to model: ModelInfo) -> ModelInfo {
        var result = model
        if let displayName { result.displayName = displayName }
        if let contextLength { result.contextLength = contextLength }
        if let maxOutputTokens { result.maxOutputTokens = maxOutputTokens }
        if let inputModalities { result.inputModalities = inputModalities }
        if let outputModalities { result.outputModalities = outputModalities }
        if let inputPrice { result.pricing.input = inputPrice }
        if let outputPrice { result.pricing.output = outputPrice }
        if let cachedInputPrice { result.pricing.cachedInput = cachedInputPrice }
        if let cacheWritePrice { result.pricing.cacheWrite = cacheWritePrice }
        // Any price written down makes the pricing known: a model first seen in a provider's list becomes
        // usable by price filters once settings say what it costs (`{"input": 0, "output": 0}` for a local one).
        if inputPrice != nil || outputPrice != nil { result.isPricingKnown = true }
        if let supportsTools { result.supportsTools = supportsTools }
        if let supportsVision { result.supportsVision = supportsVision }
        if let supportsJSONSchema { result.supportsJSONSchema = supportsJSONSchema }
        if let supportsReasoning { result.supportsReasoning = supportsReasoning }
        if let usesMaxCompletionTokens { result.usesMaxCompletionTokens = usesMaxCompletionTokens }
        if let isActive { result.isActive = isActive }
        return result
    }
}

extension ModelOverride {
    /// The field names a model entry may use (the catalog file adds `id` and `listed_as`).
    public static let fieldNames: Set<String> = [
        "name", "context_length", "max_output_tokens", "input_modalities", "output_modalities", "pricing",
        "supports_tools", "supports_vision", "supports_json_schema", "supports_reasoning", "uses_max_completion_tokens",
        "is_active",
    ]

    /// Modalities we know; anything else is most likely a typo (`imgae`), so it is rejected.
    public static let knownModalities: Set<String> = ["text", "image", "audio", "video", "file", "embeddings"]

    /// Reads a settings entry such as `{"context_length": 131072, "pricing": {"input": 0, "output": 0}}`. Every
    /// problem names its field under `path`; unknown fields are rejected.
    public init(json: JSON, path: String) throws(SettingsError) {
        let reader = try SettingsReader(json, path: path)
        try reader.rejectUnknown(Self.fieldNames)
        try self.init(reader: reader)
    }

    /// Reads the fields of ``fieldNames`` without checking for others (the catalog file allows two more).
    init(reader: SettingsReader) throws(SettingsError) {
        // 100 million tokens is far above any model today and still catches a value typed in bytes or characters.
        let tokens = 1...100_000_000
        self.init(
            displayName: try reader.string("name"),
            contextLength: try reader.int("context_length", range: tokens),
            maxOutputTokens: try reader.int("max_output_tokens", range: tokens),
            inputModalities: try Self.modalities(reader, "input_modalities"),
            outputModalities: try Self.modalities(reader, "output_modalities"),
            supportsTools: try reader.bool("supports_tools"),
            supportsVision: try reader.bool("supports_vision"),
            supportsJSONSchema: try reader.bool("supports_json_schema"),
            supportsReasoning: try reader.bool("supports_reasoning"),
            usesMaxCompletionTokens: try reader.bool("uses_max_completion_tokens"),
            isActive: try reader.bool("is_active"))
        if let pricing = try reader.child("pricing") {
            (inputPrice, outputPrice, cachedInputPrice, cacheWritePrice) = try Self.prices(pricing)
        }
    }

    /// A `pricing` object's prices, each optional: `{"input": …, "output": …, "cached_input": …,
    /// "cache_write": …}`.
    static func prices(_ pricing: SettingsReader) throws(SettingsError) -> (
        input: Double?, output: Double?, cachedInput: Double?, cacheWrite: Double?
    ) {
        try pricing.rejectUnknown(["input", "output", "cached_input", "cache_write"])
        // USD per million tokens; the ceiling catches a price written per thousand tokens or in cents.
        let prices = 0.0...100_000.0
        return (
            try pricing.double("input", range: prices), try pricing.double("output", range: prices),
            try pricing.double("cached_input", range: prices), try pricing.double("cache_write", range: prices)
        )
    }

    private static func modalities(_ reader: SettingsReader, _ key: String) throws(SettingsError) -> [String]? {
        guard let values = try reader.strings(key) else { return nil }
        guard !values.isEmpty else { throw reader.error(key, "must list at least one modality") }
        for (index, value) in values.enumerated() where !knownModalities.contains(value) {
            let known = knownModalities.sorted().joined(separator: ", ")
            throw reader.error("\(key)[\(index)]", "unknown modality \"\(value)\" (expected one of: \(known))")
        }
        return values
    }
}
