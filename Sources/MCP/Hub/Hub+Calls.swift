import JSON
import JSONRPC

extension Hub {
    /// Routes `tools/call` for an exposed name to its server. Returns false when the name is not a downstream tool
    /// (the caller answers "unknown tool"). The result (`content`, `structuredContent`, `isError`) is passed back
    /// untouched; progress and cancellation flow through in both directions.
    public func callTool(_ exposed: String, arguments: JSON?, request: IncomingRequest) -> Bool {
        guard let (server, tool) = resolveTool(exposed) else { return false }
        var params: JSONObject = ["name": .string(tool)]
        if let arguments { params["arguments"] = arguments }
        forward("tools/call", params: params, server: server, request: request)
        return true
    }

    /// Routes `prompts/get`. Returns false for an unknown prompt name.
    public func getPrompt(_ exposed: String, arguments: JSON?, request: IncomingRequest) -> Bool {
        guard let (server, name) = promptTarget(exposed) else { return false }
        var params: JSONObject = ["name": .string(name)]
        if let arguments { params["arguments"] = arguments }
        forward("prompts/get", params: params, server: server, request: request)
        return true
    }

    /// Routes `resources/read` to the first server that listed the URI (or whose template matches it) among those
    /// for which `allows` holds.
    public func readResource(_ uri: String, request: IncomingRequest, allows: (String) -> Bool = { _ in true }) -> Bool {
        guard let server = resourceOwner(uri, allows: allows) else { return false }
        forward("resources/read", params: ["uri": .string(uri)], server: server, request: request)
        return true
    }

    /// Routes `completion/complete` for a namespaced prompt or a resource template. Returns false when the reference
    /// is not ours.
    public func complete(_ params: JSON, request: IncomingRequest, allows: (String) -> Bool = { _ in true }) -> Bool {
        guard var object = params.objectValue, var ref = object["ref"]?.objectValue else { return false }
        let server: String
        if ref["type"] == "ref/prompt", let name = ref["name"]?.stringValue, let target = promptTarget(name) {
            server = target.server
            ref["name"] = .string(target.name)
        } else if ref["type"] == "ref/resource", let uri = ref["uri"]?.stringValue,
            let owner = resourceOwner(uri, allows: allows)
        {
            server = owner
        } else {
            return false
        }
        object["ref"] = .object(ref)
        object["_meta"] = nil
        if let (client, _) = readyClient(server), !client.supports("completions") {
            // We advertise completions for every server; one without them simply has no suggestions.
            request.respond(["completion": ["values": [], "hasMore": false]])
            return true
        }
        forward("completion/complete", params: object, server: server, request: request)
        return true
    }

    private func forward(_ method: String, params: JSONObject, server: String, request: IncomingRequest) {
        guard let (client, config) = readyClient(server) else {
            request.fail(
                JSONRPCError(
                    code: JSONRPCError.requestFailedCode,
                    message: "downstream server \(server) is not ready (restarting or stopped); see servers_list"))
            return
        }
        let clientToken = request.progressToken
        let onProgress: ((JSON) -> Void)? = clientToken.map { token in
            { [weak request] progress in
                guard let request else { return }
                var params = progress.objectValue ?? JSONObject()
                params["progressToken"] = token
                request.notify(method: "notifications/progress", params: .object(params))
            }
        }
        let outgoing = client.request(
            method, params: .object(params), timeoutMilliseconds: config.timeoutMilliseconds,
            onProgress: onProgress
        ) { result in
            switch result {
            case .success(let value): request.respond(value)
            case .failure(let error): request.fail(error)
            }
        }
        request.onCancel = { [weak outgoing] reason in outgoing?.cancel(reason: reason ?? "cancelled by the client") }
    }
}
