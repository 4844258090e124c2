import FoundationEssentials
import JSON

/// The routing core: one engine behind the HTTP API and the agents' model tools. Resolves `model` + `models`,
/// aliases and bare names into candidates, ranks them with the alias's strategy and health, calls them through
/// the provider adapters and the transport with fallback, and records one usage row per request.
///
/// Confined to one thread (the gateway's event loop); every method must be called there, and every callback runs
/// there.
public final class Router {
    public let health: HealthBook
    /// Keys, budgets and rate limits; nil (or open mode) means every caller may call every model.
    public var governor: Governor?
    public private(set) var settings: RoutingSettings
    let engine: RoutingEngine
    let aliasStore: AliasStore?
    private let random: () -> Double
    /// Aliases from settings, then run-time ones from the store (which win).
    var aliases: [String: AliasDefinition]
    var runtimeAliasNames: Set<String> = []
    /// Alias changes made here; a reload read before the latest of them is stale and not applied.
    var aliasEdits = 0
    private let generationPrefix: String = {
        var generator = SystemRandomNumberGenerator()
        return "gen-" + String(generator.next() as UInt64, radix: 16).leftPadded(16)
    }()
    private var generationCounter: UInt64 = 0

    /// - Parameters:
    ///   - adapter: the adapter for each provider kind (the gateway passes `providerAdapter(for:)`).
    ///   - aliasStore: where run-time alias changes persist; its saved aliases are loaded now.
    ///   - random: numbers in 0..<1 for weighted choices.
    public init(
        settings: RoutingSettings, models: ModelLookup, adapter: @escaping (ProviderKind) -> ProviderAdapter,
        transport: UpstreamTransport, usage: UsageSink, aliasStore: AliasStore? = nil,
        clock: RoutingClock = .system, random: @escaping () -> Double = { Double.random(in: 0..<1) }
    ) throws {
        self.settings = settings
        self.health = HealthBook(settings: settings.health, clock: clock.now)
        self.engine = RoutingEngine(
            providers: settings.providers, adapter: adapter, transport: transport,
            health: health, usage: usage, models: models, clock: clock)
        self.aliasStore = aliasStore
        self.random = random
        var aliases: [String: AliasDefinition] = [:]
        for alias in settings.aliases { aliases[alias.name] = alias }
        for alias in try aliasStore?.loadAliases() ?? [] {
            aliases[alias.name] = alias
            runtimeAliasNames.insert(alias.name)
        }
        self.aliases = aliases
    }

    /// Model calls in flight.
    public var activeCalls: Int { engine.activeCalls }

    /// Runs `completion` once no model call is in flight (at once when none is).
    public func whenIdle(_ completion: @escaping () -> Void) {
        guard engine.activeCalls > 0 else { return completion() }
        let previous = engine.onIdle
        engine.onIdle = { [weak engine] in
            engine?.onIdle = previous
            previous?()
            completion()
        }
    }

    // MARK: Requests

    /// Routes a chat completion (streaming when `request.stream`). Events arrive on this thread; see `ChatEvent`.
    @discardableResult
    public func chat(
        _ request: ChatRequest, context: RequestContext,
        onEvent: @escaping (ChatEvent) -> Void
    ) -> RoutedCallHandle {
        start(.chat(stream: request.stream), request, context: context, onEvent: onEvent)
    }

    /// Routes an embeddings request (OpenAI body: `model`, `input`, …), with the same resolution and fallback.
    @discardableResult
    public func embeddings(
        _ body: JSONObject, context: RequestContext,
        onEvent: @escaping (ChatEvent) -> Void
    ) -> RoutedCallHandle {
        start(.embeddings, ChatRequest(body: body), context: context, onEvent: onEvent)
    }

    /// A dry run: the candidates this request would try now, in order, with reasons and health figures.
    /// Category aliases that would ask a classifier model report that instead of calling it.
    public func explain(_ request: ChatRequest, context: RequestContext) throws(RoutingError) -> JSON {
        switch try resolver(for: request).resolve(names(request, context), request: request) {
        case .plan(let plan): return plan.explanation(health: health)
        case .needsClassifier(let alias, let model):
            return [
                "requested": .string(alias.name), "alias": .string(alias.name),
                "category": [
                    "name": .null, "reason": .string("no keyword matched; the classifier model \(model) would be asked"),
                ],
            ]
        }
    }

