import Routing

/// Everything the gateway is configured with (from the command line and the environment).
public struct GatewayOptions: Sendable {
    /// Where downstream servers are registered.
    public var serversDirectory = "./servers.d"
    /// Serve MCP on our own stdin/stdout.
    public var stdio = false
    /// Serve Streamable HTTP at `/mcp` on this address (nil: no HTTP).
    public var listen: ListenAddress?
    /// Longest line accepted on stdio.
    public var maxLineBytes = 4 << 20
    /// Longest exposed tool name.
    public var maxToolNameLength = 64
    /// Largest HTTP request body (`/mcp` and the model APIs); more gets `413`. Images travel base64-encoded in
    /// chat requests, so this is several times a photo's size.
    public var maxBodyBytes = 32 << 20
    /// Extra `Origin`s allowed on HTTP besides loopback ones (e.g. `https://app.example`).
    public var allowedOrigins: [String] = []
    /// Health pings of ready downstream servers.
    public var pingIntervalMilliseconds: UInt64 = 30_000
    public var pingTimeoutMilliseconds: UInt64 = 10_000
    /// The environment used for `${VAR}` expansion and as the base of children's environments.
    public var environment: [String: String] = [:]
    /// The routing core's settings (`switchyard.json` or the environment); `nil` runs the gateway without model
    /// routing (no HTTP API, no model tools).
    public var routing: RoutingSettings?
    /// On SIGTERM/SIGINT, how long model calls in flight may run on before they are cancelled.
    public var shutdownGraceMilliseconds: UInt64 = 10_000
    /// How long the loop keeps polling for I/O before it sleeps (`EventLoop.run(spin:)`); zero sleeps at once.
    public var busyPoll: Duration = .microseconds(100)

    public init() {}
}

/// `host:port`, defaulting to loopback.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `127.0.0.1:8787`, `[::1]:8787`, `:8787` (loopback) or `8787`.
    public init?(parsing text: String) {
        var host = "127.0.0.1"
        var portText = text
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            portText = String(text[text.index(after: close)...].dropFirst())
        } else if let colon = text.lastIndex(of: ":") {
            let hostPart = String(text[..<colon])
            if !hostPart.isEmpty { host = hostPart == "localhost" ? "127.0.0.1" : hostPart }
            portText = String(text[text.index(after: colon)...])
        }
        guard let port = Int(portText), (0...65535).contains(port) else { return nil }
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
