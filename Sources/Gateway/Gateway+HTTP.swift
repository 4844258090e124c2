import Logging
import Loop
import MCP

extension Gateway {
    func startHTTP() throws {
        throw GatewayError(message: "HTTP serving is not built yet")
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
