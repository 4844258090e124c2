extension Router {
    /// The key's checks before anything is sent, in the order its holder should hear them: models it may not use
    /// (403), then — for a key with a budget — candidates whose price is unknown (skipped; 403 when none is left),
    /// then rate limits and budget (`Governor.admit`, which reserves the estimate). Returns the plan to run and the
    /// admission to settle; an open gateway admits everything as resolved.
    func admit(_ request: ChatRequest, context: RequestContext, plan: RoutePlan)
        -> Result<(RoutePlan, Admission?), RoutingError>
    {
        guard let governor else { return .success((plan, nil)) }
        let names = names(request, context)
        if let refusal = governor.modelRefusal(context.principal, names: names) { return .failure(refusal) }
        var plan = plan
        if governor.hasBudget(context.principal) {
            do throws(RoutingError) {
                plan = try plan.pricedOnly(keyID: context.keyID) { [engine] in engine.price(of: $0.model) != nil }
            } catch {
                return .failure(error)
            }
        }
        return governor.admit(context.principal, names: names, estimate: estimate(request, plan)).map { (plan, $0) }
    }
}
