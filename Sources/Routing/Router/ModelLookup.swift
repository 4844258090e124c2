/// What the router needs to know about models (the catalog implements it; tests use a dictionary).
public protocol ModelLookup {
    /// The entry for one model, when known.
    func info(for id: ModelID) -> ModelInfo?
    /// Known models whose provider-side name is `name` (used to resolve bare names such as `gpt-4o-mini`).
    func models(named name: String) -> [ModelInfo]
}

/// Monotonic and wall-clock time, injectable for tests.
public struct RoutingClock: Sendable {
    /// Monotonic seconds (only differences matter).
    public var now: @Sendable () -> Double
    /// Unix time in seconds.
    public var wallTime: @Sendable () -> Double

    public init(now: @escaping @Sendable () -> Double, wallTime: @escaping @Sendable () -> Double) {
        self.now = now
        self.wallTime = wallTime
    }
}
