import JSON

/// One embeddings request cut to a provider's limit on inputs per request (Gemini's `batchEmbedContents` takes
/// 100, OpenAI's contract allows 2048): the client's body once per slice of `input`, and the answers joined back
/// into one list in input order, their usage summed. A request within the limit is one batch whose answer goes on
/// as the provider sent it.
struct EmbeddingBatches {
    /// The client's body once per batch, each with its slice of `input`, in input order.
    let bodies: [JSONObject]
    /// How many inputs each batch carries.
    private let counts: [Int]
    /// The answers' embeddings so far, at their position in the client's `input`.
    private var slots: [JSON?]
    /// The answered batches' tokens, summed.
    private(set) var usage = TokenUsage()
    /// The answer of the batch that arrived last (its other members — `object`, `model` — are the list's).
    private var last: JSONObject = [:]
    /// How many batches have answered.
    private(set) var answered = 0

    /// Splits `body` when its `input` is an array longer than `limit`; anything else (a single string, no limit, an
    /// `input` the adapter will refuse) is one batch, left for the adapter to judge.
    init(_ body: JSONObject, limit: Int?) {
        guard let limit, limit > 0, case .array(let inputs)? = body["input"], inputs.count > limit else {
            bodies = [body]
            counts = [1]
            slots = []
            return
        }
        var bodies: [JSONObject] = []
        var counts: [Int] = []
        for start in stride(from: 0, to: inputs.count, by: limit) {
            let slice = Array(inputs[start..<min(start + limit, inputs.count)])
            var batch = body
            batch["input"] = .array(slice)
            bodies.append(batch)
            counts.append(slice.count)
        }
        self.bodies = bodies
        self.counts = counts
        slots = Array(repeating: nil, count: inputs.count)
    }

    /// More than one batch: the answers must be joined.
    var isSplit: Bool { bodies.count > 1 }

    /// Every batch has answered.
    var isComplete: Bool { answered == bodies.count }

    /// Takes the answer of the next batch (batches are answered in order). Throws `.invalidResponse` when it does
    /// not hold exactly one embedding for each of the batch's inputs: joined with the others, a missing or extra
    /// one would shift every later vector onto the wrong input.
    mutating func add(_ answer: JSONObject, usage batchUsage: TokenUsage) throws(UpstreamFailure) {
        precondition(isSplit && !isComplete, "only a split request's outstanding batches answer")
        let batch = answered
        let offset = counts[..<batch].reduce(0, +)
        let data = answer["data"]?.arrayValue ?? []
        guard data.count == counts[batch] else {
            throw UpstreamFailure(
                .invalidResponse,
                message: "embeddings batch \(batch + 1) of \(bodies.count) sent \(counts[batch]) inputs and got "
                    + "\(data.count) embeddings back")
        }
        for (position, item) in data.enumerated() {
            // The provider's own index says which input of the batch an embedding is for; without one, the order.
            let local = item["index"]?.intValue.map { Int($0) } ?? position
            guard (0..<counts[batch]).contains(local), slots[offset + local] == nil, var embedding = item.objectValue
            else {
                throw UpstreamFailure(
                    .invalidResponse,
                    message: "embeddings batch \(batch + 1) of \(bodies.count) answered with a missing, repeated or "
                        + "out-of-range index")
            }
            embedding["index"] = .int(Int64(offset + local))
            slots[offset + local] = .object(embedding)
        }
        usage.prompt += batchUsage.prompt
        usage.completion += batchUsage.completion
        last = answer
        answered += 1
    }

    /// The joined list and the summed usage, once every batch has answered.
    var joined: (JSONObject, TokenUsage) {
        precondition(isSplit && isComplete, "joined before every batch answered")
        var list = last
        // Every slot is filled: each batch filled exactly its own `counts[batch]` distinct slots.
        list["data"] = .array(slots.compactMap { $0 })
        list["usage"] = ["prompt_tokens": .int(Int64(usage.prompt)), "total_tokens": .int(Int64(usage.total))]
        return (list, usage)
    }
}
