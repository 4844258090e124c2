import JSON

// Embeddings attempts, which may take several upstream requests: a provider with a limit on inputs per request
// (Gemini: 100) gets the client's `input` in batches, and the client gets one list.
//
// The batches of an attempt go one after another, not all at once. One transfer in flight keeps the attempt like
// every other: cancelling it cancels one transfer, a failure ends it at once with nothing else to stop, and health
// counts it once. Sent together, up to 21 requests (2048 inputs) would also land on the provider's per-minute
// request quota in the same instant and turn a large request into a 429 half-way. The price is latency: N batches
// take N round trips (and the per-attempt timeouts apply to each request).
extension RoutedCall {
    /// Cuts the request to the adapter's limit and builds every batch's request now, so an input the provider
    /// cannot take fails the attempt before anything is sent; returns the first, keeps the rest for later.
    func embeddingsRequest(
        _ adapter: ProviderAdapter, provider: ProviderConfig,
        candidate: RouteCandidate
    ) throws(UpstreamFailure) -> UpstreamRequest {
        embeddingBatches = EmbeddingBatches([:], limit: nil)
        unsentBatches = []
        guard let embeddings = adapter as? EmbeddingsAdapter else {
            throw UpstreamFailure(
                .notFound, message: "provider \(provider.id) (\(provider.kind.rawValue)) offers no embeddings API")
        }
        let batches = EmbeddingBatches(request.body, limit: embeddings.maxInputsPerRequest)
        var requests: [UpstreamRequest] = []
        for body in batches.bodies {
            requests.append(try embeddings.embeddingsRequest(body, model: candidate.model.model, provider: provider))
        }
        embeddingBatches = batches
        unsentBatches = Array(requests.dropFirst())
        return requests[0]
    }

    /// A 2xx answer to the current batch: the whole answer when the request was not split, else one more part of
    /// it, and then the next batch or the joined list. A batch that fails fails the attempt (`attemptFailed`, with
    /// the usual fallback): the client never gets part of its list.
    func embeddingsAnswered(_ embeddings: EmbeddingsAdapter) throws(UpstreamFailure) {
        let (object, usage) = try embeddings.embeddingsResponse(body, model: candidate.model.model)
        guard embeddingBatches.isSplit else {
            // The provider's usage object reaches the client as sent (with our cost), as for chat answers.
            return succeeded(body: object, usage: usage, reported: object["usage"]?.objectValue)
        }
        try embeddingBatches.add(object, usage: usage)
        guard embeddingBatches.isComplete else {
            // The engine's providers never change, and this one was found when the attempt began.
            let timeouts = engine.providers[candidate.model.provider]!.timeouts
            return send(unsentBatches.removeFirst(), timeouts: timeouts, nextBatch: true)
        }
        let (list, total) = embeddingBatches.joined
        succeeded(body: list, usage: total)
    }

    /// What the provider bills for the batches of the current attempt that answered before it failed (nil when
    /// none did): they were embedded and paid for, the client just never gets them. Taken once: the attempt's
    /// batches are forgotten, so a later attempt cannot count them again.
    func takeAnsweredBatchesCost() -> Double? {
        guard case .embeddings = mode, embeddingBatches.isSplit, embeddingBatches.answered > 0 else { return nil }
        let usage = embeddingBatches.usage
        embeddingBatches = EmbeddingBatches([:], limit: nil)
        unsentBatches = []
        return engine.price(of: candidate.model)?.cost(of: usage) ?? 0
    }
}
