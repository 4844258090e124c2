import FoundationEssentials
import HTTPServer
import JSON
import Patterns
import Routing

/// The OpenAI-compatible HTTP API, served on the same port as `/mcp`, under `/v1/`, `/api/v1/` and `/openai/v1/`
/// (the paths other gateways use): chat completions (plain and SSE), models, embeddings, generation lookup.
/// Every model call goes through the same `Router` as the MCP tools.
final class OpenAIRoutes {
    static let prefixes = ["/v1/", "/api/v1/", "/openai/v1/"]
    let services: ModelServices
    private let jsonLimits: JSONLimits

    init(services: ModelServices, maxBodyBytes: Int) {
        self.services = services
        self.jsonLimits = JSONLimits(maxDepth: 128, maxBytes: maxBodyBytes)
    }

    /// Handles the request when its path is one of ours; returns false otherwise.
    func handle(_ request: HTTPRequest, _ response: HTTPResponseWriter) -> Bool {
        guard let route = Self.route(request.path) else { return false }
        let principal: Principal
        switch Credentials.authenticate(request, services.governor, logger: services.logger) {
        case .success(let who): principal = who
        case .failure(var error):
            if request.method == "POST", route == "chat/completions" || route == "embeddings" {
                // A refused model call is still a usage row (with the reason), like every refusal. A body that
                // does not parse only means the row names no model; the client gets its 401 either way.
                var body = JSONObject()
                if case .success(let parsed) = APIGate.jsonBody(request, limits: jsonLimits) { body = parsed }
                error = services.router.recordRefused(
                    ChatRequest(body: body), context: RequestContext(face: "http"), error: error)
            }
            APIReply.error(response, error, headers: [("WWW-Authenticate", "Bearer realm=\"switchyard\"")])
            return true
        }
        if route == "keys" || route.hasPrefix("keys/") {
            keys(request, response, route: route, principal: principal)
            return true
        }
        switch (request.method, route) {
        case ("POST", "chat/completions"): chatCompletions(request, response, principal)
        case ("POST", "embeddings"): embeddings(request, response, principal)
        case ("GET", "models"): models(request, response)
        case ("GET", "generation"): generation(request, response, principal)
        case (_, "chat/completions"), (_, "embeddings"):
            methodNotAllowed(response, allow: "POST", route: route)
        case (_, "models"), (_, "generation"):
            methodNotAllowed(response, allow: "GET", route: route)
        default:
            if route.hasPrefix("models/"), request.method == "GET" {
                // SDKs percent-encode the slash of provider/model ids (`fake%2Fcheap`).
                let raw = String(route.dropFirst(7))
                model(raw.percentDecoded ?? raw, response)
                return true
            }
            APIReply.error(
                response, status: 404, type: "invalid_request_error", code: "unknown_url",
                message:
                    "Unknown API path \(request.path). Routes: POST chat/completions, POST embeddings, GET models, GET generation?id=… under /v1/, /api/v1/ or /openai/v1/."
            )
        }
        return true
    }

    /// The path after one of our prefixes, e.g. `chat/completions`.
    static func route(_ path: String) -> String? {
        for prefix in prefixes where path.hasPrefix(prefix) {
            var rest = String(path.dropFirst(prefix.count))
            while rest.hasSuffix("/") { rest.removeLast() }
            return rest
        }
        return nil
    }

    /// Parses a JSON object body or answers 400 (415 for another content type) in OpenAI's shape.
    func parseBody(_ request: HTTPRequest, _ response: HTTPResponseWriter) -> JSONObject? {
        switch APIGate.jsonBody(request, limits: jsonLimits) {
        case .success(let object): return object
        case .failure(let error):
            APIReply.error(response, error)
            return nil
        }
    }

    private func methodNotAllowed(_ response: HTTPResponseWriter, allow: String, route: String) {
        var error = RoutingError(
            status: 405, type: "invalid_request_error", code: "method_not_allowed",
            message: "Use \(allow) for \(route).")
        error.parameter = nil
        APIReply.json(response, 405, error.openAIBody, headers: [("Allow", allow)])
    }
}
