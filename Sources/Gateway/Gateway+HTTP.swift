import HTTPServer
import JSON
import Logging
import Loop
import MCP

extension Gateway {
    /// Serves Streamable HTTP at `/mcp` (plus `/healthz`) on the configured address; loopback unless told otherwise.
    func startHTTP(_ address: ListenAddress) throws {
        let limits = HTTPServerLimits()
        let mcp = StreamableHTTPServerTransport(server: server, loop: loop, allowedOrigins: options.allowedOrigins,
                                                maxBodyBytes: limits.maxBodyBytes, logger: logger)
        let http = try HTTPServer(loop: loop, host: address.host, port: address.port, limits: limits) { request, response in
            switch request.path {
            case "/mcp", "/mcp/": mcp.handle(request, response)
            case "/healthz":
                response.respond(status: 200, headers: ["Content-Type": "application/json"], body: Array(#"{"status":"ok"}"#.utf8))
            default:
                response.respond(status: 404, headers: ["Content-Type": "text/plain; charset=utf-8"],
                                 body: Array("Not Found: \(request.path) (the MCP endpoint is /mcp)\n".utf8))
            }
        }
        http.onError = { [logger] message in logger.debug("http", metadata: ["detail": "\(message)"]) }
        logger.notice("serving MCP over Streamable HTTP", metadata: ["url": "http://\(ListenAddress(host: address.host, port: http.port))/mcp"])
        onShutdown { done in
            mcp.close()
            http.close(done)
        }
        boundPort = http.port
    }

    static func makeHTTPTransport(_ config: DownstreamConfig, loop: EventLoop, logger: Logger) throws -> MCPClientTransport {
        throw GatewayError(message: "HTTP downstream servers are not built yet")
    }
}

/// A startup failure with a message for the user.
public struct GatewayError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
