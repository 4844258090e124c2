import JSON

/// The fallback executor for one request: tries the plan's candidates in order, moving on after failures that
/// another candidate may not have, and reports through `ChatEvent`s. Writes exactly one usage row. Confined to the
/// router's thread.
final class RoutedCall: RoutedCallHandle {
    enum Mode {
        case chat(stream: Bool)
        case embeddings
    }

    let id: String
    let mode: Mode
    let request: ChatRequest
    let plan: RoutePlan
    let context: RequestContext
    let engine: RoutingEngine
    let onEvent: (ChatEvent) -> Void
    let createdAt: Double
    let startedAt: Double

    var attempts: [AttemptRecord] = []
    var index = -1
    var current: UpstreamCall?
    var attemptStartedAt = 0.0
    var lastFailure: UpstreamFailure?
    /// After a context-too-long failure: candidates with a known window this small or smaller are skipped.
    var contextCeiling: Int?
    var finished = false
    // The current attempt's response.
    var status = 0
    var headers: [(String, String)] = []
    var body: [UInt8] = []
    // Streaming state (see RoutedCall+Stream).
    var decoder: ChatStreamDecoder?
    /// The decoder again when it can pass chunks through as bytes, with the stamp for this attempt.
    var passThrough: (decoder: PassThroughStreamDecoder, stamp: ChunkStamp)?
    var held: [ChatPayload] = []
    var committed = false
    var firstTokenAt: Double?
    /// Generated text received in this attempt's stream (held or delivered), for charging a stream that ends
    /// without its usage report.
    var streamedTextBytes = 0
    /// An embeddings attempt cut to the provider's limit on inputs per request, and the requests of its batches
    /// not sent yet (see RoutedCall+Embeddings).
    var embeddingBatches = EmbeddingBatches([:], limit: nil)
    var unsentBatches: [UpstreamRequest] = []
    /// What failed attempts were billed for work the provider did (see `AttemptRecord.cost`): part of the cost of
    /// the request, whatever answers it.
    var sunkCost = 0.0
    /// Why a successful row's figures are not the provider's own (tokens estimated); kept in the row's `error`.
    var usageNote: String?
    /// Called once when the request ends, with its cost and tokens (the governor settles the key's budget).
    var onSettle: ((Double, Int) -> Void)?

    /// Upper bound for a buffered (non-streamed) upstream body.
    static let maxBodyBytes = 64 << 20

    init(
        id: String, mode: Mode, request: ChatRequest, plan: RoutePlan, context: RequestContext, engine: RoutingEngine,
        onEvent: @escaping (ChatEvent) -> Void
    ) {
        self.id = id
        self.mode = mode
        self.request = request
        self.plan = plan
        self.context = context
        self.engine = engine
        self.onEvent = onEvent
        self.createdAt = engine.clock.wallTime()
        self.startedAt = engine.clock.now()
    }

    var streaming: Bool { if case .chat(let stream) = mode { return stream } else { return false } }
    var candidate: RouteCandidate { plan.candidates[index] }

    func start() {
        engine.callStarted(self)
        tryNext()
    }

    func cancel() {
        guard !finished else { return }
        finished = true
        let billable = stopAttempt(reason: "client went away")
        record(
            RoutingError(status: 499, type: "cancelled", code: "cancelled", message: "the client went away"),
            billable: billable)
    }

    /// Ends the call with `error` whatever it is doing (the gateway is shutting down and the grace period is over):
    /// the client hears `error` — an error event when its stream had started — and the usage row records it.
    func abandon(_ error: RoutingError) {
        guard !finished else { return }
        finished = true
        let billable = stopAttempt(reason: error.message)
        var error = error
        error.attempts = attempts
        onEvent(.failed(record(error, billable: billable), streamStarted: committed))
    }

    /// Cancels the attempt in flight, if any, recording it as cancelled with `reason`. True when the provider was
    /// generating for it (it will bill the call).
    private func stopAttempt(reason: String) -> Bool {
        guard index >= 0, index < plan.candidates.count else { return false }
        let inFlight = current != nil
        if inFlight { engine.health.abandoned(candidate.model) }
        current?.cancel()
        current = nil
        attempts.append(
            AttemptRecord(
                model: candidate.model, outcome: FailureKind.cancelled.rawValue,
                error: reason, latencyMilliseconds: elapsed(since: attemptStartedAt)))
        return inFlight || committed
    }

    /// Starts the next candidate that is worth trying, or finishes with the last failure.
    func tryNext() {
        while !finished {
            index += 1
            guard index < plan.candidates.count else { return finishFailed() }
            let candidate = candidate
            if let ceiling = contextCeiling, let window = candidate.info?.contextLength, window <= ceiling {
                attempts.append(
                    AttemptRecord(
                        model: candidate.model, outcome: "skipped",
                        error: "context window \(window) is not larger than the one that was too small",
                        latencyMilliseconds: 0))
                continue
            }
            guard let provider = engine.providers[candidate.model.provider] else { continue }
            let upstream: UpstreamRequest
            do {
                upstream = try buildRequest(provider: provider, candidate: candidate)
            } catch {
                attemptStartedAt = engine.clock.now()
                attempts.append(
                    AttemptRecord(
                        model: candidate.model, outcome: error.kind.rawValue, error: error.message,
                        latencyMilliseconds: 0))
                lastFailure = error
                continue
            }
            send(upstream, timeouts: provider.timeouts)
            return
        }
    }

