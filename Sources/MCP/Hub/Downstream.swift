import JSON
import JSONRPC
import Logging
import Loop

/// Drives one downstream server through `DownstreamStateMachine`: connects, reads its lists, watches it, and
/// restarts it with backoff. The Hub reads its lists and routes calls to its `client`.
final class Downstream {
    let config: DownstreamConfig
    private let loop: EventLoop
    private let scheduler: RPCScheduler
    private let makeTransport: (DownstreamConfig) throws -> MCPClientTransport
    private let logger: Logger
    private let clientInfo: JSON
    private var machine: DownstreamStateMachine
    private(set) var client: MCPClient?
    private var retryTimer: Timer?
    private var stableTimer: Timer?
    private var pingTimer: Timer?
    /// A health ping is waiting for its answer.
    private var pinging = false
    private var generation = 0
    private(set) var tools: [JSON] = []
    private(set) var resources: [JSON] = []
    private(set) var resourceTemplates: [JSON] = []
    private(set) var prompts: [JSON] = []
    private(set) var diagnostic: String?
    /// The lists changed (or the server came or went): the Hub rebuilds and tells clients.
    var onChange: ((Set<MCPListKind>) -> Void)?
    /// A log message the server sent (`notifications/message` params).
    var onLog: ((JSON) -> Void)?
    /// The level our clients want logs at (`logging/setLevel`), sent to the server whenever it is ready.
    var logLevel: String? {
        didSet { if logLevel != oldValue { sendLogLevel() } }
    }
    /// Interval of health pings on a ready server; a ping unanswered within `pingTimeout` kills the connection.
    var pingInterval: UInt64 = 30_000
    var pingTimeout: UInt64 = 10_000

    init(
        config: DownstreamConfig, loop: EventLoop, scheduler: RPCScheduler, clientInfo: JSON, logger: Logger,
        makeTransport: @escaping (DownstreamConfig) throws -> MCPClientTransport
    ) {
        self.config = config
        self.loop = loop
        self.scheduler = scheduler
        self.clientInfo = clientInfo
        self.makeTransport = makeTransport
        var logger = logger
        logger[metadataKey: "server"] = "\(config.name)"
        self.logger = logger
        machine = DownstreamStateMachine(policy: config.restartPolicy, enabled: config.enabled)
    }

    var phase: DownstreamPhase { machine.phase }
    var restarts: Int { machine.restarts }
    var lastError: String? { machine.lastError ?? diagnostic }
    var nextRetryDelay: UInt64? { machine.nextRetryDelay }
    var isReady: Bool { machine.phase == .ready && client != nil }

    func start(manual: Bool = false) {
        if manual, client != nil {
            // A manual restart of a live server: tear it down first, then connect again.
            teardown(reason: "restarted by request") { [weak self] in
                self?.perform(self?.machine.start(manual: true) ?? .none)
            }
            return
        }
        perform(machine.start(manual: manual))
    }

    func stop(_ completion: @escaping () -> Void) {
        let action = machine.stop()
        retryTimer?.close(); retryTimer = nil
        if action == .disconnect || client != nil {
            teardown(reason: "server \(config.name) was stopped", completion)
        } else {
            completion()
        }
    }

    private func perform(_ action: DownstreamStateMachine.Action) {
        switch action {
        case .connect: connect()
        case .scheduleRetry(let delay):
            teardown(reason: machine.lastError ?? "connection ended") {}
            logger.warning(
                "downstream server ended; restarting",
                metadata: ["reason": "\(machine.lastError ?? "")", "retry_ms": "\(delay)"])
            scheduleRetry(after: delay)
        case .disconnect:
            teardown(reason: machine.lastError ?? "stopped") {}
        case .armStableTimer:
            arm(&stableTimer, after: DownstreamStateMachine.stableAfter) { [weak self] in self?.machine.stable() }
            schedulePing()
        case .none: break
        }
    }

    private func connect() {
        generation += 1
        pinging = false
        let current = generation
        diagnostic = nil
        let transport: MCPClientTransport
        do {
            transport = try makeTransport(config)
        } catch {
            perform(machine.failed("cannot create transport: \(error)"))
            return
        }
        let client = MCPClient(
            transport: transport, scheduler: scheduler, clientInfo: clientInfo,
            label: "downstream server \(config.name)", logger: logger)
        self.client = client
        transport.onDiagnostic = { [weak self] text in
            self?.diagnostic = text
            self?.logger.warning("downstream diagnostic", metadata: ["detail": "\(text)"])
        }
        // A remote server that stops answering is checked at once, not at the next regular ping: its calls fail
        // until it is known to be down and restarted.
        (transport as? StreamableHTTPClientTransport)?.onConnectionFailed = { [weak self] in
            guard let self, self.generation == current else { return }
            self.ping()
        }
        client.onClose = { [weak self] reason in
            guard let self, self.generation == current else { return }
            self.perform(self.machine.failed(reason, clean: reason.hasSuffix("exited with status 0")))
        }
        client.onNotification = { [weak self] method, params in self?.notification(method, params) }
        client.connect(timeoutMilliseconds: config.startupTimeoutMilliseconds) { [weak self] result in
            guard let self, self.generation == current else { return }
            switch result {
            case .failure(let error): self.perform(self.machine.failed(error.message))
            case .success: self.refresh(MCPListKind.allCases, initial: true)
            }
        }
    }

