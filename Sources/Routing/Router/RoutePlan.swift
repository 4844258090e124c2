import JSON

/// One model the router will try, in order, and how it got on the list.
public struct RouteCandidate: Sendable, Equatable {
    public var model: ModelID
    /// Why it is here and in this place, e.g. `alias fast (lowest_latency): measured 120 ms`.
    public var reason: String
    public var info: ModelInfo?
}

/// The outcome of resolution: candidates to try in order, plus those left out and why.
public struct RoutePlan: Sendable {
    /// What the client asked for (`model`, or the default that was used).
    public var requested: String
    public var candidates: [RouteCandidate]
    /// Left out before trying (open circuit, too small a context window, no vision, …).
    public var skipped: [(model: ModelID, reason: String)]
    /// The alias used for `requested`, when it was one.
    public var alias: String?
    /// For category aliases: the category chosen and why.
    public var category: (name: String, reason: String)?

    /// The plan for a key with a budget: candidates whose price is unknown are skipped (their cost could not be
    /// counted against the budget). Throws a 403 naming them, and how to price them, when none is left.
    public func pricedOnly(keyID: String?, isPriced: (RouteCandidate) -> Bool) throws(RoutingError) -> RoutePlan {
        var plan = self
        let unpriced = candidates.filter { !isPriced($0) }
        guard !unpriced.isEmpty else { return plan }
        plan.candidates.removeAll { !isPriced($0) }
        plan.skipped += unpriced.map { ($0.model, "its price is unknown and the API key has a budget") }
        guard plan.candidates.isEmpty else { return plan }
        let names = unpriced.map { "\($0.model)" }.joined(separator: ", ")
        let example = unpriced[0].model
        throw RoutingError(
            status: 403, type: "permission_error", code: "model_price_unknown",
            message:
                "API key \(keyID ?? "") has a budget, and the price of \(names) is unknown, so its cost could not be "
                + "counted against it. Give the model a price in the settings file (\"models\": {\"\(example)\": "
                + "{\"pricing\": {\"input\": …, \"output\": …}}}, USD per million tokens; or \"pricing\" on its "
                + "provider for all its unlisted models) or use a key without a budget.",
            parameter: "model")
    }

    /// The plan as `route_explain` shows it, with the health figures of every candidate.
    public func explanation(health: HealthBook) -> JSON {
        var object: JSONObject = ["requested": .string(requested)]
        if let alias { object["alias"] = .string(alias) }
        if let category { object["category"] = ["name": .string(category.name), "reason": .string(category.reason)] }
        object["chosen"] = candidates.first.map { .string($0.model.description) } ?? .null
        object["candidates"] = .array(
            candidates.enumerated().map { index, candidate in
                var entry: JSONObject = [
                    "order": .int(Int64(index + 1)), "model": .string(candidate.model.description),
                    "reason": .string(candidate.reason), "health": health.snapshot(of: candidate.model),
                ]
                if let pricing = candidate.info?.pricing {
                    entry["pricing_per_million"] = ["input": .double(pricing.input), "output": .double(pricing.output)]
                }
                if let context = candidate.info?.contextLength { entry["context_length"] = .int(Int64(context)) }
                return .object(entry)
            })
        object["skipped"] = .array(skipped.map { ["model": .string($0.model.description), "reason": .string($0.reason)] })
        return .object(object)
    }
}
