/// What every routed call shares: providers, adapters, the transport, health, usage and the clock.
final class RoutingEngine {
    let providers: [String: ProviderConfig]
    let adapter: (ProviderKind) -> ProviderAdapter
    let transport: UpstreamTransport
    let health: HealthBook
    let usage: UsageSink
    let models: ModelLookup
    let clock: RoutingClock
    /// Calls started and not yet finished, by generation id (a graceful shutdown waits for them, then abandons
    /// what is left).
    private(set) var calls: [String: RoutedCall] = [:]
    /// Runs whenever the last call finishes.
    var onIdle: (() -> Void)?

    var activeCalls: Int { calls.count }

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

    /// What `model`'s tokens cost: its own price when known, else its provider's `pricing`; nil when unknown.
    func price(of model: ModelID) -> Pricing? {
        if let info = models.info(for: model), info.isPricingKnown { return info.pricing }
        return providers[model.provider]?.pricing
    }

    func callStarted(_ call: RoutedCall) { calls[call.id] = call }

    func callFinished(_ call: RoutedCall) {
        guard calls.removeValue(forKey: call.id) != nil else { return }
        if calls.isEmpty { onIdle?() }
    }
}
