/// One attempt inside a routed request.
public struct AttemptRecord: Sendable, Equatable {
    public var model: ModelID
    /// `ok` or a `FailureKind` raw value.
    public var outcome: String
    /// The provider's HTTP status, when it answered.
    public var status: Int?
    public var error: String?
    public var latencyMilliseconds: Double
    /// What the provider bills for a failed attempt that had work done — an embeddings request whose first batches
    /// were answered before one failed — in USD; included in the row's cost. Nil when it billed nothing, and for
    /// the attempt that answered (its cost is the row's).
    public var cost: Double?

    public init(
        model: ModelID, outcome: String, status: Int? = nil, error: String? = nil, latencyMilliseconds: Double,
        cost: Double? = nil
    ) {
        self.model = model
        self.outcome = outcome
        self.status = status
        self.error = error
        self.latencyMilliseconds = latencyMilliseconds
        self.cost = cost
    }
}

/// The one row written for every request that reached the router, failed ones too.
public struct UsageRecord: Sendable, Equatable {
    /// Also the response's `id` (`gen-…`), so `GET /v1/generation?id=` finds it.
    public var id: String
    /// Unix time in seconds when the request arrived.
    public var createdAt: Double
    /// The API key id, when keys are in use.
    public var keyID: String?
    /// Which face: `http` or `mcp`.
    public var face: String
    /// What the client asked for (`model`, or the alias name).
    public var requestedModel: String
    /// The model that answered (or the last one tried).
    public var resolvedModel: ModelID?
    public var attempts: [AttemptRecord]
    public var usage: TokenUsage
    public var cost: Double
    public var latencyMilliseconds: Double
    /// Time to first token for streams (to the first content for non-streaming, equal to latency).
    public var timeToFirstTokenMilliseconds: Double?
    public var stream: Bool
    /// `ok` or `error`.
    public var status: String
    /// The HTTP status the client got.
    public var httpStatus: Int
    public var error: String?
    public var tags: [String]

    public init(
        id: String, createdAt: Double, keyID: String? = nil, face: String, requestedModel: String,
        resolvedModel: ModelID? = nil, attempts: [AttemptRecord] = [], usage: TokenUsage = TokenUsage(),
        cost: Double = 0, latencyMilliseconds: Double = 0, timeToFirstTokenMilliseconds: Double? = nil,
        stream: Bool = false, status: String = "ok", httpStatus: Int = 200, error: String? = nil,
        tags: [String] = []
    ) {
        self.id = id
        self.createdAt = createdAt
        self.keyID = keyID
        self.face = face
        self.requestedModel = requestedModel
        self.resolvedModel = resolvedModel
        self.attempts = attempts
        self.usage = usage
        self.cost = cost
        self.latencyMilliseconds = latencyMilliseconds
        self.timeToFirstTokenMilliseconds = timeToFirstTokenMilliseconds
        self.stream = stream
        self.status = status
        self.httpStatus = httpStatus
        self.error = error
        self.tags = tags
    }
}

/// Where usage rows go. The gateway's implementation batches them to SQLite off the loop; `record` never blocks.
public protocol UsageSink: AnyObject {
    func record(_ record: UsageRecord)
}
