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
        return request.transformingResults { [serverInfo] result in MCPResponder.decorate(result, serverInfo: serverInfo) }
    }

    private func decorate(_ result: JSON) -> JSON { Self.decorate(result, serverInfo: serverInfo) }

    static func decorate(_ result: JSON, serverInfo: JSON) -> JSON {
        guard var object = result.objectValue else { return result }
        if object["resultType"] == nil { object["resultType"] = "complete" }
        var meta = object["_meta"]?.objectValue ?? JSONObject()
        if meta[MCPVersion.metaServerInfo] == nil { meta[MCPVersion.metaServerInfo] = serverInfo }
        object["_meta"] = .object(meta)
        return .object(object)
    }
}
