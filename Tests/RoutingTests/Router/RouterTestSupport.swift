import JSON

@testable import Routing

/// A transport that answers from a script keyed by model name, delivering on `run()` (never inside `send`).
final class ScriptedTransport: UpstreamTransport {
    enum Reply {
        case json(status: Int, body: String, headers: [(String, String)] = [])
        case stream(chunks: [String], thenFail: TransportFailure? = nil)
        /// Sends `chunks`, then neither ends nor fails (a provider still generating).
        case streamThenHang(chunks: [String])
        case failure(TransportFailure)
        case hang
    }

    final class Call: UpstreamCall {
        var cancelled = false
        func cancel() { cancelled = true }
    }

    var replies: [String: [Reply]] = [:]
    var sent: [(model: String, request: UpstreamRequest)] = []
    var calls: [Call] = []
    private var queue: [() -> Void] = []

    /// Sets what `model` answers; several replies are used in turn, the last one repeating.
    func script(_ model: String, _ replies: Reply...) { self.replies[model] = replies }

    func send(
        _ request: UpstreamRequest, timeouts: AttemptTimeouts,
        onHead: @escaping (Int, [(String, String)]) -> Void, onBody: @escaping ([UInt8]) -> Void,
        onComplete: @escaping (TransportFailure?) -> Void
    ) -> UpstreamCall {
        let model = (try? JSON.parse(request.body ?? []))?["model"]?.stringValue ?? "?"
        sent.append((model, request))
        let call = Call()
        calls.append(call)
        var list = replies[model] ?? [.json(status: 404, body: #"{"error":{"message":"no script for \#(model)"}}"#)]
        let reply = list.count > 1 ? list.removeFirst() : list[0]
        replies[model] = list
        queue.append {
            guard !call.cancelled else { return onComplete(.cancelled) }
            switch reply {
            case let .json(status, body, headers):
                onHead(status, headers)
                onBody(Array(body.utf8))
                onComplete(nil)
            case let .stream(chunks, thenFail):
                onHead(200, [("content-type", "text/event-stream")])
                for chunk in chunks {
                    if call.cancelled { return onComplete(.cancelled) }
                    onBody(Array(chunk.utf8))
                }
                onComplete(thenFail)
            case .streamThenHang(let chunks):
                onHead(200, [("content-type", "text/event-stream")])
                for chunk in chunks where !call.cancelled { onBody(Array(chunk.utf8)) }
            case .failure(let failure):
                onComplete(failure)
            case .hang:
                break
            }
        }
        return call
    }

    /// Delivers everything queued (and whatever that queues), in order.
    func run() {
        while !queue.isEmpty { queue.removeFirst()() }
    }
}

/// An OpenAI-style adapter small enough to trust in router tests (the real adapters have their own tests).
struct TestAdapter: ProviderAdapter {
    var kind: ProviderKind { .openai }

    func chatRequest(
        _ request: ChatRequest, model: String, provider: ProviderConfig, info: ModelInfo?,
        stream: Bool
    ) throws(UpstreamFailure) -> UpstreamRequest {
        var body = request.body
        body["model"] = .string(model)
        for field in ChatRequest.gatewayFields { body[field] = nil }
        return UpstreamRequest(
            url: provider.baseURL + "/chat/completions", headers: [], body: JSON.object(body).serialized())
    }

    func chatResponse(_ body: [UInt8], model: String) throws(UpstreamFailure) -> ChatCompletion {
        guard let json = try? JSON.parse(body), let object = json.objectValue else {
            throw UpstreamFailure(.invalidResponse, message: "not JSON")
        }
        return ChatCompletion(body: object, usage: TokenUsage(openAI: json["usage"]) ?? TokenUsage())
    }

    func makeStreamDecoder(model: String) -> ChatStreamDecoder { TestStreamDecoder() }

    func failure(status: Int, headers: [(String, String)], body: [UInt8]) -> UpstreamFailure {
        let message = (try? JSON.parse(body))?["error"]?["message"]?.stringValue ?? "HTTP \(status)"
        let retry = headers.first { $0.0.lowercased() == "retry-after" }.flatMap { Double($0.1) }
        switch status {
        case 429: return UpstreamFailure(.rateLimited, status: status, message: message, retryAfterSeconds: retry)
        case 400 where message.contains("context"): return UpstreamFailure(.contextTooLong, status: status, message: message)
        case 400: return UpstreamFailure(.badRequest, status: status, message: message)
        case 503: return UpstreamFailure(.overloaded, status: status, message: message)
        default: return UpstreamFailure(.serverError, status: status, message: message)
        }
    }
}

/// `data: {json}\n\n` lines ending with `data: [DONE]`.
final class TestStreamDecoder: ChatStreamDecoder {
    var usage: TokenUsage?
    private var buffer = ""
    private var done = false

    func feed(_ bytes: [UInt8]) throws(UpstreamFailure) -> [JSONObject] {
        buffer += String(decoding: bytes, as: UTF8.self)
        var chunks: [JSONObject] = []
        while let range = buffer.range(of: "\n\n") {
            let line = String(buffer[..<range.lowerBound])
            buffer.removeSubrange(..<range.upperBound)
            let data = line.hasPrefix("data: ") ? String(line.dropFirst(6)) : line
            if data == "[DONE]" { done = true; continue }
            guard let object = try? JSON.parse(data).objectValue else {
                throw UpstreamFailure(.invalidResponse, message: "bad event")
            }
            if let usage = TokenUsage(openAI: object["usage"]) { self.usage = usage }
            if object["choices"]?.arrayValue?.isEmpty == true { continue }
            chunks.append(object)
        }
        return chunks
    }

    func finish() throws(UpstreamFailure) -> [JSONObject] {
        guard done else { throw UpstreamFailure(.invalidResponse, message: "stream ended without [DONE]") }
        return []
    }
}

final class RecordingUsage: UsageSink {
    var rows: [UsageRecord] = []
    func record(_ record: UsageRecord) { rows.append(record) }
}

struct DictionaryModels: ModelLookup {
    var entries: [ModelID: ModelInfo] = [:]
    func info(for id: ModelID) -> ModelInfo? { entries[id] }
    func models(named name: String) -> [ModelInfo] { entries.values.filter { $0.id.model == name } }
}

/// A clock the test moves by hand.
final class ManualClock: @unchecked Sendable {  // tests are single-threaded
    var seconds = 1000.0
    var routingClock: RoutingClock { RoutingClock(now: { self.seconds }, wallTime: { 1_700_000_000 + self.seconds }) }
}

/// A seeded generator (SplitMix64) so weighted draws are reproducible.
final class SeededRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    func next() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53)
    }
}

