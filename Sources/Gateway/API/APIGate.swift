import HTTPServer
import JSON
import Routing

/// The checks every face of the HTTP API makes before it translates anything: the browser `Origin`, the caller's
/// key and the JSON body. Each check answers a `RoutingError`, which the face renders in its own wire shape
/// (OpenAI, Anthropic, Gemini), so the rules are the same on every face and only the error shape differs.
enum APIGate {
    /// A 403 when a browser page on a foreign origin calls the API (browsers send `Origin`; SDKs do not): a
    /// foreign page must not reach the API through the user's browser. `nil` when the request may proceed.
    static func originRefusal(_ request: HTTPRequest, _ origins: OriginPolicy) -> RoutingError? {
        guard let origin = request.headers["Origin"], !origins.allows(origin) else { return nil }
        return RoutingError(
            status: 403, type: "forbidden", code: "origin_not_allowed",
            message: "Origin \(origin) is not allowed (start switchyard with --allow-origin \(origin) to allow it)")
    }

    /// The headers of an error response on every face: `Retry-After` (whole seconds, rounded up) when the error says
    /// when to come back, and `X-Switchyard-Generation-Id` when the failure has its usage row (so a client can look
    /// a failed request up as it can a successful one).
    static func errorHeaders(_ error: RoutingError) -> [(String, String)] {
        var headers: [(String, String)] = []
        if let seconds = error.retryAfterSeconds { headers.append(("Retry-After", String(Int(seconds.rounded(.up))))) }
        if let id = error.generationID { headers.append(("X-Switchyard-Generation-Id", id)) }
        return headers
    }

    /// The request body as a JSON object: 415 for another content type, 400 for bad JSON or a non-object.
    static func jsonBody(_ request: HTTPRequest, limits: JSONLimits) -> Result<JSONObject, RoutingError> {
        let json: JSON
        do {
            json = try JSON.parse(request.body, limits: limits)
        } catch {
            // `curl -d` labels JSON as a form; a body that parses is accepted whatever its label, and one that does
            // not is answered with what to send.
            if let type = request.headers["Content-Type"]?.lowercased(), !type.hasPrefix("application/json") {
                return .failure(
                    RoutingError(
                        status: 415, type: "invalid_request_error", code: "unsupported_media_type",
                        message: "Send the request body as JSON with Content-Type: application/json (got \(type))."))
            }
            return .failure(
                RoutingError(
                    status: 400, type: "invalid_request_error", code: "invalid_json",
                    message: "The request body is not valid JSON: \(error)"))
        }
        guard let object = json.objectValue else {
            return .failure(
                RoutingError(
                    status: 400, type: "invalid_request_error", code: "invalid_json",
                    message: "The request body must be a JSON object."))
        }
        return .success(object)
    }
}

/// What a translating face needs from the gateway: the model services, the browser Origin rule, body limits.
struct FaceDependencies {
    let services: ModelServices
    let origins: OriginPolicy
    let jsonLimits: JSONLimits

    init(services: ModelServices, origins: OriginPolicy, maxBodyBytes: Int) {
        self.services = services
        self.origins = origins
        self.jsonLimits = JSONLimits(maxDepth: 128, maxBytes: maxBodyBytes)
    }
}

/// A face that speaks another provider's wire format over the same routing core (Anthropic Messages, Gemini).
/// It owns its paths and renders every error in its own shape; the checks and the routing are shared.
protocol TranslatingFace: AnyObject {
    var dependencies: FaceDependencies { get }
    /// Writes `error` in this face's error shape (with `Retry-After` when it says when to come back).
    func reply(_ response: HTTPResponseWriter, _ error: RoutingError)
}

extension TranslatingFace {
    var services: ModelServices { dependencies.services }
    var origins: OriginPolicy { dependencies.origins }
    var jsonLimits: JSONLimits { dependencies.jsonLimits }

    /// Origin and key checks; answers the error itself and returns nil when the request may not proceed.
    /// `secret` overrides the key read from the headers (Gemini clients may send it as `?key=`). `modelCall`
    /// gives, for a model call, the fields of its usage row (`model`, `stream`, `tags`): a call refused for its
    /// key still gets one, as on the OpenAI face.
    func admit(
        _ request: HTTPRequest, _ response: HTTPResponseWriter, secret: String? = nil,
        modelCall: () -> JSONObject? = { nil }
    ) -> Principal? {
        if let refusal = APIGate.originRefusal(request, origins) {
            reply(response, refusal)
            return nil
        }
        switch Credentials.authenticate(request, services.governor, secret: secret, logger: services.logger) {
        case .success(let principal): return principal
        case .failure(var error):
            if let fields = modelCall() {
                error = services.router.recordRefused(
                    ChatRequest(body: fields), context: RequestContext(face: "http"), error: error)
            }
            reply(response, error)
            return nil
        }
    }

    /// The body parsed only to name the model in a refused call's usage row: a body that does not parse means the
    /// row names no model; the client hears about its key either way.
    func bodyForUsageRow(_ request: HTTPRequest) -> JSONObject {
        do {
            return try JSON.parse(request.body, limits: jsonLimits).objectValue ?? [:]
        } catch {
            return [:]
        }
    }

    /// The JSON body, or nil after answering the problem.
    func body(_ request: HTTPRequest, _ response: HTTPResponseWriter) -> JSONObject? {
        switch APIGate.jsonBody(request, limits: jsonLimits) {
        case .success(let object): return object
        case .failure(let error):
            reply(response, error)
            return nil
        }
    }

    /// Routes a translated body: the same checks as `/v1/chat/completions`, the key's principal in the context,
    /// and the call cancelled when the client goes away. `onEvent` renders the router's events in this face's shape.
    /// `sizeHint` is the size of the client's body, which its translation resembles closely enough for the
    /// router's token estimates.
    func route(
        _ openAIBody: JSONObject, _ principal: Principal, _ response: HTTPResponseWriter, sizeHint: Int,
        onEvent: @escaping (ChatEvent) -> Void
    ) {
        if let problem = OpenAIRoutes.validateChat(openAIBody) { return reply(response, problem) }
        let context = RequestContext(face: "http", principal: principal)
        let request = ChatRequest(body: openAIBody, sizeHint: sizeHint)
        let handle = services.router.chat(request, context: context, onEvent: onEvent)
        if !response.isFinished { response.onCancel = { handle.cancel() } }
    }

    /// Headers for a successful answer: the OpenAI face's `X-Switchyard-*` and budget headers.
    func successHeaders(_ outcome: RouteOutcome, _ principal: Principal) -> [(String, String)] {
        OpenAIRoutes.outcomeHeaders(outcome, principal, services.governor)
    }

    /// Headers that open a stream: SSE (or `contentType`), the answering model and generation id, the budget.
    func streamHeaders(
        model: ModelID, id: String, _ principal: Principal,
        contentType: String = "text/event-stream"
    ) -> HTTPHeaders {
        var headers = APIReply.sseHeaders
        headers.set("Content-Type", contentType)
        headers.set("X-Switchyard-Model", model.description)
        headers.set("X-Switchyard-Generation-Id", id)
        for (name, value) in OpenAIRoutes.budgetHeaders(principal, services.governor) { headers.set(name, value) }
        return headers
    }
}