    private func buildRequest(provider: ProviderConfig, candidate: RouteCandidate) throws(UpstreamFailure) -> UpstreamRequest
    {
        let adapter = engine.adapter(provider.kind)
        switch mode {
        case .chat(let stream):
            return try adapter.chatRequest(
                request, model: candidate.model.model, provider: provider, info: candidate.info, stream: stream)
        case .embeddings:
            return try embeddingsRequest(adapter, provider: provider, candidate: candidate)
        }
    }

    /// Starts a transfer for the current candidate. `nextBatch`: one more request of an attempt already under
    /// way (an embeddings batch), which keeps the attempt's start time and counts once in health.
    func send(_ upstream: UpstreamRequest, timeouts: AttemptTimeouts, nextBatch: Bool = false) {
        status = 0
        headers = []
        body = []
        decoder = nil
        passThrough = nil
        held = []
        streamedTextBytes = 0
        if !nextBatch {
            attemptStartedAt = engine.clock.now()
            engine.health.started(candidate.model)
        }
        // The transport's callbacks keep this call alive until the transfer completes; nothing else has to.
        current = engine.transport.send(
            upstream, timeouts: timeouts,
            onHead: { status, headers in self.receivedHead(status, headers) },
            onBody: { bytes in self.receivedBody(bytes) },
            onComplete: { failure in self.completed(failure) })
    }

    private func receivedHead(_ status: Int, _ headers: [(String, String)]) {
        guard !finished else { return }
        self.status = status
        self.headers = headers
        if streaming, (200..<300).contains(status) {
            let made = engine.adapter(engine.providers[candidate.model.provider]!.kind).makeStreamDecoder(
                model: candidate.model.model)
            decoder = made
            if let capable = made as? PassThroughStreamDecoder {
                passThrough = (capable, ChunkStamp(id: id, model: candidate.model))
            }
        }
    }

    private func receivedBody(_ bytes: [UInt8]) {
        guard !finished else { return }
        if let (decoder, stamp) = passThrough {
            do {
                try decoder.feed(bytes, stamp: stamp) { chunks in
                    handle(passed: chunks)
                    return !finished
                }
            } catch {
                abortAttempt(error)
            }
            return
        }
        if let decoder {
            do {
                try decoder.feed(bytes) { chunks in
                    handle(chunks)
                    return !finished
                }
            } catch {
                abortAttempt(error)
            }
            return
        }
        guard body.count + bytes.count <= Self.maxBodyBytes else {
            return abortAttempt(
                UpstreamFailure(
                    .invalidResponse, status: status, message: "response larger than \(Self.maxBodyBytes >> 20) MiB"))
        }
        body += bytes
    }

    /// Stops the current transfer and treats the attempt as failed with `failure`.
    func abortAttempt(_ failure: UpstreamFailure) {
        let call = current
        current = nil
        call?.cancel()
        attemptFailed(failure)
    }

    private func completed(_ transportFailure: TransportFailure?) {
        guard !finished, current != nil else { return }
        current = nil
        if let transportFailure { return attemptFailed(transportFailure.upstreamFailure) }
        guard (200..<300).contains(status) else {
            let adapter = engine.adapter(engine.providers[candidate.model.provider]!.kind)
            return attemptFailed(adapter.failure(status: status, headers: headers, body: body))
        }
        if let decoder { return streamCompleted(decoder) }
        let adapter = engine.adapter(engine.providers[candidate.model.provider]!.kind)
        do {
            switch mode {
            case .chat:
                if let passThrough = adapter as? PassThroughResponseAdapter,
                    let answer = passThrough.passThroughCompletion(body, stamp: ChunkStamp(id: id, model: candidate.model))
                {
                    return succeeded(head: answer.head, usage: answer.usage, reported: answer.reportedUsage)
                }
                let completion = try adapter.chatResponse(body, model: candidate.model.model)
                let reportedNothing = completion.reportedUsage == nil && completion.usage == TokenUsage()
                let usage =
                    reportedNothing
                    ? estimatedUsage(textBytes: Self.textBytes(completion.body, part: "message")) : completion.usage
                succeeded(body: completion.body, usage: usage, reported: completion.reportedUsage)
            case .embeddings:
                guard let embeddings = adapter as? EmbeddingsAdapter else { return }
                try embeddingsAnswered(embeddings)
            }
        } catch {
            attemptFailed(error)
        }
    }

    /// Records the failed attempt and moves on when the failure allows it.
    func attemptFailed(_ failure: UpstreamFailure) {
        guard !finished else { return }
        var failure = failure
        if failure.status == nil, status != 0 { failure.status = status }
        engine.health.failed(candidate.model, failure)
        var attempt = AttemptRecord(
            model: candidate.model, outcome: failure.kind.rawValue, status: failure.status,
            error: failure.message, latencyMilliseconds: elapsed(since: attemptStartedAt))
        if let cost = takeAnsweredBatchesCost() {
            attempt.cost = cost
            sunkCost += cost
        }
        attempts.append(attempt)
        lastFailure = failure
        if committed { return finishBrokenStream(failure) }
        if failure.kind == .contextTooLong { contextCeiling = candidate.info?.contextLength ?? contextCeiling }
        guard failure.kind.movesOn else { return finishFailed() }
        tryNext()
    }

    func elapsed(since start: Double) -> Double { (engine.clock.now() - start) * 1000 }
}
