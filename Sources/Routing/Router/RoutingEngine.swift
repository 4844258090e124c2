/// What every routed call shares: providers, adapters, the transport, health, usage and the clock.
final class RoutingEngine {
    let providers: [String: ProviderConfig]
    let adapter: (ProviderKind) -> ProviderAdapter
    let transport: UpstreamTransport
    let health: HealthBook
    let usage: UsageSink
    let models: ModelLookup
    let clock: RoutingClock
    /// Calls started and not yet finished (a graceful shutdown waits for them).
    var activeCalls = 0
    /// Runs whenever `activeCalls` drops to zero.
    var onIdle: (() -> Void)?

    init(
        providers: [String: ProviderConfig], adapter: @escaping (ProviderKind) -> ProviderAdapter,
        transport: UpstreamTransport, health: HealthBook, usage: UsageSink, models: ModelLookup, clock: RoutingClock
    ) {
        self.providers = providers
        self.adapter = adapter
        self.transport = transport
        self.health = health
        self.usage = usage
        self.models = models
        self.clock = clock
    }

    func callStarted() { activeCalls += 1 }

    func callFinished() {
        activeCalls -= 1
        if activeCalls == 0 { onIdle?() }
    }
}
