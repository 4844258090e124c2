import FoundationEssentials
import HTTPServer
import JSON
import Patterns
import Routing

extension OpenAIRoutes {
    /// `GET /v1/models`: the catalog in OpenAI's list shape with OpenRouter's extra fields, plus aliases as models
    /// owned by `switchyard`.
    func models(_ request: HTTPRequest, _ response: HTTPResponseWriter) {
        let catalog = services.catalog.catalog
        var list = catalog.openAIListObject(models: catalog.all)
        if case .object(var object) = list, var data = object["data"]?.arrayValue {
            for (alias, _) in services.router.aliasList {
                data.append([
                    "id": .string(alias.name), "object": "model", "created": 0, "owned_by": "switchyard",
                    "name": .string(alias.description ?? "alias (\(alias.strategy.rawValue))"),
                    "switchyard": [
                        "alias": true, "strategy": .string(alias.strategy.rawValue),
                        "targets": .array(alias.allTargets.map { .string($0.model.description) }),
                    ],
                ])
            }
            object["data"] = .array(data)
            list = .object(object)
        }
        response.respond(status: 200, headers: ["Content-Type": "application/json"], body: list.serialized())
    }

    /// `GET /v1/models/{provider/model}`.
    func model(_ id: String, _ response: HTTPResponseWriter) {
        let catalog = services.catalog.catalog
        guard let modelID = ModelID(id), let info = catalog.lookup(modelID) else {
            return APIReply.error(
                response, status: 404, type: "invalid_request_error", code: "model_not_found",
                message: "No model \"\(id)\" in the catalog; GET /v1/models lists them.")
        }
        response.respond(
            status: 200, headers: ["Content-Type": "application/json"], body: catalog.openAIModelObject(info).serialized())
    }

    /// `GET /v1/generation?id=gen-…`: the usage row of one request (OpenRouter's shape, `data: {…}`).
    func generation(_ request: HTTPRequest, _ response: HTTPResponseWriter, _ principal: Principal) {
        guard let id = Self.queryValue("id", in: request.query), !id.isEmpty else {
            return APIReply.error(
                response,
                .invalidRequest("the query parameter \"id\" is required (the response's id, gen-…)", parameter: "id"))
        }
        services.store.usageRecord(id: id) { result in
            switch result {
            case .success(let record?)
            where principal.key == nil || principal.canManageKeys || record.keyID == principal.key?.id:
                APIReply.json(response, 200, ["data": record.json])
            case .success(.some):
                // Another key's request: answered like an unknown id, so ids of others' requests reveal nothing.
                APIReply.error(
                    response, status: 404, type: "invalid_request_error", code: "generation_not_found",
                    message: "No generation with id \(id).")
            case .success(nil):
                APIReply.error(
                    response, status: 404, type: "invalid_request_error", code: "generation_not_found",
                    message: "No generation with id \(id).")
            case .failure(let error):
                APIReply.error(
                    response, status: 500, type: "server_error", code: "store_failed",
                    message: "Reading the usage database failed: \(error)")
            }
        }
    }

    /// The percent-decoded value of `name` in a query string.
    static func queryValue(_ name: String, in query: String?) -> String? {
        guard let query else { return nil }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.first.map(String.init) == name else { continue }
            let raw = parts.count > 1 ? String(parts[1]) : ""
            return String(raw.map { $0 == "+" ? " " : $0 }).percentDecoded ?? raw
        }
        return nil
    }
}
