import HTTPServer

/// CORS for browser pages on an allowed origin (loopback pages always, others with `--allow-origin`): their
/// preflights are answered, and every response to them says the page may read it and which of our headers it may
/// see. Pages on other origins get no CORS headers (the routes refuse their requests with 403), so a browser never
/// lets a foreign page read an answer.
enum CrossOrigin {
    /// Response headers a page needs: the MCP session, retry hints, and Switchyard's routing and budget headers.
    static let exposedHeaders = [
        "Mcp-Session-Id", "MCP-Protocol-Version", "Retry-After", "WWW-Authenticate", "X-Switchyard-Model",
        "X-Switchyard-Generation-Id", "X-Switchyard-Budget-Remaining",
    ].joined(separator: ", ")
    /// Request headers allowed when a preflight does not list the ones it wants.
    static let allowedHeaders = [
        "Authorization", "Content-Type", "Accept", "Mcp-Session-Id", "MCP-Protocol-Version", "Last-Event-ID",
        "X-Api-Key", "Anthropic-Version", "Anthropic-Beta", "X-Goog-Api-Key",
    ].joined(separator: ", ")
    static let allowedMethods = "GET, POST, PATCH, DELETE, OPTIONS"

    /// Answers a preflight (true: the request is done) or marks the response of an allowed page's request with
    /// the CORS headers it needs (false: route it as usual).
    static func handle(_ request: HTTPRequest, _ response: HTTPResponseWriter, origins: OriginPolicy) -> Bool {
        guard let origin = request.headers["Origin"] else { return false }
        let isPreflight = request.method == "OPTIONS" && request.headers["Access-Control-Request-Method"] != nil
        guard origins.allows(origin) else {
            guard isPreflight else { return false }
            response.respond(
                status: 403, headers: ["Content-Type": "text/plain; charset=utf-8"],
                body: Array("Origin \(origin) is not allowed (start switchyard with --allow-origin \(origin))\n".utf8))
            return true
        }
        var headers: HTTPHeaders = ["Access-Control-Allow-Origin": origin, "Vary": "Origin"]
        guard isPreflight else {
            headers.set("Access-Control-Expose-Headers", exposedHeaders)
            response.extraHeaders = headers
            return false
        }
        headers.set("Access-Control-Allow-Methods", allowedMethods)
        headers.set("Access-Control-Allow-Headers", request.headers["Access-Control-Request-Headers"] ?? allowedHeaders)
        headers.set("Access-Control-Max-Age", "600")
        response.respond(status: 204, headers: headers)
        return true
    }
}
