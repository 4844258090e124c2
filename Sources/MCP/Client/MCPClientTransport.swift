import JSONRPC

/// The client side of a connection to a downstream MCP server (a child process over stdio, or a remote server over
/// Streamable HTTP). Loop-confined.
public protocol MCPClientTransport: AnyObject {
    /// Each message received from the server.
    var onMessage: ((JSONRPCMessage) -> Void)? { get set }
    /// Runs once when the connection ended (child exited, stream failed): the reason is shown to users.
    var onClose: ((String) -> Void)? { get set }
    /// Diagnostics worth showing in `servers_list` (e.g. garbage on a child's stdout); not fatal.
    var onDiagnostic: ((String) -> Void)? { get set }
    /// Starts the connection (spawns the child, …).
    func start() throws
    /// Sends one message.
    func send(_ message: JSONRPCMessage)
    /// Stops: for a child, closes its stdin, then SIGTERM, then SIGKILL; `completion` runs when everything is closed.
    func stop(_ completion: @escaping () -> Void)
    /// The server's own session id (HTTP) after the handshake sets it.
    func setProtocolVersion(_ version: String)
}
