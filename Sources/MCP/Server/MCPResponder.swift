import JSON
import JSONRPC

/// Shapes results for the generation a request belongs to: stateless-generation results carry
/// `resultType: "complete"` and the server's identity in `_meta`; session-based ones are sent as they are.
struct MCPResponder {
    let request: IncomingRequest
    let stateless: Bool
    let serverInfo: JSON

    func respond(_ result: JSON, forceStateless: Bool = false) {
        request.respond(stateless || forceStateless ? decorate(result) : result)
    }

    /// The request to hand to the backend; in the stateless generation its results are decorated on the way out.
    func wrapped() -> IncomingRequest {
        guard stateless else { return request }
        return request.transformingResults { [serverInfo, method = request.method] result in
            MCPResponder.decorate(result, method: method, serverInfo: serverInfo)
        }
    }

    private func decorate(_ result: JSON) -> JSON { Self.decorate(result, method: request.method, serverInfo: serverInfo) }

    /// Results the 2026-07-28 schema makes cacheable (`ttlMs` and `cacheScope` required).
    static let cacheableMethods: Set<String> = [
        "server/discover", "tools/list", "prompts/list", "resources/list", "resources/templates/list", "resources/read",
    ]

    static func decorate(_ result: JSON, method: String, serverInfo: JSON) -> JSON {
        guard var object = result.objectValue else { return result }
        if object["resultType"] == nil { object["resultType"] = "complete" }
        if cacheableMethods.contains(method) {
            // Lists change whenever a downstream server comes, goes or reports a change, so they are stale at once
            // (clients may re-fetch freely); they will differ per API key, hence private.
            if object["ttlMs"] == nil { object["ttlMs"] = 0 }
            if object["cacheScope"] == nil { object["cacheScope"] = "private" }
        }
        var meta = object["_meta"]?.objectValue ?? JSONObject()
        if meta[MCPVersion.metaServerInfo] == nil { meta[MCPVersion.metaServerInfo] = serverInfo }
        object["_meta"] = .object(meta)
        return .object(object)
    }
}
