import JSON

/// A provider's wire format as pure transformations (DESIGN.md §4): build the HTTP request, decode the answer or
/// each stream event, map errors to failure kinds. No I/O, no state beyond one stream decoder.
public protocol ProviderAdapter: Sendable {
    var kind: ProviderKind { get }

    /// The HTTP request for one chat attempt at `model` (the provider's own model name, without the provider id).
    /// `info` is the catalog entry when known (it decides e.g. `max_tokens` vs `max_completion_tokens`).
    /// Throws `.badRequest` when the request cannot be expressed for this provider.
    func chatRequest(
        _ request: ChatRequest, model: String, provider: ProviderConfig, info: ModelInfo?,
        stream: Bool
    ) throws(UpstreamFailure) -> UpstreamRequest

    /// Decodes a 2xx non-streaming body into an OpenAI `chat.completion`. Throws `.invalidResponse` (or
    /// `.contentFiltered` when the provider answered 200 but blocked the content).
    func chatResponse(_ body: [UInt8], model: String) throws(UpstreamFailure) -> ChatCompletion

    /// A fresh decoder for one streamed 2xx response.
    func makeStreamDecoder(model: String) -> ChatStreamDecoder

    /// Maps a non-2xx response to a failure kind, reading `Retry-After`-style headers and the error body.
    func failure(status: Int, headers: [(String, String)], body: [UInt8]) -> UpstreamFailure
}

/// Turns a streamed response body into OpenAI `chat.completion.chunk` objects. One per attempt; not shared.
public protocol ChatStreamDecoder: AnyObject {
    /// Feeds the next bytes of the body (any split, even mid-line); returns the chunks completed by them.
    /// Throws when the provider sends an error event or invalid JSON.
    func feed(_ bytes: [UInt8]) throws(UpstreamFailure) -> [JSONObject]

    /// As `feed(_:)`, handing each event's chunks to `emit` as soon as that event is decoded, before the next
    /// one is: a network read often carries a whole short answer, and the first chunk should not wait for the
    /// rest to be decoded. `emit` returns false to stop (the caller is done with this stream).
    func feed(_ bytes: [UInt8], emit: ([JSONObject]) -> Bool) throws(UpstreamFailure)

    /// Called at the end of the body. Returns any last chunks; throws `.invalidResponse` when the stream ended
    /// before its terminator (`[DONE]`, `message_stop`, a finish reason) — a cut stream is never a success.
    func finish() throws(UpstreamFailure) -> [JSONObject]

    /// Usage reported by the stream so far (providers send it in the last chunk or along the way).
    var usage: TokenUsage? { get }

    /// The provider's own last `usage` object when it already speaks OpenAI's shape (see
    /// `ChatCompletion.reportedUsage`): the router's usage chunk carries it with only `cost` set.
    var reportedUsage: JSONObject? { get }
}

extension ChatStreamDecoder {
    /// A translated stream: the router writes its usage chunk from `usage`.
    public var reportedUsage: JSONObject? { nil }

    /// A decoder that cannot split its work by event hands over everything one feed completes at once.
    public func feed(_ bytes: [UInt8], emit: ([JSONObject]) -> Bool) throws(UpstreamFailure) {
        let chunks = try feed(bytes)
        if !chunks.isEmpty { _ = emit(chunks) }
    }
}

/// Optional capability of a stream decoder whose provider already sends OpenAI chunks: chunks that need nothing
/// but our identity members come out as stamped bytes, never parsed into values or serialized again.
public protocol PassThroughStreamDecoder: ChatStreamDecoder {
    /// As `feed(_:emit:)`, with `stamp` written into each chunk passed through as bytes.
    func feed(_ bytes: [UInt8], stamp: ChunkStamp, emit: ([PassedChunk]) -> Bool) throws(UpstreamFailure)
}

/// Optional capability of an adapter whose provider answers in the client's format: a non-streamed answer that
/// needs nothing but our identity members and usage comes out as bytes.
public protocol PassThroughResponseAdapter: ProviderAdapter {
    /// The answer's members up to (not including) `usage` and the closing brace — `{` + `stamp` + the provider's
    /// other members — and the usage it reported, counted and as its object (see `ChatCompletion.reportedUsage`);
    /// nil when the answer needs the object path.
    func passThroughCompletion(_ body: [UInt8], stamp: ChunkStamp)
        -> (head: [UInt8], usage: TokenUsage, reportedUsage: JSONObject?)?
}

/// Optional capability: embeddings (`POST /v1/embeddings`).
public protocol EmbeddingsAdapter: ProviderAdapter {
    /// The HTTP request for an OpenAI-shaped embeddings body.
    func embeddingsRequest(_ body: JSONObject, model: String, provider: ProviderConfig) throws(UpstreamFailure)
        -> UpstreamRequest
    /// Decodes the answer into the OpenAI embeddings list shape plus its usage.
    func embeddingsResponse(_ body: [UInt8], model: String) throws(UpstreamFailure) -> (JSONObject, TokenUsage)
    /// The most inputs one upstream request may carry, or nil when one request takes every input a client may
    /// send (OpenAI's contract allows 2048). The router splits a longer `input` list into several requests.
    var maxInputsPerRequest: Int? { get }
}

extension EmbeddingsAdapter {
    /// No limit of our own: the provider takes what OpenAI's contract allows.
    public var maxInputsPerRequest: Int? { nil }
}

/// Optional capability: the provider's own model list (`GET /models`), merged into the catalog.
public protocol ModelListingAdapter: ProviderAdapter {
    func modelsRequest(provider: ProviderConfig) -> UpstreamRequest
    /// The model names (without the provider id) listed in the answer.
    func modelNames(_ body: [UInt8]) throws(UpstreamFailure) -> [String]
}
