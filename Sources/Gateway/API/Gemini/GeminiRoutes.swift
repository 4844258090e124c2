import HTTPServer
import JSON
import Patterns
import Routing

/// The Gemini face of the HTTP API: `POST /v1beta/models/{model}:generateContent`, `:streamGenerateContent`
/// (SSE with `?alt=sse`, otherwise one JSON array written as the answer grows) and `:countTokens`, also under
/// `/gemini/v1beta/`. `{model}` is a Switchyard model id (`provider%2Fmodel`, or with a plain slash), an alias or a
/// bare model name. Requests are translated to the router's OpenAI shape (`GeminiInbound`), routed like
/// `/v1/chat/completions` (same keys, fallback, usage rows) and answered in Gemini's shapes (`GeminiOutbound`).
final class GeminiRoutes: TranslatingFace {
    static let prefixes = ["/v1beta/", "/gemini/v1beta/"]
    let dependencies: FaceDependencies

    init(_ dependencies: FaceDependencies) {
        self.dependencies = dependencies
    }

    /// Handles the request when its path is one of ours; returns false otherwise.
    func handle(_ request: HTTPRequest, _ response: HTTPResponseWriter) -> Bool {
        guard let prefix = Self.prefixes.first(where: { request.path.hasPrefix($0) }) else { return false }
        // Gemini clients may send the key as `?key=` (Google's REST samples do) instead of `x-goog-api-key`.
        let secret = Credentials.secret(in: request) ?? OpenAIRoutes.queryValue("key", in: request.query)
        let target = Self.modelAndMethod(String(request.path.dropFirst(prefix.count)))
        let modelCall: JSONObject? =
            switch (request.method, target?.method) {
            case ("POST", "generateContent"?): ["model": .string(target?.model ?? "")]
            case ("POST", "streamGenerateContent"?): ["model": .string(target?.model ?? ""), "stream": true]
            default: nil
            }
        guard let principal = admit(request, response, secret: secret, modelCall: { modelCall }) else { return true }
        switch (request.method, target?.method) {
        case ("POST", "generateContent"?):
            generate(request, response, principal, model: target?.model ?? "", stream: false)
        case ("POST", "streamGenerateContent"?):
            generate(request, response, principal, model: target?.model ?? "", stream: true)
        case ("POST", "countTokens"?):
            countTokens(request, response, model: target?.model ?? "")
        case (_, "generateContent"?), (_, "streamGenerateContent"?), (_, "countTokens"?):
            reply(
                response,
                RoutingError(
                    status: 405, type: "invalid_request_error", code: "method_not_allowed",
                    message: "Use POST for \(request.path)."))
        default:
            reply(
                response,
                RoutingError(
                    status: 404, type: "invalid_request_error", code: "unknown_url",
                    message:
                        "Unknown Gemini API path \(request.path). Routes: POST models/{model}:generateContent, :streamGenerateContent, :countTokens under /v1beta/ or /gemini/v1beta/."
                ))
        }
        return true
    }

    /// `models/{model}:{method}` → the model (percent-decoded, so `fake%2Fcheap` is `fake/cheap`) and the method.
    /// The method follows the last colon: model names may hold colons themselves (`llama3:8b`).
    static func modelAndMethod(_ rest: String) -> (model: String, method: String)? {
        guard rest.hasPrefix("models/") else { return nil }
        let raw = String(rest.dropFirst("models/".count))
        let decoded = raw.percentDecoded ?? raw
        guard let colon = decoded.lastIndex(of: ":") else { return nil }
        let model = String(decoded[..<colon])
        return model.isEmpty ? nil : (model, String(decoded[decoded.index(after: colon)...]))
    }

    /// `generateContent` (one `GenerateContentResponse`) or `streamGenerateContent` (a stream of them).
    func generate(
        _ request: HTTPRequest, _ response: HTTPResponseWriter, _ principal: Principal, model: String,
        stream: Bool
    ) {
        guard let geminiBody = body(request, response) else { return }
        let openAIBody: JSONObject
        do {
            openAIBody = try GeminiInbound.chatBody(geminiBody, model: model, stream: stream)
        } catch {
            return reply(response, error)
        }
        var encoder = GeminiStreamEncoder()
        var framing = GeminiStreamFraming(sse: OpenAIRoutes.queryValue("alt", in: request.query) == "sse")
        let stream = StreamBatch(response: response, loop: dependencies.services.loop)
        route(openAIBody, principal, response, sizeHint: request.body.count) { [self] event in
            switch event {
            case .completion(let answer, let outcome):
                APIReply.json(
                    response, 200, GeminiOutbound.response(answer.object), headers: successHeaders(outcome, principal))
            case .streamStarted(let model, let id):
                encoder.start(model: model.description, id: id)
                stream.start(headers: streamHeaders(model: model, id: id, principal, contentType: framing.contentType))
            case .chunk(let chunk):
                if let object = encoder.chunk(chunk.object) { stream.append(framing.element(object)) }
            case .streamFinished(let outcome):
                stream.finish(framing.element(encoder.finish(outcome)) + framing.end())
            case .failed(let error, let started):
                guard started else { return reply(response, error) }
                stream.finish(framing.element(encoder.fail(error)) + framing.end())
            }
        }
    }

    /// `countTokens` (`contents`, or a whole `generateContentRequest`): `{"totalTokens": n}`, the router's
    /// estimate (about four bytes of text per token), made without asking a provider.
    func countTokens(_ request: HTTPRequest, _ response: HTTPResponseWriter, model: String) {
        guard let geminiBody = body(request, response) else { return }
        do {
            let inner = GeminiInbound.field(.object(geminiBody), "generateContentRequest")?.objectValue ?? geminiBody
            let openAIBody = try GeminiInbound.chatBody(inner, model: model, stream: false)
            APIReply.json(response, 200, ["totalTokens": .int(Int64(ChatRequest(body: openAIBody).estimatedPromptTokens))])
        } catch {
            reply(response, error)
        }
    }

    /// A Gemini error body with the router's status, and `Retry-After` when the error says when to come back.
    func reply(_ response: HTTPResponseWriter, _ error: RoutingError) {
        APIReply.json(response, error.status, GeminiOutbound.errorBody(error), headers: APIGate.errorHeaders(error))
    }
}

/// How `streamGenerateContent` frames its objects: server-sent events with `?alt=sse`, otherwise the elements of
/// one JSON array (`[{…}` then `,\r\n{…}` then `]`), which is what Gemini sends without `alt=sse`.
struct GeminiStreamFraming {
    let sse: Bool
    private var started = false

    init(sse: Bool) {
        self.sse = sse
    }

    var contentType: String { sse ? "text/event-stream" : "application/json" }

    mutating func element(_ object: JSONObject) -> [UInt8] {
        if sse { return APIReply.sseData(object) }
        var bytes = Array((started ? ",\r\n" : "[").utf8)
        started = true
        JSON.object(object).write(into: &bytes)
        return bytes
    }

    func end() -> [UInt8] {
        sse ? [] : Array((started ? "]" : "[]").utf8)
    }
}
