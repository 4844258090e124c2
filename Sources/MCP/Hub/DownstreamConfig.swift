@_exported import Patterns

/// One downstream MCP server as registered in `servers.d/` (parsed by the gateway's config layer).
public struct DownstreamConfig: Equatable, Sendable {
    public enum Transport: Equatable, Sendable {
        /// A child process spoken to over stdio. `environment` holds only the configured variables (already
        /// expanded); the parent's environment is added at spawn.
        case stdio(command: String, arguments: [String], environment: [String: String], workingDirectory: String?)
        /// A remote server over Streamable HTTP.
        case http(url: String, headers: [String: String])
    }

    /// When a server that ended is started again.
    public enum RestartPolicy: String, Equatable, Sendable, CaseIterable {
        /// Always (an MCP server is not expected to exit while we are connected).
        case always
        /// Only when it failed (non-zero exit, signal, no answer); a clean exit 0 stays stopped.
        case onFailure = "on-failure"
        /// Never: a server that ended stays down until `servers_restart` or a config change.
        case never
    }

    public var name: String
    public var transport: Transport
    public var enabled: Bool
    /// Tool name globs (`*`, `?`) a tool must match to be exposed; empty allows all.
    public var allowTools: [String]
    /// Tool name globs that hide a tool even when allowed.
    public var denyTools: [String]
    /// Per-call timeout for `tools/call` and other requests.
    public var timeoutMilliseconds: UInt64
    /// Time allowed for the handshake and first lists.
    public var startupTimeoutMilliseconds: UInt64
    public var restartPolicy: RestartPolicy
    /// Path of the file it came from, for messages.
    public var sourceFile: String?

    public init(
        name: String, transport: Transport, enabled: Bool = true, allowTools: [String] = [], denyTools: [String] = [],
        timeoutMilliseconds: UInt64 = 60_000, startupTimeoutMilliseconds: UInt64 = 30_000,
        restartPolicy: RestartPolicy = .always, sourceFile: String? = nil
    ) {
        self.name = name
        self.transport = transport
        self.enabled = enabled
        self.allowTools = allowTools
        self.denyTools = denyTools
        self.timeoutMilliseconds = timeoutMilliseconds
        self.startupTimeoutMilliseconds = startupTimeoutMilliseconds
        self.restartPolicy = restartPolicy
        self.sourceFile = sourceFile
    }

    /// Whether the allow/deny lists expose `tool`.
    public func exposes(tool: String) -> Bool {
        if !allowTools.isEmpty, !allowTools.contains(where: { Glob.matches($0, tool) }) { return false }
        return !denyTools.contains(where: { Glob.matches($0, tool) })
    }

    /// The transport kind, for status output.
    public var transportKind: String {
        if case .http = transport { return "http" }
        return "stdio"
    }
}
