import FoundationEssentials
import Patterns

/// What a strategy may look at when it ranks targets.
public struct RankingContext {
    public var health: HealthBook
    public var models: ModelLookup
    /// Estimated prompt and output tokens of this request (for "lowest price").
    public var promptTokens: Int
    public var outputTokens: Int
    /// Monotonic seconds now.
    public var now: Double
    /// A number in 0..<1 for each weighted draw (injectable so tests are deterministic).
    public var random: () -> Double

    public init(
        health: HealthBook, models: ModelLookup, promptTokens: Int, outputTokens: Int, now: Double,
        random: @escaping () -> Double
    ) {
        self.health = health
        self.models = models
        self.promptTokens = promptTokens
        self.outputTokens = outputTokens
        self.now = now
        self.random = random
    }
}

/// One ranked target and the reason for its place (shown by `route_explain`).
public struct RankedTarget: Sendable, Equatable {
    public var model: ModelID
    public var reason: String
}

extension SelectionStrategy {
    /// Orders `targets` best first. Everything after the first is the fallback order. `category` is resolved before
    /// ranking (by `CategoryClassifier`), so here it behaves like `priority`.
    public func rank(_ targets: [AliasTarget], context: RankingContext) -> [RankedTarget] {
        switch self {
        case .priority, .category:
            return targets.enumerated().map { RankedTarget(model: $0.element.model, reason: "priority \($0.offset + 1)") }
        case .weighted:
            return Self.weightedOrder(targets, random: context.random)
        case .lowestLatency:
            return Self.measuredFirst(targets, ascending: true, unit: "ms") { model in
                let health = context.health.health(of: model)
                return health.timeToFirstTokenMilliseconds ?? health.latencyMilliseconds
            }
        case .highestThroughput:
            return Self.measuredFirst(targets, ascending: false, unit: "tokens/s") {
                context.health.health(of: $0).tokensPerSecond
            }
        case .lowestUsage:
            let scored = targets.enumerated().map { index, target -> (Int, RankedTarget, Double, Double) in
                let health = context.health.health(of: target.model)
                let recent = health.recentRequests(now: context.now)
                return (
                    index,
                    RankedTarget(
                        model: target.model,
                        reason: "\(health.inFlight) in flight, \(Int(recent.rounded())) requests in the last minute"),
                    Double(health.inFlight), recent
                )
            }
            return scored.sorted { ($0.2, $0.3, $0.0) < ($1.2, $1.3, $1.0) }.map(\.1)
        case .lowestPrice:
            let scored = targets.enumerated().map { index, target -> (Int, RankedTarget, Double) in
                guard let info = context.models.info(for: target.model), info.isPricingKnown else {
                    return (index, RankedTarget(model: target.model, reason: "price unknown"), .infinity)
                }
                let cost = info.pricing.estimatedCost(promptTokens: context.promptTokens, outputTokens: context.outputTokens)
                return (
                    index, RankedTarget(model: target.model, reason: "estimated $\(Self.format(cost)) for this request"),
                    cost
                )
            }
            return scored.sorted { ($0.2, $0.0) < ($1.2, $1.0) }.map(\.1)
        }
    }

    /// Weighted random order without replacement: the first pick is proportional to weight, then the next among
    /// the rest, so fallbacks also follow the weights. Zero-weight targets come last, in order.
    static func weightedOrder(_ targets: [AliasTarget], random: () -> Double) -> [RankedTarget] {
        var remaining = targets.filter { $0.weight > 0 }
        let total = remaining.reduce(0) { $0 + $1.weight }
        var result: [RankedTarget] = []
        while !remaining.isEmpty {
            let sum = remaining.reduce(0) { $0 + $1.weight }
            var point = random() * sum
            var index = remaining.count - 1
            for (candidate, target) in remaining.enumerated() {
                if point < target.weight { index = candidate; break }
                point -= target.weight
            }
            let picked = remaining.remove(at: index)
            result.append(RankedTarget(model: picked.model, reason: "weight \(format(picked.weight)) of \(format(total))"))
        }
        result += targets.filter { $0.weight <= 0 }.map { RankedTarget(model: $0.model, reason: "weight 0") }
        return result
    }

    /// Unmeasured targets first (in written order, so each gets measured), then measured ones by their figure.
    private static func measuredFirst(
        _ targets: [AliasTarget], ascending: Bool, unit: String,
        figure: (ModelID) -> Double?
    ) -> [RankedTarget] {
        var unmeasured: [RankedTarget] = []
        var measured: [(Double, Int, RankedTarget)] = []
        for (index, target) in targets.enumerated() {
            if let value = figure(target.model) {
                measured.append(
                    (value, index, RankedTarget(model: target.model, reason: "measured \(format(value)) \(unit)")))
            } else {
                unmeasured.append(RankedTarget(model: target.model, reason: "not measured yet (tried first to measure it)"))
            }
        }
        measured.sort { ascending ? ($0.0, $0.1) < ($1.0, $1.1) : ($0.0 > $1.0 || ($0.0 == $1.0 && $0.1 < $1.1)) }
        return unmeasured + measured.map(\.2)
    }

    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return DecimalText.format(value, decimals: abs(value) >= 1 ? 2 : 6)
    }
}
