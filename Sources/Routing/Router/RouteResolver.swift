/// Turns what a client asked for (`model` + `models`, aliases, bare names) into an ordered list of candidates,
/// applying strategies and health. Pure: everything it reads is passed in.
struct RouteResolver {
    var providers: [String: ProviderConfig]
    var aliases: [String: AliasDefinition]
    var models: ModelLookup
    var health: HealthBook
    var context: RankingContext

    /// The result of resolution.
    enum Outcome {
        case plan(RoutePlan)
        /// A category alias whose keywords did not decide and which has a classifier model: ask it, then resolve
        /// again with `chosenCategories[alias]` set.
        case needsClassifier(alias: AliasDefinition, model: ModelID)
    }

    /// `names` are `model` followed by the `models` fallback list. `chosenCategories` carries classifier answers.
    func resolve(
        _ names: [String], request: ChatRequest,
        chosenCategories: [String: String] = [:]
    ) throws(RoutingError) -> Outcome {
        guard let first = names.first else {
            throw .invalidRequest(
                "No model given: set \"model\" (a provider/model id or an alias), or configure default_model.",
                parameter: "model", code: "model_required")
        }
        var plan = RoutePlan(requested: first, candidates: [], skipped: [])
        var seen = Set<ModelID>()
        for (index, name) in names.enumerated() {
            let parameter = index == 0 ? "model" : "models[\(index - 1)]"
            if let alias = aliases[name] {
                let ranked: [RankedTarget]
                var label = "alias \(alias.name) (\(alias.strategy.rawValue))"
                if alias.strategy == .category {
                    let text = request.lastUserText
                    let category: AliasCategory
                    let why: String
                    if let named = chosenCategories[alias.name] {
                        category = alias.categories.first { $0.name == named } ?? Self.defaultCategory(alias)
                        why =
                            named == category.name
                            ? "classifier model answered \"\(named)\"" : "classifier answer matched no category"
                    } else if let (matched, keyword) = CategoryClassifier.match(text, categories: alias.categories) {
                        category = matched
                        why = "keyword \"\(keyword)\""
                    } else if let classifier = alias.classifierModel {
                        return .needsClassifier(alias: alias, model: classifier)
                    } else {
                        category = Self.defaultCategory(alias)
                        why = "no keyword matched"
                    }
                    if index == 0 { plan.category = (category.name, why) }
                    label += " category \(category.name) [\(why)] (\(category.strategy.rawValue))"
                    ranked = category.strategy.rank(category.targets, context: context)
                } else {
                    ranked = alias.strategy.rank(alias.targets, context: context)
                }
                if index == 0 { plan.alias = alias.name }
                for target in ranked where seen.insert(target.model).inserted {
                    plan.candidates.append(
                        RouteCandidate(
                            model: target.model, reason: "\(label): \(target.reason)",
                            info: models.info(for: target.model)))
                }
                continue
            }
            let id = try modelID(for: name, parameter: parameter)
            if seen.insert(id).inserted {
                let reason = index == 0 ? "requested model" : "fallback \(index) from \"models\""
                plan.candidates.append(RouteCandidate(model: id, reason: reason, info: models.info(for: id)))
            }
        }
        applyHealthAndCapabilities(&plan, request: request)
        return .plan(plan)
    }

    /// A `provider/model` id of a configured provider, or a bare name that the catalog knows at exactly one
    /// configured provider (the first by id when several offer it).
    func modelID(for name: String, parameter: String) throws(RoutingError) -> ModelID {
        if let id = ModelID(name), providers[id.provider] != nil { return id }
        let offered = models.models(named: name).map(\.id).filter { providers[$0.provider] != nil }.sorted()
        if let id = offered.first { return id }
        if let id = ModelID(name) {
            throw RoutingError(
                status: 404, type: "invalid_request_error", code: "model_not_found",
                message: "Unknown provider \"\(id.provider)\" in \(parameter) \"\(name)\". Configured providers: "
                    + Self.list(providers.keys) + ".", parameter: parameter)
        }
        throw RoutingError(
            status: 404, type: "invalid_request_error", code: "model_not_found",
            message: "Unknown model \"\(name)\" in \(parameter): not an alias and not a provider/model id. "
                + "Aliases: \(Self.list(aliases.keys)). Configured providers: \(Self.list(providers.keys)). "
                + "Write models as provider/model, e.g. \"openai/gpt-4o-mini\".",
            parameter: parameter)
    }

    /// Leaves out candidates that cannot serve this request now: open circuits, provider `Retry-After` windows, and
    /// (only when another candidate remains) models the catalog says lack vision or tools the request needs.
    private func applyHealthAndCapabilities(_ plan: inout RoutePlan, request: ChatRequest) {
        var kept: [RouteCandidate] = []
        for candidate in plan.candidates {
            if case .unavailable(let reason, _) = health.availability(of: candidate.model) {
                plan.skipped.append((candidate.model, reason))
            } else {
                kept.append(candidate)
            }
        }
        let capable = kept.filter { candidate in
            guard let info = candidate.info else { return true }
            if request.hasImages, !info.supportsVision { return false }
            if request.usesTools, !info.supportsTools { return false }
            return true
        }
        if !capable.isEmpty, capable.count < kept.count {
            for candidate in kept where !capable.contains(candidate) {
                plan.skipped.append(
                    (
                        candidate.model,
                        request.hasImages && !(candidate.info?.supportsVision ?? true)
                            ? "no vision support (the request has images)" : "no tool support (the request uses tools)"
                    ))
            }
            kept = capable
        }
        plan.candidates = kept
    }

    private static func defaultCategory(_ alias: AliasDefinition) -> AliasCategory {
        alias.defaultCategory ?? alias.categories.first ?? AliasCategory(name: "default", targets: alias.targets)
    }

    private static func list(_ names: some Collection<String>) -> String {
        names.isEmpty ? "(none)" : names.sorted().joined(separator: ", ")
    }
}