    private func start(
        _ mode: RoutedCall.Mode, _ request: ChatRequest, context: RequestContext,
        onEvent: @escaping (ChatEvent) -> Void
    ) -> RoutedCallHandle {
        let handle = PendingCall()
        resolve(request, context: context, chosen: [:], handle: handle) { [engine] result in
            switch result {
            case .success(let resolved):
                let plan: RoutePlan
                let admission: Admission?
                switch self.admit(request, context: context, plan: resolved) {
                case .success(let admitted): (plan, admission) = admitted
                case .failure(let error):
                    let recorded = self.recordRejected(request, context: context, error: error, stream: mode.isStream)
                    return onEvent(.failed(recorded, streamStarted: false))
                }
                let call = RoutedCall(
                    id: self.generationID(), mode: mode, request: request, plan: plan,
                    context: context, engine: engine, onEvent: onEvent)
                if let admission, let governor = self.governor {
                    call.onSettle = { cost, tokens in governor.settle(admission, cost: cost, tokens: tokens) }
                }
                handle.attach(call)
                call.start()
            case .failure(let error):
                let recorded = self.recordRejected(request, context: context, error: error, stream: mode.isStream)
                onEvent(.failed(recorded, streamStarted: false))
            }
        }
        return handle
    }

    /// Resolution, including the classifier round trip of category aliases.
    private func resolve(
        _ request: ChatRequest, context: RequestContext, chosen: [String: String], handle: PendingCall,
        completion: @escaping (Result<RoutePlan, RoutingError>) -> Void
    ) {
        let outcome: RouteResolver.Outcome
        do {
            outcome = try resolver(for: request).resolve(names(request, context), request: request, chosenCategories: chosen)
        } catch {
            return completion(.failure(error))
        }
        switch outcome {
        case .plan(let plan):
            guard !plan.candidates.isEmpty else {
                let now = engine.clock.now()
                let soonest = plan.skipped.compactMap { skipped -> Double? in
                    if case .unavailable(_, let until?) = health.availability(of: skipped.model) {
                        return max(1, until - now)
                    }
                    return nil
                }.min()
                let reasons = plan.skipped.map { "\($0.model): \($0.reason)" }.joined(separator: "; ")
                return completion(
                    .failure(
                        RoutingError(
                            status: 503, type: "upstream_error", code: "no_available_candidates",
                            message: "No candidate for \"\(plan.requested)\" is available now: \(reasons)",
                            attempts: plan.skipped.map {
                                AttemptRecord(model: $0.model, outcome: "skipped", error: $0.reason, latencyMilliseconds: 0)
                            },
                            retryAfterSeconds: soonest ?? settings.health.cooldownSeconds)))
            }
            completion(.success(plan))
        case .needsClassifier(let alias, let model):
            classify(request, alias: alias, model: model, context: context, handle: handle) { category in
                var chosen = chosen
                chosen[alias.name] = category
                self.resolve(request, context: context, chosen: chosen, handle: handle, completion: completion)
            }
        }
    }

    /// Asks a category alias's classifier model which category the prompt belongs to; any failure means "default".
    private func classify(
        _ request: ChatRequest, alias: AliasDefinition, model: ModelID, context: RequestContext,
        handle: PendingCall, completion: @escaping (String) -> Void
    ) {
        let prompt = CategoryClassifier.classifierPrompt(for: request.lastUserText, categories: alias.categories)
        let body: JSONObject = [
            "model": .string(model.description), "max_tokens": 20, "temperature": 0,
            "messages": [["role": "user", "content": .string(prompt)]],
        ]
        let classifierContext = RequestContext(face: context.face, principal: context.principal, extraTags: ["classifier"])
        let call = chat(ChatRequest(body: body), context: classifierContext) { event in
            switch event {
            case .completion(let answer, _):
                let text = ChatCompletion(body: answer.object, usage: TokenUsage()).text
                completion(CategoryClassifier.category(named: text, in: alias.categories)?.name ?? "default")
            case .failed:
                completion("default")
            default:
                break
            }
        }
        handle.attach(call)
    }