    /// Re-reads the given lists; on the first read the server becomes ready.
    private func refresh(_ kinds: [MCPListKind], initial: Bool = false) {
        guard let client else { return }
        let current = generation
        var remaining = kinds.count
        var changed = Set<MCPListKind>()
        var failure: String?
        for kind in kinds {
            let (method, key) = Self.listMethod(kind)
            let finish: (Result<[JSON], JSONRPCError>) -> Void = { [weak self] result in
                guard let self, self.generation == current else { return }
                switch result {
                case .success(let items): self.store(kind, items); changed.insert(kind)
                case .failure(let error): failure = "\(method) failed: \(error.message)"
                }
                remaining -= 1
                guard remaining == 0 else { return }
                if initial, let failure, !changed.contains(.tools) {
                    self.perform(self.machine.failed(failure))
                    return
                }
                if initial {
                    self.perform(self.machine.connected())
                    self.sendLogLevel()
                }
                self.onChange?(initial ? Set(MCPListKind.allCases) : changed)
            }
            guard kind == .tools || client.supports(kind.rawValue) else {
                finish(.success([]))
                continue
            }
            client.listAll(method, key: key, timeoutMilliseconds: config.startupTimeoutMilliseconds, completion: finish)
        }
    }

    private func store(_ kind: MCPListKind, _ items: [JSON]) {
        switch kind {
        case .tools: tools = checked("tool", items)
        case .prompts: prompts = checked("prompt", items)
        case .resources:
            resources = checked("resource", items)
            readTemplates()
        }
    }

    /// The entries a client's SDK will accept; the others are reported (log and `servers_list`) and left out.
    private func checked(_ kind: String, _ items: [JSON]) -> [JSON] {
        let (kept, dropped) = ListEntryCheck.checked(kind, items)
        if !dropped.isEmpty {
            let text =
                "left out \(dropped.count) invalid \(kind) entr\(dropped.count == 1 ? "y" : "ies"): "
                + dropped.prefix(5).joined(separator: "; ") + (dropped.count > 5 ? "; …" : "")
            diagnostic = text
            logger.warning("downstream list entries left out", metadata: ["detail": "\(text)"])
        }
        return kept
    }

    private func notification(_ method: String, _ params: JSON?) {
        switch method {
        case "notifications/tools/list_changed": refresh([.tools])
        case "notifications/prompts/list_changed": refresh([.prompts])
        case "notifications/resources/list_changed": refresh([.resources])
        case "notifications/message": if let params { onLog?(params) }
        default: logger.debug("downstream notification", metadata: ["method": "\(method)"])
        }
    }

    /// Tells a ready server that supports logging the level our clients asked for. A server that refuses is only
    /// noted: it keeps sending what it sends by default.
    private func sendLogLevel() {
        guard let logLevel, isReady, let client, client.supports("logging") else { return }
        client.request(
            "logging/setLevel", params: ["level": .string(logLevel)], timeoutMilliseconds: config.timeoutMilliseconds
        ) {
            [logger, name = config.name] result in
            if case .failure(let error) = result {
                logger.info(
                    "downstream server refused logging/setLevel",
                    metadata: ["server": "\(name)", "error": "\(error.message)"])
            }
        }
    }

    static func listMethod(_ kind: MCPListKind) -> (String, String) {
        switch kind {
        case .tools: return ("tools/list", "tools")
        case .prompts: return ("prompts/list", "prompts")
        case .resources: return ("resources/list", "resources")
        }
    }

    /// Reads resource templates alongside resources (they change with the resource list).
    private func readTemplates() {
        guard let client, client.supports("resources") else { resourceTemplates = []; return }
        let current = generation
        client.listAll(
            "resources/templates/list", key: "resourceTemplates", timeoutMilliseconds: config.startupTimeoutMilliseconds
        ) { [weak self] result in
            guard let self, self.generation == current, case .success(let items) = result else { return }
            self.resourceTemplates = self.checked("resource template", items)
        }
    }

    private func schedulePing() {
        arm(&pingTimer, after: pingInterval) { [weak self] in self?.ping() }
    }

    /// Pings the server now (the next regular ping is re-armed after the answer): a failure restarts it.
    private func ping() {
        let current = generation
        guard !pinging, let client, isReady else { return }
        pinging = true
        client.request("ping", params: nil, timeoutMilliseconds: pingTimeout) { [weak self] result in
            guard let self, self.generation == current else { return }
            self.pinging = false
            if case .failure(let error) = result {
                self.perform(self.machine.failed("health ping failed: \(error.message)"))
            } else {
                self.schedulePing()
            }
        }
    }

    private func scheduleRetry(after delay: UInt64) {
        arm(&retryTimer, after: delay) { [weak self] in
            guard let self else { return }
            self.perform(self.machine.retry())
        }
    }

    private func arm(_ timer: inout Timer?, after delay: UInt64, _ body: @escaping () -> Void) {
        do {
            if timer == nil { timer = try Timer(loop: loop) }
            timer?.start(after: delay, body)
        } catch {
            logger.error("cannot arm timer", metadata: ["error": "\(error)"])
        }
    }

    /// Drops the connection: calls in flight fail at once with `reason`, lists empty, timers stop.
    private func teardown(reason: String, _ completion: @escaping () -> Void) {
        generation += 1
        pinging = false
        stableTimer?.close(); stableTimer = nil
        pingTimer?.close(); pingTimer = nil
        let hadLists = !tools.isEmpty || !resources.isEmpty || !prompts.isEmpty
        tools = []; resources = []; resourceTemplates = []; prompts = []
        if hadLists { onChange?(Set(MCPListKind.allCases)) }
        guard let client else { completion(); return }
        self.client = nil
        client.stop(reason: "downstream server \(config.name): \(reason)", completion)
    }

    /// Releases timers (after stop).
    func closeTimers() {
        retryTimer?.close(); retryTimer = nil
        stableTimer?.close(); stableTimer = nil
        pingTimer?.close(); pingTimer = nil
    }
}

extension MCPListKind: CaseIterable {
    public static let allCases: [MCPListKind] = [.tools, .resources, .prompts]
}
