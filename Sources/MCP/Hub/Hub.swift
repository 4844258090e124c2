import JSON
import JSONRPC
import Logging
import Loop

/// The aggregator: runs every downstream server, exposes their tools, resources and prompts under one namespace,
/// and routes calls to the right one. One broken server never affects the others.
public final class Hub {
    private let loop: EventLoop
    private let scheduler: RPCScheduler
    private let logger: Logger
    private let clientInfo: JSON
    private let makeTransport: (DownstreamConfig) throws -> MCPClientTransport
    private var downstreams: [String: Downstream] = [:]
    private var toolNames = NameTable()
    private var promptNames = NameTable()
    private var exposedTools: [JSON] = []
    private var exposedPrompts: [JSON] = []
    private var exposedResources: [JSON] = []
    /// The server of each exposed prompt and resource, in the same order (for per-key filtering).
    private var promptServers: [String] = []
    private var resourceServers: [String] = []
    /// Every server listing each resource URI, in server-name order: the first one the caller may use serves it.
    private var resourceOwners: [String: [String]] = [:]
    private var pendingChanges = Set<MCPListKind>()
    /// Longest exposed tool name (clients accept 64; lower it when a client adds its own prefix).
    public let maxNameLength: Int
    /// Lists changed: tell every client.
    public var onListsChanged: ((Set<MCPListKind>) -> Void)?
    /// A downstream server sent a log message (`notifications/message` params), with the server's name.
    public var onLogMessage: ((_ server: String, _ params: JSON) -> Void)?
    /// The level clients want downstream logs at; every ready server that supports logging is told (now, and
    /// when it becomes ready). Nil leaves servers at their defaults.
    public var logLevel: String? {
        didSet { for downstream in downstreams.values { downstream.logLevel = logLevel } }
    }
    /// Health-ping settings applied to each downstream.
    public var pingIntervalMilliseconds: UInt64 = 30_000
    public var pingTimeoutMilliseconds: UInt64 = 10_000

    public init(
        loop: EventLoop, scheduler: RPCScheduler, clientInfo: JSON, maxNameLength: Int = ToolNamer.defaultMaxLength,
        logger: Logger, makeTransport: @escaping (DownstreamConfig) throws -> MCPClientTransport
    ) {
        self.loop = loop
        self.scheduler = scheduler
        self.clientInfo = clientInfo
        self.maxNameLength = maxNameLength
        self.logger = logger
        self.makeTransport = makeTransport
    }

    // MARK: Configuration