    /// The most this request can cost: its estimated prompt plus its maximum output at the priciest candidate.
    func estimate(_ request: ChatRequest, _ plan: RoutePlan) -> Double {
        let prompt = request.estimatedPromptTokens
        return plan.candidates.map { candidate in
            guard let price = engine.price(of: candidate.model) else { return 0 }
            let output = request.maxOutputTokens ?? candidate.info?.maxOutputTokens ?? 4096
            return price.maximumCost(promptTokens: prompt, maxOutput: output)
        }.max() ?? 0
    }

    func names(_ request: ChatRequest, _ context: RequestContext) -> [String] {
        let first = request.model ?? context.defaultModel ?? settings.defaultModel
        return (first.map { [$0] } ?? []) + request.fallbackModels
    }

    private func resolver(for request: ChatRequest) -> RouteResolver {
        let context = RankingContext(
            health: health, models: engine.models, promptTokens: request.estimatedPromptTokens,
            outputTokens: request.maxOutputTokens ?? 1000, now: engine.clock.now(), random: random)
        return RouteResolver(
            providers: settings.providers, aliases: aliases, models: engine.models, health: health,
            context: context)
    }

    /// Records a model request refused before it reached the router (e.g. an invalid key at the HTTP layer), so
    /// every refusal has its usage row with the reason. Returns the error carrying the row's id.
    @discardableResult
    public func recordRefused(_ request: ChatRequest, context: RequestContext, error: RoutingError) -> RoutingError {
        recordRejected(request, context: context, error: error, stream: request.stream)
    }

    /// A request refused before any attempt still gets its usage row; returns the error carrying the row's id.
    @discardableResult
    private func recordRejected(_ request: ChatRequest, context: RequestContext, error: RoutingError, stream: Bool)
        -> RoutingError
    {
        var recorded = error
        recorded.generationID = generationID()
        var row = UsageRecord(
            id: recorded.generationID!, createdAt: engine.clock.wallTime(), keyID: context.keyID,
            face: context.face, requestedModel: request.model ?? context.defaultModel ?? "", attempts: error.attempts,
            stream: stream, status: "error", httpStatus: error.status,
            error: error.message, tags: context.tags(with: request.tags))
        // Candidates skipped before any attempt (an open circuit): reported under the model that was refused, so an
        // outage shows in per-model and per-provider reports rather than under none.
        row.resolvedModel = error.attempts.last?.model
        engine.usage.record(row)
        return recorded
    }

    /// Ends every model call still in flight with `error` (a shutdown whose grace period is over): each client
    /// hears it in its own shape and each call records its usage row.
    public func abandonAll(_ error: RoutingError) {
        for call in engine.calls.values { call.abandon(error) }
    }

    /// `gen-` + a random 64-bit prefix drawn once per router + a counter: unique across restarts (the prefix) and
    /// within a run (the counter), without a `getrandom` system call per request.
    func generationID() -> String {
        generationCounter &+= 1
        return generationPrefix + String(generationCounter, radix: 16).leftPadded(8)
    }
}

extension RoutedCall.Mode {
    var isStream: Bool { if case .chat(let stream) = self { return stream } else { return false } }
}

extension RoutingClock {
    /// Monotonic time from `ProcessInfo.systemUptime`, wall time from `Date`.
    public static let system = RoutingClock(
        now: { ProcessInfo.processInfo.systemUptime },
        wallTime: { Date().timeIntervalSince1970 })
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// The handle returned before resolution finishes (a classifier call may come first); forwards `cancel` to
/// whatever runs now.
final class PendingCall: RoutedCallHandle {
    private var current: RoutedCallHandle?
    private var cancelled = false

    func attach(_ call: RoutedCallHandle) {
        if cancelled { call.cancel() } else { current = call }
    }

    func cancel() {
        cancelled = true
        current?.cancel()
    }
}
