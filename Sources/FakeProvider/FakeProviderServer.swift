import HTTPServer
import JSON
import Loop

/// Which provider's API a base URL is for.
public enum FakeProviderKind: String, Sendable, CaseIterable {
    /// OpenAI Chat Completions, embeddings and models under `/v1`.
    case openai
    /// Anthropic Messages under `/v1`.
    case anthropic
    /// Gemini `generateContent` and friends under `/v1beta`.
    case gemini
}

/// A fake LLM provider on the event loop, speaking the OpenAI, Anthropic and Gemini wire formats on one port, for
/// tests and benchmarks (DESIGN.md §7: a fake provider that returns 429 with `Retry-After`, 5xx, times out, cuts
/// a stream half-way).
///
/// Endpoints: `POST /v1/chat/completions`, `POST /v1/embeddings`, `GET /v1/models` (OpenAI; Anthropic's list when
/// the request has `anthropic-version`); `POST /v1/messages` (Anthropic, which requires `x-api-key`,
/// `anthropic-version` and `max_tokens` as the real API does); `POST /v1beta/models/{model}:generateContent`,
/// `:streamGenerateContent` (SSE with `?alt=sse`, else a JSON array), `:embedContent`, `:batchEmbedContents`,
/// `:countTokens` and `GET /v1beta/models` (Gemini). Errors come in each provider's own shape.
///
/// Answers are deterministic: `"Fake answer from <model>: <last user message text>"` with the model name exactly
/// as received, streamed one word per event. Usage: prompt tokens = UTF-8 bytes of the message texts / 4 (at
/// least 1), completion tokens = words answered. A request's output-token limit cuts the words (finish reason
/// `length` / `max_tokens` / `MAX_TOKENS`). A structured-output schema is answered with its required properties'
/// type defaults.
///
/// Behaviour is scripted by the model name: the base name, then `+`-separated directives, e.g.
/// `gpt-fake+latency-50+status-429+retry-after-2`. `latency-N` (ms before the head), `chunk-delay-N` (ms between
/// stream events), `chunks-N` (answer N words), `status-N` (400–599 with the provider's error body),
/// `retry-after-N` (header on error answers), `context-too-long`, `content-filter`, `hang` (never answer),
/// `cut-after-N` (N content events, then the stream ends without its terminator; see `ResponseDriver` for how),
/// `invalid-json`, `fail-first-N` (the first N requests for this exact name get a 500), `tools` (call the first
/// tool offered). An unknown directive is answered 400 naming it.
///
/// Control endpoints: `GET /fake/stats` (request counts per model name, total, cancelled, the last request's
/// path, body and headers) and `POST /fake/reset`; the same figures are readable in-process.
///
/// Loop-confined: create, use and close it on the loop's thread.
public final class FakeProviderServer {
    /// The loop the server runs on.
    public let loop: EventLoop
    /// The address it listens on.
    public let host: String
    /// The bound port (kept after `close`, when the socket is gone).
    public let port: Int
    /// Diagnostics from the HTTP server and the fake itself (accept failures, handler misuse). Wire it to a logger.
    public var onError: ((String) -> Void)?

    var log = FakeRequestLog()
    /// Numbers response ids (`chatcmpl-fake-N`, `msg_fake_N`); unlike the counters it is never reset.
    var sequence = 0
    private var server: HTTPServer?

    /// Binds `host:port` (port 0 picks a free port) and starts serving. Throws when the address cannot be bound.
    public init(loop: EventLoop, host: String = "127.0.0.1", port: Int = 0) throws {
        self.loop = loop
        self.host = host
        // Generous limits: tests send large prompts on purpose, and a benchmark must never hit the idle timeout.
        let limits = HTTPServerLimits(maxBodyBytes: 64 << 20, idleTimeoutMilliseconds: 600_000, maxConnections: 4096)
        // The handler refers to `self` weakly through a box filled below: `self` is not initialised yet here.
        let box = WeakBox()
        let server = try HTTPServer(loop: loop, host: host, port: port, limits: limits) { request, writer in
            guard let server = box.server else { return writer.respond(status: 503) }
            server.handle(request, writer)
        }
        self.server = server
        self.port = server.port
        box.server = self
        server.onError = { [unowned self] message in self.report(message) }
    }

    private final class WeakBox {
        weak var server: FakeProviderServer?
    }

    /// `http://HOST:PORT`, with a wildcard host replaced by loopback so the URL is usable.
    public var rootURL: String {
        let reachable = host == "0.0.0.0" ? "127.0.0.1" : host == "::" ? "::1" : host
        return reachable.contains(":") ? "http://[\(reachable)]:\(port)" : "http://\(reachable):\(port)"
    }

    /// The base URL an SDK or the gateway is configured with: `…/v1` for OpenAI and Anthropic, `…/v1beta` for Gemini.
    public func baseURL(for kind: FakeProviderKind) -> String {
        switch kind {
        case .openai, .anthropic: rootURL + "/v1"
        case .gemini: rootURL + "/v1beta"
        }
    }

    // MARK: What was asked

    /// Requests that named `model` (the full name, directives included) since start or the last reset.
    public func requestCount(for model: String) -> Int {
        loop.assertInLoop()
        return log.counts[model] ?? 0
    }

    /// Request counts by full model name.
    public var requestCounts: [String: Int] {
        loop.assertInLoop()
        return log.counts
    }

    /// Provider API requests of any kind (model lists included, control endpoints not).
    public var totalRequests: Int {
        loop.assertInLoop()
        return log.total
    }

    /// Requests whose client went away (or whose connection was closed) before the answer ended — e.g. a `hang`
    /// the caller timed out on.
    public var cancelledRequests: Int {
        loop.assertInLoop()
        return log.cancelled
    }

    /// The last provider request's body as JSON (a body that is not JSON as a string), or nil.
    public var lastRequestBody: JSON? {
        loop.assertInLoop()
        return log.lastBodyJSON
    }

    /// The last provider request's headers, names lower-cased.
    public var lastRequestHeaders: [String: String] {
        loop.assertInLoop()
        return log.lastHeaderDictionary
    }

    /// The last provider request's path, e.g. `/v1/chat/completions`.
    public var lastRequestPath: String? {
        loop.assertInLoop()
        return log.lastPath
    }

    /// The `GET /fake/stats` document.
    public var stats: JSON {
        loop.assertInLoop()
        return log.json
    }

    /// Clears the counters and the last request, as `POST /fake/reset` does. `fail-first-N` counts start again.
    public func reset() {
        loop.assertInLoop()
        log.reset()
    }

    // MARK: Lifecycle

    /// Stops listening and closes every connection; requests still hanging or streaming see their client go.
    /// `completion` runs once every handle has closed. Safe to call twice.
    public func close(_ completion: (() -> Void)? = nil) {
        loop.assertInLoop()
        guard let server else {
            completion?()
            return
        }
        server.close(completion)
        // Keep the server until its handles have closed; close() may be called again meanwhile and must forward.
        server.close { [self] in self.server = nil }
    }

    func report(_ message: String) { onError?(message) }
}