    /// Brings the running set in line with `configs`: new servers start (all at once, concurrently), changed ones
    /// restart, removed ones stop. Unchanged servers are not touched.
    public func apply(_ configs: [DownstreamConfig]) {
        let wanted = Dictionary(configs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for (name, downstream) in downstreams where wanted[name] != downstream.config {
            downstreams[name] = nil
            logger.info("stopping downstream server", metadata: ["server": "\(name)"])
            downstream.stop { downstream.closeTimers() }
        }
        for config in configs.sorted(by: { $0.name < $1.name }) where downstreams[config.name] == nil {
            let downstream = Downstream(
                config: config, loop: loop, scheduler: scheduler, clientInfo: clientInfo,
                logger: logger, makeTransport: makeTransport)
            downstream.pingInterval = pingIntervalMilliseconds
            downstream.pingTimeout = pingTimeoutMilliseconds
            downstream.onChange = { [weak self] kinds in self?.rebuild(kinds) }
            let name = config.name
            downstream.onLog = { [weak self] params in self?.onLogMessage?(name, params) }
            downstream.logLevel = logLevel
            downstreams[config.name] = downstream
            logger.info(
                "starting downstream server", metadata: ["server": "\(config.name)", "transport": "\(config.transportKind)"])
            downstream.start()
        }
        rebuild(Set(MCPListKind.allCases))
    }

    /// Restarts one server now (resetting its backoff). Returns false when no such server exists.
    @discardableResult
    public func restart(_ name: String) -> Bool {
        guard let downstream = downstreams[name] else { return false }
        downstream.start(manual: true)
        return true
    }

    /// Stops every server (children: stdin closed, SIGTERM, SIGKILL) and calls `completion` when all are down.
    public func stopAll(_ completion: @escaping () -> Void) {
        let all = Array(downstreams.values)
        downstreams.removeAll()
        guard !all.isEmpty else { completion(); return }
        var remaining = all.count
        for downstream in all {
            downstream.stop {
                downstream.closeTimers()
                remaining -= 1
                if remaining == 0 { completion() }
            }
        }
    }

    /// The status of every configured server, sorted by name.
    public var statuses: [DownstreamStatus] {
        downstreams.values.sorted { $0.config.name < $1.config.name }.map { downstream in
            DownstreamStatus(
                name: downstream.config.name, phase: downstream.phase, transport: downstream.config.transportKind,
                toolCount: downstream.tools.filter { downstream.config.exposes(tool: $0["name"]?.stringValue ?? "") }.count,
                restarts: downstream.restarts, lastError: downstream.lastError,
                retryInMilliseconds: downstream.nextRetryDelay,
                pid: (downstream.client?.transport as? ChildProcessTransport)?.pid,
                serverInfo: downstream.client?.serverInfo, sourceFile: downstream.config.sourceFile)
        }
    }

    // MARK: Lists

    /// Every exposed tool, namespaced.
    public var tools: [JSON] { exposedTools }
    public var prompts: [JSON] { exposedPrompts }
    public var resources: [JSON] { resources(visibleTo: { _ in true }) }
    public var resourceTemplates: [JSON] { resourceTemplates(visibleTo: { _ in true }) }

    /// The exposed prompts of the servers for which `allows` holds.
    public func prompts(visibleTo allows: (String) -> Bool) -> [JSON] {
        zip(exposedPrompts, promptServers).filter { allows($0.1) }.map(\.0)
    }

    /// The exposed resources of the servers for which `allows` holds. A URI listed by several servers appears
    /// once, from the first of them the caller may use (the one `resources/read` goes to).
    public func resources(visibleTo allows: (String) -> Bool) -> [JSON] {
        var seen = Set<String>()
        return zip(exposedResources, resourceServers).filter { resource, server in
            guard allows(server), let uri = resource["uri"]?.stringValue else { return false }
            return seen.insert(uri).inserted
        }.map(\.0)
    }

    /// The resource templates of the servers for which `allows` holds, named `<server>__<name>` like resources. A
    /// URI template listed by several servers appears once, from the first of them (the one its reads go to).
    public func resourceTemplates(visibleTo allows: (String) -> Bool) -> [JSON] {
        var seen = Set<String>()
        var exposed: [JSON] = []
        for server in downstreams.keys.sorted() where allows(server) {
            for template in downstreams[server]!.resourceTemplates {
                guard let uri = template["uriTemplate"]?.stringValue, seen.insert(uri).inserted else { continue }
                var entry = template
                if let original = template["name"]?.stringValue { entry["name"] = .string("\(server)__\(original)") }
                exposed.append(entry)
            }
        }
        return exposed
    }

    /// The server behind an exposed prompt name.
    public func server(ofPrompt exposed: String) -> String? { promptTarget(exposed)?.server }

    /// The server a `resources/read` of `uri` goes to, among those for which `allows` holds.
    public func server(ofResource uri: String, allows: (String) -> Bool = { _ in true }) -> String? {
        resourceOwner(uri, allows: allows)
    }

    private func rebuild(_ kinds: Set<MCPListKind>) {
        var tools: [JSON] = [], prompts: [JSON] = [], resources: [JSON] = []
        var promptOwners: [String] = [], resourceOwnerList: [String] = []
        var toolTable = NameTable(), promptTable = NameTable()
        var owners: [String: [String]] = [:]
        for name in downstreams.keys.sorted() {
            let downstream = downstreams[name]!
            let serverTitle = downstream.client?.serverInfo?["name"]?.stringValue ?? name
            for tool in downstream.tools.sorted(by: Self.byName) {
                guard let original = tool["name"]?.stringValue, downstream.config.exposes(tool: original) else { continue }
                var exposed = tool
                exposed["name"] = .string(toolTable.register(server: name, name: original, maxLength: maxNameLength))
                if exposed["title"] == nil { exposed["title"] = .string("\(original) (\(name))") }
                tools.append(exposed)
            }
            for prompt in downstream.prompts.sorted(by: Self.byName) {
                guard let original = prompt["name"]?.stringValue else { continue }
                var exposed = prompt
                exposed["name"] = .string(promptTable.register(server: name, name: original, maxLength: maxNameLength))
                prompts.append(exposed)
                promptOwners.append(name)
            }
            for resource in downstream.resources {
                guard let uri = resource["uri"]?.stringValue, owners[uri]?.contains(name) != true else { continue }
                owners[uri, default: []].append(name)
                var exposed = resource
                if let original = resource["name"]?.stringValue { exposed["name"] = .string("\(name)__\(original)") }
                if exposed["description"] == nil { exposed["description"] = .string("from \(serverTitle)") }
                resources.append(exposed)
                resourceOwnerList.append(name)
            }
        }
        let changed = kinds.filter { kind in
            switch kind {
            case .tools: return tools != exposedTools
            case .prompts: return prompts != exposedPrompts
            case .resources: return resources != exposedResources
            }
        }
        exposedTools = tools; exposedPrompts = prompts; exposedResources = resources
        toolNames = toolTable; promptNames = promptTable; resourceOwners = owners
        promptServers = promptOwners; resourceServers = resourceOwnerList
        guard !changed.isEmpty else { return }
        // Coalesce: several servers settling in one turn produce one notification per list, not one each.
        let wasIdle = pendingChanges.isEmpty
        pendingChanges.formUnion(changed)
        guard wasIdle else { return }
        loop.execute { [weak self] in
            guard let self, !self.pendingChanges.isEmpty else { return }
            let kinds = self.pendingChanges
            self.pendingChanges = []
            self.onListsChanged?(kinds)
        }
    }

    private static func byName(_ a: JSON, _ b: JSON) -> Bool {
        (a["name"]?.stringValue ?? "") < (b["name"]?.stringValue ?? "")
    }

    // MARK: Routing

    /// The downstream (server, original name) behind an exposed tool name.
    public func resolveTool(_ exposed: String) -> (server: String, tool: String)? {
        toolNames.lookup(exposed).map { ($0.server, $0.name) }
    }

    func readyClient(_ server: String) -> (MCPClient, DownstreamConfig)? {
        guard let downstream = downstreams[server], downstream.isReady, let client = downstream.client else { return nil }
        return (client, downstream.config)
    }

    func promptTarget(_ exposed: String) -> (server: String, name: String)? { promptNames.lookup(exposed) }

    func resourceOwner(_ uri: String, allows: (String) -> Bool) -> String? {
        if let owner = resourceOwners[uri]?.first(where: allows) { return owner }
        // Not listed: match a template's fixed prefix (the part before its first `{`).
        for name in downstreams.keys.sorted() where allows(name) {
            for template in downstreams[name]!.resourceTemplates {
                guard let pattern = template["uriTemplate"]?.stringValue else { continue }
                let prefix = pattern.prefix { $0 != "{" }
                if !prefix.isEmpty, uri.hasPrefix(prefix) { return name }
            }
        }
        return nil
    }
}

/// What `servers_list` reports about one downstream server.
public struct DownstreamStatus: Sendable {
    public let name: String
    public let phase: DownstreamPhase
    public let transport: String
    public let toolCount: Int
    public let restarts: Int
    public let lastError: String?
    public let retryInMilliseconds: UInt64?
    public let pid: Int32?
    public let serverInfo: JSON?
    public let sourceFile: String?

    public var json: JSON {
        var object: JSONObject = [
            "name": .string(name), "state": .string(phase.rawValue), "transport": .string(transport),
            "tools": .int(Int64(toolCount)), "restarts": .int(Int64(restarts)),
            "last_error": lastError.map(JSON.string) ?? .null,
        ]
        if let retryInMilliseconds { object["retry_in_ms"] = .int(Int64(retryInMilliseconds)) }
        if let pid { object["pid"] = .int(Int64(pid)) }
        if let serverInfo { object["server_info"] = serverInfo }
        if let sourceFile { object["file"] = .string(sourceFile) }
        return .object(object)
    }
}
