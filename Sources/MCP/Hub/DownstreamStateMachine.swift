/// The life of one downstream server as a value (DESIGN.md §4): spawning/connecting → ready → (ended) →
/// backoff → connecting …, or stopped. Tested without I/O; `Downstream` performs the actions.
public enum DownstreamPhase: String, Sendable {
    /// Spawning the child / connecting, handshake and first lists in progress.
    case starting
    case ready
    /// Ended; a restart is scheduled.
    case backoff
    /// Ended and not restarted (restart policy), until `servers_restart` or a config change.
    case failed
    /// Stopped by the gateway (removed, shutting down).
    case stopped
    /// `"enabled": false` in its file.
    case disabled
}

struct DownstreamStateMachine {
    enum Action: Equatable {
        case connect
        /// Tear down the connection (failing calls in flight with `reason`) and retry after `milliseconds`.
        case scheduleRetry(milliseconds: UInt64)
        /// Tear down the connection; no retry.
        case disconnect
        /// Start the timer after which a ready server counts as stable.
        case armStableTimer
        case none
    }

    /// First retry delay; doubles per consecutive failure up to `maxBackoff`.
    static let initialBackoff: UInt64 = 1000
    static let maxBackoff: UInt64 = 30_000
    /// Ready this long resets the backoff (the issue: "reset after a stable minute").
    static let stableAfter: UInt64 = 60_000

    let policy: DownstreamConfig.RestartPolicy
    private(set) var phase: DownstreamPhase
    private(set) var consecutiveFailures = 0
    private(set) var restarts = 0
    private(set) var lastError: String?
    private(set) var nextRetryDelay: UInt64?

    init(policy: DownstreamConfig.RestartPolicy, enabled: Bool = true) {
        self.policy = policy
        phase = enabled ? .stopped : .disabled
    }

    /// Start (first start, or a manual restart from any state).
    mutating func start(manual: Bool = false) -> Action {
        guard phase != .disabled else { return .none }
        if manual {
            consecutiveFailures = 0
            if phase != .stopped { restarts += 1 }
        }
        phase = .starting
        nextRetryDelay = nil
        return .connect
    }

    /// Handshake and lists done.
    mutating func connected() -> Action {
        guard phase == .starting else { return .none }
        phase = .ready
        lastError = nil
        return .armStableTimer
    }

    /// Ready for a whole minute: the next failure starts again from the shortest delay.
    mutating func stable() {
        if phase == .ready { consecutiveFailures = 0 }
    }

    /// The connection failed or the process ended. `clean` is a plain exit 0.
    mutating func failed(_ reason: String, clean: Bool = false) -> Action {
        guard phase == .starting || phase == .ready else { return .none }
        lastError = reason
        if policy == .never || (policy == .onFailure && clean) {
            phase = .failed
            return .disconnect
        }
        let delay = min(Self.initialBackoff << UInt64(min(consecutiveFailures, 16)), Self.maxBackoff)
        consecutiveFailures += 1
        phase = .backoff
        nextRetryDelay = delay
        return .scheduleRetry(milliseconds: delay)
    }

    /// The backoff delay elapsed.
    mutating func retry() -> Action {
        guard phase == .backoff else { return .none }
        restarts += 1
        phase = .starting
        nextRetryDelay = nil
        return .connect
    }

    /// Stop for good (removed or shutting down).
    mutating func stop() -> Action {
        guard phase != .stopped else { return .none }
        let wasDisabled = phase == .disabled
        phase = .stopped
        return wasDisabled ? .none : .disconnect
    }
}
