import JSON

/// Protocol versions and the negotiation rules of both MCP generations.
public enum MCPVersion {
    /// The stateless generation: no `initialize`, version and capabilities travel in each request's `_meta`.
    public static let stateless = "2026-07-28"
    /// Session-based versions we speak, newest first.
    public static let sessionBased = ["2025-11-25", "2025-06-18", "2025-03-26"]
    /// Everything we accept, newest first.
    public static let all = [stateless] + sessionBased
    /// What we answer an `initialize` that asks for a version we do not know (the spec: reply with the latest we
    /// support, and the client decides).
    public static let latestSessionBased = sessionBased[0]

    /// The version to answer `initialize` with.
    public static func negotiate(requested: String?) -> String {
        guard let requested, sessionBased.contains(requested) else { return latestSessionBased }
        return requested
    }

    /// The `_meta` key carrying the per-request version in the stateless generation.
    public static let metaProtocolVersion = "io.modelcontextprotocol/protocolVersion"
    public static let metaClientInfo = "io.modelcontextprotocol/clientInfo"
    public static let metaClientCapabilities = "io.modelcontextprotocol/clientCapabilities"
    public static let metaServerInfo = "io.modelcontextprotocol/serverInfo"
    public static let metaSubscriptionID = "io.modelcontextprotocol/subscriptionId"
    public static let metaLogLevel = "io.modelcontextprotocol/logLevel"

    /// The per-request version a stateless-generation request declares, if any.
    public static func requestVersion(_ params: JSON?) -> String? {
        params?["_meta"]?[metaProtocolVersion]?.stringValue
    }
}

/// Error codes MCP adds to JSON-RPC's.
public enum MCPErrorCode {
    /// The requested protocol version is not supported (stateless generation).
    public static let unsupportedProtocolVersion = -32022
    /// An HTTP header disagrees with the body.
    public static let headerMismatch = -32020
    /// A resource that does not exist.
    public static let resourceNotFound = -32002
}
