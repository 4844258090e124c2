import JSON
import MCP
import Patterns

/// A problem in a `servers.d` file, naming the file and the field.
public struct ConfigIssue: Error, Equatable, Sendable, CustomStringConvertible {
    public let file: String
    public let field: String?
    public let message: String

    public init(file: String, field: String?, message: String) {
        self.file = file
        self.field = field
        self.message = message
    }

    public var description: String {
        field.map { "\(file): \($0): \(message)" } ?? "\(file): \(message)"
    }
}

/// Turns one server entry (a JSON object) into a `DownstreamConfig`, validating every field.
public struct ServerEntryParser {
    public let expansion: EnvironmentExpansion

    public init(environment: [String: String]) {
        expansion = EnvironmentExpansion(environment: environment)
    }

    /// Keys other tools (Claude Desktop, Cursor, Cline, VS Code) write that we accept and ignore.
    static let foreignKeys: Set<String> = [
        "autoApprove", "alwaysAllow", "description", "transportType", "timeout", "note", "$schema",
    ]
    static let knownKeys: Set<String> = [
        "type", "command", "args", "env", "cwd", "url", "headers", "enabled", "disabled",
        "tools", "timeout_ms", "startup_timeout_ms", "restart",
    ]

    /// Parses `entry` for server `name`; `field` prefixes field names in errors (e.g. `mcpServers.git`).
    public func parse(name: String, entry: JSON, file: String, fieldPrefix: String = "") throws(ConfigIssue)
        -> DownstreamConfig
    {
        func issue(_ field: String?, _ message: String) -> ConfigIssue {
            ConfigIssue(
                file: file,
                field: field.map { fieldPrefix + $0 } ?? (fieldPrefix.isEmpty ? nil : String(fieldPrefix.dropLast())),
                message: message)
        }
        guard ToolNamer.validServerName(name) else {
            throw issue(
                nil,
                "server name \"\(name)\" is invalid: use 1 to 64 printable characters without \"/\" (letters, digits, - and _ keep tool names readable)"
            )
        }
        guard let object = entry.objectValue else { throw issue(nil, "a server entry must be a JSON object") }
        for key in object.keys where !Self.knownKeys.contains(key) && !Self.foreignKeys.contains(key) {
            throw issue(key, "unknown field (expected one of: \(Self.knownKeys.sorted().joined(separator: ", ")))")
        }
        let fields = FieldReader(object: object, expansion: expansion, issue: issue)
        let type = try fields.string("type")?.lowercased()
        let transport: DownstreamConfig.Transport
        switch (type, object["command"] != nil, object["url"] != nil) {
        case (_, true, true):
            throw issue("url", "give either \"command\" (a stdio server) or \"url\" (an HTTP server), not both")
        case ("sse", _, _):
            throw issue(
                "type",
                "the legacy HTTP+SSE transport is not supported; use the server's Streamable HTTP endpoint with \"type\": \"http\""
            )
        case (let kind?, _, _) where !["stdio", "http", "streamable-http", "streamablehttp"].contains(kind):
            throw issue("type", "unknown type \"\(kind)\" (expected \"stdio\" or \"http\")")
        case (_, true, false):
            guard let command = try fields.string("command", expand: true), !command.isEmpty else {
                throw issue("command", "must be a non-empty string")
            }
            transport = .stdio(
                command: command, arguments: try fields.strings("args") ?? [],
                environment: try fields.stringMap("env") ?? [:], workingDirectory: try fields.string("cwd", expand: true))
        case (_, false, true):
            guard let url = try fields.string("url", expand: true), url.hasPrefix("http://") || url.hasPrefix("https://")
            else {
                throw issue("url", "must be an http:// or https:// URL")
            }
            let headers = try fields.stringMap("headers") ?? [:]
            for name in headers.keys.sorted() where !HeaderName.isValid(name) {
                throw issue("headers.\(name)", "is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~)")
            }
            transport = .http(url: url, headers: headers)
        default:
            throw issue(nil, "needs \"command\" (a stdio server) or \"url\" (an HTTP server)")
        }
        var config = DownstreamConfig(name: name, transport: transport, sourceFile: file)
        if let enabled = try fields.bool("enabled") { config.enabled = enabled }
        if let disabled = try fields.bool("disabled") { config.enabled = config.enabled && !disabled }
        if let tools = object["tools"] {
            guard let toolsObject = tools.objectValue else {
                throw issue("tools", "must be an object with \"allow\" and/or \"deny\" glob lists")
            }
            let toolFields = FieldReader(object: toolsObject, expansion: expansion) { field, message in
                issue("tools.\(field ?? "")", message)
            }
            config.allowTools = try toolFields.strings("allow", expand: false) ?? []
            config.denyTools = try toolFields.strings("deny", expand: false) ?? []
        }
        if let timeout = try fields.milliseconds("timeout_ms") {
            config.timeoutMilliseconds = timeout
            // A server given a short call timeout gets no longer to start, unless startup_timeout_ms says otherwise.
            config.startupTimeoutMilliseconds = min(config.startupTimeoutMilliseconds, timeout)
        }
        if let timeout = try fields.milliseconds("startup_timeout_ms") { config.startupTimeoutMilliseconds = timeout }
        if let restart = object["restart"] {
            let policyName = restart.stringValue ?? restart["policy"]?.stringValue
            guard let policyName, let policy = DownstreamConfig.RestartPolicy(rawValue: policyName) else {
                throw issue("restart", "must be one of \"always\", \"on-failure\", \"never\" (or {\"policy\": …})")
            }
            config.restartPolicy = policy
        }
        return config
    }
}
