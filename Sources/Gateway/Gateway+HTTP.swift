import HTTPClient
import HTTPServer
import JSON
import Logging
import Loop
import MCP

extension Gateway {
    /// Serves Streamable HTTP at `/mcp` (plus `/healthz`) on the configured address; loopback unless told otherwise.
    func startHTTP(_ address: ListenAddress) throws {
        var limits = HTTPServerLimits(maxBodyBytes: options.maxBodyBytes)
        limits.bodyLimitHint = "switchyard serve --max-body-mb raises it"
        let mcp = StreamableHTTPServerTransport(
            server: server, loop: loop, allowedOrigins: options.allowedOrigins,
            maxBodyBytes: limits.maxBodyBytes, logger: logger)
        let api = models.map { OpenAIRoutes(services: $0, maxBodyBytes: limits.maxBodyBytes) }
        if let governor = models?.governor, governor.isGoverned {
            // MCP over HTTP: the bearer token is checked on every request, so a revoked key stops at once.
            mcp.authenticate = { [logger] request in
                switch Credentials.authenticate(request, governor, logger: logger) {
                case .success(let principal): .success(Credentials.identity(of: principal))
                case .failure(let error): .failure(HTTPAuthFailure(status: error.status, message: error.message))
                }
            }
        }
        let origins = OriginPolicy(allowed: options.allowedOrigins)
        let faces = models.map { FaceDependencies(services: $0, origins: origins, maxBodyBytes: limits.maxBodyBytes) }
        let anthropic = faces.map(AnthropicRoutes.init)
        let gemini = faces.map(GeminiRoutes.init)
        let http = try HTTPServer(loop: loop, host: address.host, port: address.port, limits: limits) { request, response in
            if CrossOrigin.handle(request, response, origins: origins) { return }
            // The Anthropic and Gemini faces first: `/v1/messages` lies under the OpenAI face's prefix too.
            if let anthropic, anthropic.handle(request, response) { return }
            if let gemini, gemini.handle(request, response) { return }
            if let api, OpenAIRoutes.route(request.path) != nil || request.path.hasPrefix("/prod/") {
                if let refusal = APIGate.originRefusal(request, origins) { return APIReply.error(response, refusal) }
                if request.path.hasPrefix("/prod/") { return api.prod(request, response) }
                _ = api.handle(request, response)
                return
            }
            switch request.path {
            case "/mcp", "/mcp/": mcp.handle(request, response)
            case "/healthz":
                response.respond(
                    status: 200, headers: ["Content-Type": "application/json"], body: Array(#"{"status":"ok"}"#.utf8))
            default:
                response.respond(
                    status: 404, headers: ["Content-Type": "text/plain; charset=utf-8"],
                    body: Array("Not Found: \(request.path) (the MCP endpoint is /mcp)\n".utf8))
            }
        }
        http.onError = { [logger] message in logger.debug("http", metadata: ["detail": "\(message)"]) }
        logger.notice(
            "serving MCP over Streamable HTTP",
            metadata: ["url": "http://\(ListenAddress(host: address.host, port: http.port))/mcp"])
        onShutdown { done in
            mcp.close()
            // Graceful: API responses in progress finish while their model calls drain (see Gateway.shutdown).
            http.close(graceful: true, done)
        }
        boundPort = http.port
    }

    /// A remote server over Streamable HTTP, on the gateway's shared outbound client.
    static func makeHTTPTransport(_ config: DownstreamConfig, httpClient: SharedHTTPClient, logger: Logger) throws
        -> MCPClientTransport
    {
        guard case let .http(url, headers) = config.transport else {
            throw GatewayError(message: "server \(config.name) is not an HTTP server")
        }
        return StreamableHTTPClientTransport(client: try httpClient.client(), url: url, headers: headers, logger: logger)
    }
}

/// The gateway's one outbound `HTTPClient` (one libcurl multi handle, so connections are reused), made on first use:
/// most setups have no HTTP downstream servers. Loop-confined.
final class SharedHTTPClient {
    let loop: EventLoop
    private var shared: HTTPClient?
    private var closed = false

    init(loop: EventLoop) {
        self.loop = loop
    }

    /// The client, created now if needed; throws once `close` was called or when curl cannot start.
    func client() throws -> HTTPClient {
        if let shared { return shared }
        guard !closed else { throw GatewayError(message: "Switchyard is shutting down") }
        let made = try HTTPClient(loop: loop)
        shared = made
        return made
    }

    /// Closes the client (cancelling what is left in flight); `completion` runs once its handles are closed.
    func close(_ completion: @escaping () -> Void) {
        closed = true
        guard let shared else { return completion() }
        self.shared = nil
        shared.close(completion)
    }
}

/// A startup failure with a message for the user.
public struct GatewayError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
