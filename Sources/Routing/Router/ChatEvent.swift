import JSON

/// Who is asking, as far as routing and usage care.
public struct RequestContext: Sendable {
    /// `http` or `mcp`.
    public var face: String
    /// Who is calling (limits and permissions apply to `.key`).
    public var principal: Principal
    /// The API key id, when keys are in use (recorded on the usage row).
    public var keyID: String? { principal.key?.id }
    /// Used when the request names no model (the MCP session's `model_use` choice); settings' default otherwise.
    public var defaultModel: String?
    /// Tags added to the request's own (the key's tags are added too).
    public var extraTags: [String]

    /// Every tag recorded for a request with `requestTags`.
    func tags(with requestTags: [String]) -> [String] { requestTags + extraTags + (principal.key?.tags ?? []) }

    public init(face: String, principal: Principal = .open, defaultModel: String? = nil, extraTags: [String] = []) {
        self.face = face
        self.principal = principal
        self.defaultModel = defaultModel
        self.extraTags = extraTags
    }
}

/// How a routed request turned out (also what the usage row says).
public struct RouteOutcome: Sendable {
    /// The generation id (`gen-…`): the response `id` and the usage row's key.
    public var id: String
    /// The model that answered.
    public var model: ModelID
    public var usage: TokenUsage
    public var cost: Double
    public var latencyMilliseconds: Double
    public var timeToFirstTokenMilliseconds: Double?
    /// Every attempt in order, the successful one last.
    public var attempts: [AttemptRecord]
}

/// What the router tells the face serving a request, in order. Non-streaming: exactly one `completion` or
/// `failed`. Streaming: `streamStarted` (the first token arrived — from here on the model is fixed), then `chunk`s,
/// then `streamFinished` or `failed(_, streamStarted: true)`; or just `failed(_, streamStarted: false)` when no
/// candidate produced a token. A resolution error may be delivered before `chat` returns.
public enum ChatEvent {
    /// A complete answer (`chat.completion` or an embeddings list), with `id`, `model` and `usage.cost` set.
    case completion(ChatPayload, RouteOutcome)
    case streamStarted(model: ModelID, id: String)
    /// A `chat.completion.chunk` to forward as is (`id`, `model` and `provider` already rewritten). When the
    /// client asked for usage, the last chunk carries `usage` with `cost` and empty `choices`.
    case chunk(ChatPayload)
    case streamFinished(RouteOutcome)
    case failed(RoutingError, streamStarted: Bool)
}

/// A request in progress; `cancel` stops it when its client goes away (no further events are delivered).
public protocol RoutedCallHandle: AnyObject {
    func cancel()
}
