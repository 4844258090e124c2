import JSON

/// Health of every model and every provider the router has used. A provider's own entry catches what hits all of
/// its models at once (connection refused, an outage): its circuit opens too, and then none of its models is tried.
/// Confined to the thread that owns the router (the event loop); not thread-safe by design.
public final class HealthBook {
    public let settings: HealthSettings
    private var models: [ModelID: TargetHealth] = [:]
    private var providers: [String: TargetHealth] = [:]
    private let clock: () -> Double

    /// `clock` gives monotonic seconds.
    public init(settings: HealthSettings, clock: @escaping () -> Double) {
        self.settings = settings
        self.clock = clock
    }

    public func health(of model: ModelID) -> TargetHealth { models[model] ?? TargetHealth() }
    public func health(ofProvider provider: String) -> TargetHealth { providers[provider] ?? TargetHealth() }

    /// Whether `model` may take a request now: both its own and its provider's state must allow it.
    public func availability(of model: ModelID) -> Availability {
        let now = clock()
        let provider = health(ofProvider: model.provider).availability(now: now)
        if case .unavailable(let reason, let until) = provider {
            return .unavailable(reason: "provider \(model.provider): \(reason)", until: until)
        }
        let own = health(of: model).availability(now: now)
        if case .available = own, case .probe = provider { return .probe }
        return own
    }

    public func started(_ model: ModelID) {
        let now = clock()
        models[model, default: TargetHealth()].started(now: now)
        providers[model.provider, default: TargetHealth()].started(now: now)
    }

    public func succeeded(
        _ model: ModelID, latencyMilliseconds: Double, timeToFirstTokenMilliseconds: Double?,
        usage: TokenUsage, streamed: Bool
    ) {
        let now = clock()
        models[model, default: TargetHealth()].succeeded(
            latencyMilliseconds: latencyMilliseconds, timeToFirstTokenMilliseconds: timeToFirstTokenMilliseconds,
            completionTokens: usage.completion, totalTokens: usage.total, streamed: streamed, now: now,
            smoothing: settings.smoothing)
        providers[model.provider, default: TargetHealth()].succeeded(
            latencyMilliseconds: latencyMilliseconds, timeToFirstTokenMilliseconds: timeToFirstTokenMilliseconds,
            completionTokens: usage.completion, totalTokens: usage.total, streamed: streamed, now: now,
            smoothing: settings.smoothing)
    }

    public func failed(_ model: ModelID, _ failure: UpstreamFailure) {
        let now = clock()
        models[model, default: TargetHealth()].failed(failure, now: now, settings: settings)
        // Only failures of the provider as a whole count at provider level; a model's own 429 does not stop its
        // siblings (providers rate-limit per model), but refused connections and 5xx storms do.
        if failure.kind == .connectionFailed || failure.kind == .timeout || failure.kind == .serverError {
            providers[model.provider, default: TargetHealth()].failed(failure, now: now, settings: settings)
        } else {
            // Ends the provider-level attempt without counting it against the provider.
            providers[model.provider, default: TargetHealth()].failed(
                UpstreamFailure(.cancelled, message: failure.message),
                now: now, settings: settings)
        }
    }

    public func abandoned(_ model: ModelID) {
        models[model, default: TargetHealth()].abandoned()
        providers[model.provider, default: TargetHealth()].abandoned()
    }

    /// Seeds "lowest usage" with requests recorded recently (at startup, from the usage store).
    public func seed(recentRequests: [ModelID: Int]) {
        let now = clock()
        for (model, count) in recentRequests { models[model, default: TargetHealth()].seed(recentRequests: count, now: now) }
    }

    /// The figures `route_explain` and the health report show for one model.
    public func snapshot(of model: ModelID) -> JSON {
        let now = clock()
        let health = health(of: model)
        var object: JSONObject = [
            "error_rate": .double((health.errorRate * 1000).rounded() / 1000),
            "in_flight": .int(Int64(health.inFlight)),
            "consecutive_failures": .int(Int64(health.consecutiveFailures)),
            "requests_last_minute": .double((health.recentRequests(now: now) * 10).rounded() / 10),
            "requests": .int(Int64(health.totalRequests)),
            "failures": .int(Int64(health.totalFailures)),
        ]
        object["latency_ms"] = health.latencyMilliseconds.map { .double(($0 * 10).rounded() / 10) } ?? .null
        object["ttft_ms"] = health.timeToFirstTokenMilliseconds.map { .double(($0 * 10).rounded() / 10) } ?? .null
        object["tokens_per_second"] = health.tokensPerSecond.map { .double(($0 * 10).rounded() / 10) } ?? .null
        switch availability(of: model) {
        case .available: object["circuit"] = "closed"
        case .probe: object["circuit"] = "half_open (next request is a probe)"
        case .unavailable(let reason, let until):
            object["circuit"] = .string(reason)
            if let until { object["available_in_seconds"] = .double(max(0, ((until - now) * 10).rounded() / 10)) }
        }
        return .object(object)
    }
}
