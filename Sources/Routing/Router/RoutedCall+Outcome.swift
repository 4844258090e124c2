import JSON

extension RoutedCall {
    /// A non-streamed answer: rewrite it, update health, record usage, deliver. `reported`: the provider's own
    /// `usage` object, when it speaks OpenAI's shape.
    func succeeded(body: JSONObject, usage: TokenUsage, reported: JSONObject? = nil) {
        let outcome = succeededOutcome(usage: usage)
        var body = body
        body["id"] = .string(id)
        body["model"] = .string(candidate.model.description)
        body["provider"] = .string(candidate.model.provider)
        body["usage"] = .object(usageObject(usage, reported: reported, cost: outcome.cost))
        deliver(.object(body), outcome)
        recordSuccess(outcome)
    }

    /// A non-streamed answer passed through as bytes: `head` is everything but `usage` and the closing brace.
    func succeeded(head: [UInt8], usage: TokenUsage, reported: JSONObject?) {
        let outcome = succeededOutcome(usage: usage)
        var body = head
        body += Array(#","usage":"#.utf8)
        JSON.object(usageObject(usage, reported: reported, cost: outcome.cost)).write(into: &body)
        body.append(UInt8(ascii: "}"))
        deliver(.encoded(body), outcome)
        recordSuccess(outcome)
    }

    private func deliver(_ answer: ChatPayload, _ outcome: RouteOutcome) {
        guard !finished else { return }
        finished = true
        onEvent(.completion(answer, outcome))
    }

    /// The answer's `usage`, with our `cost`: the provider's own object when it sent one in OpenAI's shape (so
    /// the details we do not read — `audio_tokens`, `accepted_prediction_tokens`, whatever comes next — reach the
    /// client as sent), else one written from the counts.
    private func usageObject(_ usage: TokenUsage, reported: JSONObject?, cost: Double) -> JSONObject {
        var object: JSONObject
        if let reported {
            object = reported
        } else if case .embeddings = mode {
            object = ["prompt_tokens": .int(Int64(usage.prompt)), "total_tokens": .int(Int64(usage.total))]
        } else {
            object = usage.openAIObject
        }
        object["cost"] = .double(cost)
        return object
    }

    /// The attempt record and the figures of a success: the outcome to report. Measured here, before the answer is
    /// written, and the key is settled here too (the answer's budget headers show what is left after it); what only
    /// bookkeeping needs waits for `recordSuccess`.
    func succeededOutcome(usage: TokenUsage) -> RouteOutcome {
        let latency = elapsed(since: attemptStartedAt)
        attempts.append(AttemptRecord(model: candidate.model, outcome: "ok", status: status, latencyMilliseconds: latency))
        // The answer's own cost plus what failed attempts were billed: what the request cost its key.
        let cost = (engine.price(of: candidate.model)?.cost(of: usage) ?? 0) + sunkCost
        let settleKey = onSettle
        onSettle = nil
        settleKey?(cost, usage.total)
        let total = elapsed(since: startedAt)
        let requestTTFT = firstTokenAt.map { ($0 - startedAt) * 1000 } ?? (streaming ? nil : total)
        return RouteOutcome(
            id: id, model: candidate.model, usage: usage, cost: cost, latencyMilliseconds: total,
            timeToFirstTokenMilliseconds: requestTTFT, attempts: attempts)
    }

    /// Health and the usage row of a success, and the end of the call. Called once the answer (or the stream's end) has
    /// been handed to the face, in the same loop turn: the client's bytes do not wait behind bookkeeping, and nothing
    /// else (the client's next request included) can run before it.
    func recordSuccess(_ outcome: RouteOutcome) {
        let attemptLatency = attempts.last?.latencyMilliseconds ?? outcome.latencyMilliseconds
        let ttft = firstTokenAt.map { ($0 - attemptStartedAt) * 1000 }
        engine.health.succeeded(
            candidate.model, latencyMilliseconds: attemptLatency, timeToFirstTokenMilliseconds: ttft,
            usage: outcome.usage, streamed: streaming)
        var row = baseRecord()
        row.resolvedModel = candidate.model
        row.usage = outcome.usage
        row.cost = outcome.cost
        row.latencyMilliseconds = outcome.latencyMilliseconds
        row.timeToFirstTokenMilliseconds = outcome.timeToFirstTokenMilliseconds
        row.error = usageNote
        engine.usage.record(row)
        settle(cost: outcome.cost, tokens: outcome.usage.total)
    }

    /// Every candidate failed (or the failure was one that fails everywhere).
    func finishFailed() {
        guard !finished else { return }
        finished = true
        let error: RoutingError
        if let lastFailure {
            error = RoutingError.upstream(lastFailure, attempts: attempts)
        } else {
            error = RoutingError(
                status: 503, type: "upstream_error", code: "no_candidates",
                message: "No candidate could be tried for \"\(plan.requested)\".", attempts: attempts)
        }
        onEvent(.failed(record(error), streamStarted: false))
    }

    /// Writes the usage row of a failed or cancelled request; returns the error carrying the row's id.
    /// `billable`: the provider was generating for this call when it ended (a stream broken or abandoned after it
    /// started, a call cancelled in flight), so the row is charged what the provider will bill for it.
    @discardableResult
    func record(_ error: RoutingError, billable: Bool = false) -> RoutingError {
        var row = baseRecord()
        // The model that failed last is the one to blame in per-model and per-provider reports.
        if index >= 0, index < plan.candidates.count {
            row.resolvedModel = candidate.model
        } else {
            row.resolvedModel = attempts.last(where: { $0.outcome != "skipped" })?.model
        }
        row.status = error.status == 499 ? "cancelled" : "error"
        row.httpStatus = error.status
        row.error = error.message
        row.latencyMilliseconds = elapsed(since: startedAt)
        if billable {
            let (usage, estimated) = billedUsage()
            row.usage = usage
            if estimated { row.error = error.message + " (\(Self.estimateNote(textBytes: streamedTextBytes)))" }
        }
        if let model = row.resolvedModel { row.cost = engine.price(of: model)?.cost(of: row.usage) ?? 0 }
        row.cost += sunkCost
        if let firstTokenAt { row.timeToFirstTokenMilliseconds = (firstTokenAt - startedAt) * 1000 }
        engine.usage.record(row)
        settle(cost: row.cost, tokens: row.usage.total)
        var recorded = error
        recorded.generationID = id
        return recorded
    }

    /// The tokens of an attempt that ended before its answer: what the provider reported so far, completed by
    /// estimates where it reported nothing (about four bytes of text per token, as for prompts). True when any
    /// figure is an estimate.
    func billedUsage() -> (TokenUsage, estimated: Bool) {
        var usage = decoder?.usage ?? TokenUsage()
        var estimated = false
        if usage.prompt == 0 {
            usage.prompt = request.estimatedPromptTokens
            estimated = true
        }
        let streamed = Self.estimatedTokens(textBytes: streamedTextBytes)
        if streamed > usage.completion {
            usage.completion = streamed
            estimated = true
        }
        return (usage, estimated)
    }

    /// The tokens of a complete answer whose provider reported none (some OpenAI-compatible servers ignore
    /// `include_usage`), estimated as for one cut short — a complete answer must not cost less than a broken one —
    /// and noted in its usage row.
    func estimatedUsage(textBytes: Int) -> TokenUsage {
        usageNote = Self.estimateNote(textBytes: textBytes)
        return TokenUsage(prompt: request.estimatedPromptTokens, completion: Self.estimatedTokens(textBytes: textBytes))
    }

    /// About four bytes of text per token, as for prompts.
    private static func estimatedTokens(textBytes: Int) -> Int { (textBytes + 3) / 4 }

    private static func estimateNote(textBytes: Int) -> String {
        "tokens estimated: the provider reported no usage; prompt from the request, output from the \(textBytes) "
            + "bytes of text it sent"
    }

    /// Releases the key's reservation with the actual cost — the same figure as the usage row — exactly once (a
    /// success settled it already). Also where every call ends: the usage row was just written (once per call).
    private func settle(cost: Double, tokens: Int) {
        let settle = onSettle
        onSettle = nil
        settle?(cost, tokens)
        engine.callFinished(self)
    }

    private func baseRecord() -> UsageRecord {
        UsageRecord(
            id: id, createdAt: createdAt, keyID: context.keyID, face: context.face,
            requestedModel: plan.requested, attempts: attempts, stream: streaming,
            tags: context.tags(with: request.tags))
    }
}
