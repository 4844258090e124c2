import HTTPServer
import JSON
import Routing

/// Key management over REST, for admin and provisioning keys: `POST/GET /v1/keys`, `GET/PATCH/DELETE
/// /v1/keys/{id}`, and the paths hosted routers use for the same thing (`POST /prod/createServiceKey`,
/// `/prod/updateServiceKey`, `/prod/getServiceKeys`, `/prod/deleteServiceKey`).
extension OpenAIRoutes {
    func keys(_ request: HTTPRequest, _ response: HTTPResponseWriter, route: String, principal: Principal) {
        guard principal.canManageKeys else { return APIReply.error(response, Self.managementForbidden) }
        let governor = services.governor
        let id = route == "keys" ? nil : String(route.dropFirst(5))
        switch (request.method, id) {
        case ("POST", nil):
            guard let body = parseBody(request, response) else { return }
            create(body, response, status: 201)
        case ("GET", nil):
            APIReply.json(response, 200, ["object": "list", "data": .array(governor.keys.map(governor.describe))])
        case ("GET", let id?):
            guard let key = governor.key(id: id) else { return APIReply.error(response, Self.keyNotFound(id)) }
            APIReply.json(response, 200, ["data": governor.describe(key)])
        case ("PATCH", let id?):
            guard let body = parseBody(request, response) else { return }
            update(id, body, response)
        case ("DELETE", let id?):
            revoke(id, response)
        default:
            APIReply.error(
                response, status: 405, type: "invalid_request_error", code: "method_not_allowed",
                message: "Use POST or GET on /v1/keys, and GET, PATCH or DELETE on /v1/keys/{id}.")
        }
    }

    /// `/prod/*`: the service-key API of hosted routers, on the same governor.
    func prod(_ request: HTTPRequest, _ response: HTTPResponseWriter) {
        let principal: Principal
        switch Credentials.authenticate(request, services.governor, logger: services.logger) {
        case .success(let who): principal = who
        case .failure(let error): return APIReply.error(response, error)
        }
        guard principal.canManageKeys else { return APIReply.error(response, Self.managementForbidden) }
        let action = String(request.path.dropFirst("/prod/".count))
        var body: JSONObject = [:]
        if !request.body.isEmpty {
            guard let parsed = parseBody(request, response) else { return }
            body = parsed
        }
        let governor = services.governor
        switch action {
        case "createServiceKey":
            create(body, response, status: 200)
        case "getServiceKeys":
            APIReply.json(response, 200, ["data": .array(governor.keys.map(governor.describe))])
        case "updateServiceKey", "deleteServiceKey":
            guard let id = (body["api_key_id_hash"] ?? body["id"])?.stringValue, !id.isEmpty else {
                return APIReply.error(
                    response,
                    .invalidRequest(
                        "\"api_key_id_hash\" is required (the id returned at creation)", parameter: "api_key_id_hash"))
            }
            if action == "deleteServiceKey" { return revoke(id, response) }
            body["api_key_id_hash"] = nil
            body["id"] = nil
            update(id, body, response)
        default:
            APIReply.error(
                response, status: 404, type: "invalid_request_error", code: "unknown_url",
                message:
                    "Unknown path \(request.path): createServiceKey, updateServiceKey, getServiceKeys and deleteServiceKey exist under /prod/."
            )
        }
    }

    private func create(_ body: JSONObject, _ response: HTTPResponseWriter, status: Int) {
        let governor = services.governor
        governor.createKey(body) { result in
            switch result {
            case .success(let created):
                var object = governor.describe(created.key).objectValue ?? [:]
                object["key"] = .string(created.secret)
                APIReply.json(
                    response, status,
                    [
                        "key": .string(created.secret), "api_key_id_hash": .string(created.key.id),
                        "data": .object(object),
                    ])
            case .failure(let error):
                APIReply.error(response, error)
            }
        }
    }

    private func update(_ id: String, _ body: JSONObject, _ response: HTTPResponseWriter) {
        let governor = services.governor
        governor.updateKey(id: id, body) { result in
            switch result {
            case .success(let key): APIReply.json(response, 200, ["data": governor.describe(key)])
            case .failure(let error): APIReply.error(response, error)
            }
        }
    }

    private func revoke(_ id: String, _ response: HTTPResponseWriter) {
        services.governor.revokeKey(id: id) { result in
            switch result {
            case .success(let key): APIReply.json(response, 200, ["data": ["id": .string(key.id), "deleted": true]])
            case .failure(let error): APIReply.error(response, error)
            }
        }
    }

    static let managementForbidden = RoutingError(
        status: 403, type: "permission_error", code: "not_a_management_key",
        message: "Managing keys needs the admin key or a provisioning key.")

    static func keyNotFound(_ id: String) -> RoutingError {
        RoutingError(
            status: 404, type: "invalid_request_error", code: "key_not_found", message: "No API key with id \(id).",
            parameter: "id")
    }
}
