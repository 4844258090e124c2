/// What every routed call shares: providers, adapters, the transport, health, usage and the clock.
final class RoutingEngine {
    let providers: [String: ProviderConfig]
    let adapter: (ProviderKind) -> ProviderAdapter
    let transport: UpstreamTransport
    let health: HealthBook
    let usage: UsageSink
    let models: ModelLookup
    let clock: RoutingClock

    init(providers: [String: ProviderConfig], adapter: @escaping (ProviderKind) -> ProviderAdapter,
         transport: UpstreamTransport, health: HealthBook, usage: UsageSink, models: ModelLookup, clock: RoutingClock) {
        self.providers = providers
        self.adapter = adapter
        self.transport = transport
        self.health = health
        self.usage = usage
        self.models = models
        self.clock = clock
    }
}
