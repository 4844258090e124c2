import HTTPServer
import JSON
import Routing

/// The Anthropic Messages face of the HTTP API: `POST /v1/messages` and `POST /v1/messages/count_tokens` under
/// `/v1/`, `/api/v1/` and `/anthropic/v1/`, so the official `anthropic` SDKs (which append `/v1/messages` to their
/// base URL) work unchanged. Requests are translated to the router's OpenAI shape (`AnthropicInbound`), routed
/// like `/v1/chat/completions` (same keys, fallback, usage rows), and answers translated back
/// (`AnthropicOutbound`, `AnthropicStreamEncoder`). Errors are in Anthropic's shape.
final class AnthropicRoutes: TranslatingFace {
    let dependencies: FaceDependencies

    init(_ dependencies: FaceDependencies) {
        self.dependencies = dependencies
    }

    /// Handles the request when it is this face's; returns false otherwise (the rest of `/v1/` is OpenAI's).
    func handle(_ request: HTTPRequest, _ response: HTTPResponseWriter) -> Bool {
        guard let route = Self.route(request.path) else { return false }
        // Messages bodies name `model`, `stream` and `tags` where OpenAI bodies do: the usage row reads them as is.
        let modelCall = request.method == "POST" && route == "messages"
        guard let principal = admit(request, response, modelCall: { modelCall ? bodyForUsageRow(request) : nil }) else {
            return true
        }
        switch (request.method, route) {
        case ("POST", "messages"): messages(request, response, principal)
        case ("POST", "messages/count_tokens"): countTokens(request, response)
        case (_, "messages"), (_, "messages/count_tokens"):
            APIReply.json(
                response, 405, AnthropicOutbound.errorBody(.invalidRequest("Use POST for \(route).")),
                headers: [("Allow", "POST")])
        default:
            reply(
                response,
                RoutingError(
                    status: 404, type: "invalid_request_error", code: "unknown_url",
                    message:
                        "Unknown Anthropic API path \(request.path). Routes: POST messages, POST messages/count_tokens under /v1/, /api/v1/ or /anthropic/v1/."
                ))
        }
        return true
    }

    /// The path after the prefix (`messages`, `messages/count_tokens`): everything under `/anthropic/v1/`, and
    /// the `messages` paths under the OpenAI face's `/v1/` and `/api/v1/`.
    static func route(_ path: String) -> String? {
        var rest: Substring
        if path.hasPrefix("/anthropic/v1/") {
            rest = path.dropFirst("/anthropic/v1/".count)
        } else if path.hasPrefix("/v1/messages") || path.hasPrefix("/api/v1/messages") {
            rest = path.dropFirst(path.hasPrefix("/v1/") ? 4 : 8)
            guard rest == "messages" || rest.hasPrefix("messages/") else { return nil }
        } else {
            return nil
        }
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        return String(rest)
    }

    /// `POST /v1/messages`: a `message`, or an Anthropic event stream when `stream` is true.
    func messages(_ request: HTTPRequest, _ response: HTTPResponseWriter, _ principal: Principal) {
        guard let anthropicBody = body(request, response) else { return }
        let openAIBody: JSONObject
        do {
            openAIBody = try AnthropicInbound.chatBody(anthropicBody)
        } catch {
            return reply(response, error)
        }
        let stops = openAIBody["stop"]?.arrayValue?.compactMap(\.stringValue) ?? []
        var encoder = AnthropicStreamEncoder(stopSequences: stops)
        let stream = StreamBatch(response: response, loop: dependencies.services.loop)
        route(openAIBody, principal, response, sizeHint: request.body.count) { [self] event in
            switch event {
            case .completion(let answer, let outcome):
                APIReply.json(
                    response, 200, AnthropicOutbound.message(answer.object, stopSequences: stops),
                    headers: successHeaders(outcome, principal) + [("request-id", outcome.id)])
            case .streamStarted(let model, let id):
                var headers = streamHeaders(model: model, id: id, principal)
                headers.set("request-id", id)
                stream.start(headers: headers)
                stream.append(AnthropicEvent.sse(encoder.start(model: model.description, id: id)))
            case .chunk(let chunk):
                let events = encoder.chunk(chunk.object)
                if !events.isEmpty { stream.append(AnthropicEvent.sse(events)) }
            case .streamFinished(let outcome):
                stream.finish(AnthropicEvent.sse(encoder.finish(outcome)))
            case .failed(let error, let started):
                guard started else { return reply(response, error) }
                stream.finish(AnthropicEvent.sse(encoder.fail(error)))
            }
        }
    }

    /// `POST /v1/messages/count_tokens`: `{"input_tokens": n}`, the router's estimate (about four bytes of text
    /// per token): no provider is asked, so it is free and fast, and close enough for context-window bookkeeping.
    func countTokens(_ request: HTTPRequest, _ response: HTTPResponseWriter) {
        guard let anthropicBody = body(request, response) else { return }
        do {
            let openAIBody = try AnthropicInbound.chatBody(anthropicBody, requireMaxTokens: false)
            APIReply.json(response, 200, ["input_tokens": .int(Int64(ChatRequest(body: openAIBody).estimatedPromptTokens))])
        } catch {
            reply(response, error)
        }
    }

    /// An Anthropic error body with Anthropic's status, and `Retry-After` when the error says when to come back.
    func reply(_ response: HTTPResponseWriter, _ error: RoutingError) {
        var headers = APIGate.errorHeaders(error)
        if error.status == 401 { headers.append(("WWW-Authenticate", "Bearer realm=\"switchyard\"")) }
        APIReply.json(response, AnthropicOutbound.status(error), AnthropicOutbound.errorBody(error), headers: headers)
    }
}
