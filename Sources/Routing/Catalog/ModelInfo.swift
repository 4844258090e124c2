/// What Switchyard knows about one model: limits, modalities, prices and capabilities. From the shipped catalog,
/// overridden by settings, extended by providers' model lists.
public struct ModelInfo: Sendable, Equatable {
    public var id: ModelID
    public var displayName: String?
    /// Context window in tokens (prompt plus output).
    public var contextLength: Int?
    /// The largest output the model allows.
    public var maxOutputTokens: Int?
    public var inputModalities: [String]
    public var outputModalities: [String]
    public var pricing: Pricing
    public var supportsTools: Bool
    public var supportsVision: Bool
    public var supportsJSONSchema: Bool
    public var supportsReasoning: Bool
    /// OpenAI's newer models reject `max_tokens` and want `max_completion_tokens`.
    public var usesMaxCompletionTokens: Bool
    /// `false` when a provider's model list no longer reports it, or settings disabled it.
    public var isActive: Bool
    /// `false` when nobody told us the price (a model only a provider's `/models` reported): `pricing` then holds
    /// zeros that mean "unknown", not "free", so price filters and cost estimates must not trust it.
    public var isPricingKnown: Bool

    public init(
        id: ModelID, displayName: String? = nil, contextLength: Int? = nil, maxOutputTokens: Int? = nil,
        inputModalities: [String] = ["text"], outputModalities: [String] = ["text"], pricing: Pricing = Pricing(),
        supportsTools: Bool = false, supportsVision: Bool = false, supportsJSONSchema: Bool = false,
        supportsReasoning: Bool = false, usesMaxCompletionTokens: Bool = false, isActive: Bool = true,
        isPricingKnown: Bool = true
    ) {
        self.id = id
        self.displayName = displayName
        self.contextLength = contextLength
        self.maxOutputTokens = maxOutputTokens
        self.inputModalities = inputModalities
        self.outputModalities = outputModalities
        self.pricing = pricing
        self.supportsTools = supportsTools
        self.supportsVision = supportsVision
        self.supportsJSONSchema = supportsJSONSchema
        self.supportsReasoning = supportsReasoning
        self.usesMaxCompletionTokens = usesMaxCompletionTokens
        self.isActive = isActive
        self.isPricingKnown = isPricingKnown
    }
}

/// Prices in USD per million tokens.
public struct Pricing: Sendable, Equatable {
    public var input: Double
    public var output: Double
    /// Price of prompt tokens served from cache; `nil` means billed as ordinary input.
    public var cachedInput: Double?
    /// Price of prompt tokens written to the cache (Anthropic bills a 5-minute cache write at 1.25 times the input
    /// price); `nil` means billed as ordinary input.
    public var cacheWrite: Double?

    public init(input: Double = 0, output: Double = 0, cachedInput: Double? = nil, cacheWrite: Double? = nil) {
        self.input = input
        self.output = output
        self.cachedInput = cachedInput
        self.cacheWrite = cacheWrite
    }

    /// The cost in USD of one call's usage: the prompt split into cache reads, cache writes and the rest, each at
    /// its own price.
    public func cost(of usage: TokenUsage) -> Double {
        // The parts are clamped so a provider's inconsistent figures never price more tokens than the prompt has.
        let cached = min(usage.cached, usage.prompt)
        let written = min(usage.cacheWrite, usage.prompt - cached)
        let fresh = usage.prompt - cached - written
        let prompt =
            Double(fresh) * input + Double(cached) * (cachedInput ?? input) + Double(written) * (cacheWrite ?? input)
        return (prompt + Double(usage.completion) * output) / 1_000_000
    }

    /// The most one call can cost: `promptTokens` at the dearest prompt price (a prompt may all be written to the
    /// cache) plus `maxOutput` at the output price. Budget reservations use this, so they never reserve too little.
    public func maximumCost(promptTokens: Int, maxOutput: Int) -> Double {
        (Double(promptTokens) * max(input, cacheWrite ?? input) + Double(maxOutput) * output) / 1_000_000
    }

    /// What a call usually costs: `promptTokens` at the input price plus `outputTokens` at the output price, with
    /// no cache reads or writes (the `lowest_price` strategy ranks models by this).
    public func estimatedCost(promptTokens: Int, outputTokens: Int) -> Double {
        (Double(promptTokens) * input + Double(outputTokens) * output) / 1_000_000
    }
}
