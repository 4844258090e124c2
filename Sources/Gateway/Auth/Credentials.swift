import HTTPServer
import Logging
import Routing

/// Reading and checking the caller's key on HTTP requests, the same way on every route.
enum Credentials {
    /// The secret sent as `Authorization: Bearer …` (what the OpenAI SDKs and MCP clients send), `x-api-key`
    /// (Anthropic SDKs) or `x-goog-api-key` (Gemini SDKs).
    static func secret(in request: HTTPRequest) -> String? {
        if let authorization = request.headers["Authorization"] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { return String(parts[1]).trimmingSpaces }
            return nil
        }
        return request.headers["x-api-key"] ?? request.headers["x-goog-api-key"]
    }

    /// Checks the request's key. A refusal is logged with the client's address and the path — never the key — so
    /// an operator can see who is knocking with a wrong or revoked key.
    static func authenticate(
        _ request: HTTPRequest, _ governor: Governor, secret: String? = nil,
        logger: Logger
    ) -> Result<Principal, RoutingError> {
        let result = governor.authenticate(secret ?? Self.secret(in: request))
        if case .failure(let error) = result {
            logger.info(
                "refused a request",
                metadata: [
                    "status": "\(error.status)", "reason": "\(error.code)", "path": "\(request.path)",
                    "client": "\(request.remoteAddress ?? "unknown")",
                ])
        }
        return result
    }

    /// The session identity stored by transports for a principal.
    static func identity(of principal: Principal) -> String {
        switch principal {
        case .open: "open"
        case .admin: "admin"
        case .key(let key): "key:\(key.id)"
        }
    }

    /// The principal for a stored identity, looked up afresh (nil when the key was revoked, disabled or expired
    /// since).
    static func principal(identity: String?, governor: Governor?) -> Principal? {
        guard let governor, governor.isGoverned else { return .open }
        switch identity {
        case "admin": return .admin
        case let text? where text.hasPrefix("key:"):
            guard let key = governor.key(id: String(text.dropFirst(4))), governor.refusal(of: key) == nil else { return nil }
            return .key(key)
        default: return nil
        }
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