enum Replies {
    static func completion(_ text: String, prompt: Int = 10, completion: Int = 5) -> ScriptedTransport.Reply {
        .json(
            status: 200,
            body: """
                {"id":"up-1","object":"chat.completion","created":1,"model":"x","choices":[{"index":0,"message":{"role":"assistant","content":"\(text)"},"finish_reason":"stop"}],"usage":{"prompt_tokens":\(prompt),"completion_tokens":\(completion),"total_tokens":\(prompt + completion)}}
                """)
    }

    static func error(_ status: Int, _ message: String, retryAfter: String? = nil) -> ScriptedTransport.Reply {
        .json(
            status: status, body: #"{"error":{"message":"\#(message)"}}"#,
            headers: retryAfter.map { [("Retry-After", $0)] } ?? [])
    }

    static func chunk(_ text: String) -> String {
        #"data: {"id":"up","object":"chat.completion.chunk","created":1,"model":"x","choices":[{"index":0,"delta":{"content":"\#(text)"},"finish_reason":null}]}"#
            + "\n\n"
    }

    static let roleChunk =
        #"data: {"id":"up","object":"chat.completion.chunk","created":1,"model":"x","choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":null}]}"#
        + "\n\n"
    static let stopChunk =
        #"data: {"id":"up","object":"chat.completion.chunk","created":1,"model":"x","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#
        + "\n\n"
    static let usageChunk =
        #"data: {"id":"up","object":"chat.completion.chunk","created":1,"model":"x","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}"#
        + "\n\n"
    static let done = "data: [DONE]\n\n"
}

/// A router over providers `a`, `b`, `c` (all OpenAI-style) with the scripted transport.
struct RouterFixture {
    let transport = ScriptedTransport()
    let usage = RecordingUsage()
    let clock = ManualClock()
    let router: Router

    init(
        aliases: [AliasDefinition] = [], models: [ModelInfo] = [], health: HealthSettings = HealthSettings(),
        providerPricing: [String: Pricing] = [:], random: @escaping () -> Double = { 0.5 }
    ) {
        var providers: [String: ProviderConfig] = [:]
        for id in ["a", "b", "c"] {
            providers[id] = ProviderConfig(
                id: id, kind: .openai, baseURL: "http://\(id).test/v1", pricing: providerPricing[id])
        }
        let settings = RoutingSettings(providers: providers, aliases: aliases, health: health)
        var lookup = DictionaryModels()
        for model in models { lookup.entries[model.id] = model }
        router = try! Router(
            settings: settings, models: lookup, adapter: { _ in TestAdapter() }, transport: transport,
            usage: usage, clock: clock.routingClock, random: random)
    }

    /// Sends a request and runs the transport until it is done; returns the events.
    func chat(_ body: JSONObject, context: RequestContext = RequestContext(face: "http")) -> [ChatEvent] {
        var events: [ChatEvent] = []
        router.chat(ChatRequest(body: body), context: context) { events.append($0) }
        transport.run()
        return events
    }
}

func id(_ text: String) -> ModelID { ModelID(text)! }

extension ChatEvent {
    var completionBody: JSONObject? { if case .completion(let body, _) = self { return body.object } else { return nil } }
    var failure: RoutingError? { if case .failed(let error, _) = self { return error } else { return nil } }
}
