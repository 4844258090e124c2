/// Health of one target (a model at a provider, or a whole provider): moving averages and a circuit breaker, as a
/// value with events in and decisions out, so it is tested without I/O (DESIGN.md §4).
public struct TargetHealth: Sendable, Equatable {
    /// The circuit breaker's state.
    public enum Circuit: Sendable, Equatable {
        /// Requests flow.
        case closed
        /// Requests are refused until `until` (monotonic seconds), then one probe is let through.
        case open(until: Double)
        /// One probe is in flight; its outcome closes or reopens the circuit.
        case halfOpen
    }

    /// Moving average of a whole non-streamed attempt, in milliseconds.
    public private(set) var latencyMilliseconds: Double?
    /// Moving average of time to first token (streams) or to the answer, in milliseconds.
    public private(set) var timeToFirstTokenMilliseconds: Double?
    /// Moving average of output tokens per second after the first token.
    public private(set) var tokensPerSecond: Double?
    /// Moving average of failures counted against health (0…1).
    public private(set) var errorRate: Double = 0
    public private(set) var inFlight = 0
    public private(set) var consecutiveFailures = 0
    public private(set) var circuit = Circuit.closed
    /// Set by a provider's `Retry-After`: no requests before this monotonic time.
    public private(set) var retryAfterUntil: Double?
    /// Requests and tokens in the current and previous minute (a two-bucket sliding window for "lowest usage").
    private var minuteStart: Double = 0
    private var requestsThisMinute = 0
    private var requestsLastMinute = 0
    private var tokensThisMinute = 0
    private var tokensLastMinute = 0
    public private(set) var totalRequests = 0
    public private(set) var totalFailures = 0

    public init() {}

    /// Whether a request may be sent now, and if not why and until when.
    public func availability(now: Double) -> Availability {
        if let until = retryAfterUntil, now < until {
            return .unavailable(reason: "rate limited by the provider", until: until)
        }
        switch circuit {
        case .closed: return .available
        case .open(let until):
            return now >= until
                ? .probe : .unavailable(reason: "circuit open after \(consecutiveFailures) failures", until: until)
        case .halfOpen: return .unavailable(reason: "circuit half-open, a probe request is in flight", until: nil)
        }
    }

    /// An attempt was sent. A send while the circuit's cooldown has passed becomes the half-open probe.
    public mutating func started(now: Double) {
        roll(now)
        inFlight += 1
        requestsThisMinute += 1
        totalRequests += 1
        if case .open(let until) = circuit, now >= until { circuit = .halfOpen }
    }

    /// An attempt succeeded.
    public mutating func succeeded(
        latencyMilliseconds latency: Double, timeToFirstTokenMilliseconds ttft: Double?,
        completionTokens: Int, totalTokens: Int, streamed: Bool, now: Double, smoothing: Double
    ) {
        roll(now)
        inFlight = max(0, inFlight - 1)
        tokensThisMinute += totalTokens
        consecutiveFailures = 0
        circuit = .closed
        retryAfterUntil = nil
        errorRate = Self.average(errorRate, 0, smoothing)
        if !streamed { latencyMilliseconds = Self.average(latencyMilliseconds, latency, smoothing) }
        let firstToken = ttft ?? latency
        timeToFirstTokenMilliseconds = Self.average(timeToFirstTokenMilliseconds, firstToken, smoothing)
        // Throughput counts generation time only: after the first token for streams; the whole call otherwise.
        let generationSeconds = (streamed ? latency - firstToken : latency) / 1000
        if completionTokens > 0, generationSeconds > 0.000_1 {
            tokensPerSecond = Self.average(tokensPerSecond, Double(completionTokens) / generationSeconds, smoothing)
        }
    }

    /// An attempt failed. Failures that say nothing about health (bad request, cancelled) only end the attempt.
    public mutating func failed(_ failure: UpstreamFailure, now: Double, settings: HealthSettings) {
        roll(now)
        inFlight = max(0, inFlight - 1)
        guard failure.kind.countsAgainstHealth else {
            if case .halfOpen = circuit { circuit = .open(until: now) }  // the probe told us nothing: allow another
            return
        }
        totalFailures += 1
        errorRate = Self.average(errorRate, 1, settings.smoothing)
        consecutiveFailures += 1
        if let seconds = failure.retryAfterSeconds, seconds > 0 {
            retryAfterUntil = max(retryAfterUntil ?? 0, now + min(seconds, 3600))
        }
        switch circuit {
        case .halfOpen:
            circuit = .open(until: now + settings.cooldownSeconds)
        case .closed where consecutiveFailures >= settings.failureThreshold:
            circuit = .open(until: now + settings.cooldownSeconds)
        default:
            break
        }
    }

    /// The attempt was abandoned (caller went away) before an outcome.
    public mutating func abandoned() {
        inFlight = max(0, inFlight - 1)
        if case .halfOpen = circuit { circuit = .open(until: 0) }
    }

    /// Requests in roughly the last minute (the current bucket plus the previous one weighted by overlap).
    public func recentRequests(now: Double) -> Double {
        let elapsed = now - minuteStart
        if elapsed >= 120 { return 0 }
        if elapsed >= 60 { return Double(requestsThisMinute) * (1 - (elapsed - 60) / 60) }
        return Double(requestsThisMinute) + Double(requestsLastMinute) * (1 - elapsed / 60)
    }

    /// Tokens in roughly the last minute, weighted like `recentRequests`.
    public func recentTokens(now: Double) -> Double {
        let elapsed = now - minuteStart
        if elapsed >= 120 { return 0 }
        if elapsed >= 60 { return Double(tokensThisMinute) * (1 - (elapsed - 60) / 60) }
        return Double(tokensThisMinute) + Double(tokensLastMinute) * (1 - elapsed / 60)
    }

    /// Seeds the usage window (e.g. from stored usage at startup).
    public mutating func seed(recentRequests: Int, now: Double) {
        roll(now)
        requestsThisMinute += recentRequests
    }

    private mutating func roll(_ now: Double) {
        let elapsed = now - minuteStart
        guard elapsed >= 60 else { return }
        if elapsed < 120 {
            requestsLastMinute = requestsThisMinute
            tokensLastMinute = tokensThisMinute
        } else {
            requestsLastMinute = 0
            tokensLastMinute = 0
        }
        requestsThisMinute = 0
        tokensThisMinute = 0
        minuteStart = now
    }

    private static func average(_ old: Double?, _ sample: Double, _ weight: Double) -> Double {
        guard let old else { return sample }
        return old + weight * (sample - old)
    }
}

/// Whether a target may take a request now.
public enum Availability: Sendable, Equatable {
    case available
    /// The circuit's cooldown is over: one probe request may go.
    case probe
    case unavailable(reason: String, until: Double?)

    public var allowsRequest: Bool {
        if case .unavailable = self { return false }
        return true
    }
}
