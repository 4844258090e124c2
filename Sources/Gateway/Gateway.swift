import JSON
import JSONRPC
import Logging
import Loop
import MCP
import Routing

#if canImport(Glibc)
    import Glibc
#endif

/// The composition root: wires the Hub, the MCP server and its transports, `servers.d/` watching and signals on
/// one event loop. `main` creates it, runs the loop, and closes the loop when `run` returns.
public final class Gateway {
    public static let version = "0.1.0"
    let loop: EventLoop
    let options: GatewayOptions
    let logger: Logger
    /// The HTTP port actually bound (when serving HTTP).
    public internal(set) var boundPort: Int?
    private let scheduler: LoopScheduler
    let hub: Hub
    private let registry: ServerRegistry
    private let backend: GatewayBackend
    let server: MCPServer
    private var stdio: StdioServerTransport?
    private var signals: [SignalWatcher] = []
    private var shuttingDown = false
    private var extraShutdown: [(@escaping () -> Void) -> Void] = []
    private let httpClient: SharedHTTPClient
    /// The routing core (HTTP API and model tools), when settings were given.
    let models: ModelServices?

    /// Throws when the usage database cannot be opened.
    public init(loop: EventLoop, options: GatewayOptions, logger: Logger) throws {
        self.loop = loop
        self.options = options
        self.logger = logger
        scheduler = LoopScheduler(loop: loop)
        let clientInfo: JSON = ["name": "switchyard", "version": .string(Self.version)]
        let environment = options.environment
        let httpClient = SharedHTTPClient(loop: loop)
        self.httpClient = httpClient
        hub = Hub(
            loop: loop, scheduler: scheduler, clientInfo: clientInfo, maxNameLength: options.maxToolNameLength,
            logger: logger
        ) { config in
            try Gateway.makeTransport(config, loop: loop, environment: environment, httpClient: httpClient, logger: logger)
        }
        hub.pingIntervalMilliseconds = options.pingIntervalMilliseconds
        hub.pingTimeoutMilliseconds = options.pingTimeoutMilliseconds
        registry = ServerRegistry(
            directory: ServersDirectory(path: options.serversDirectory, environment: environment),
            loop: loop, hub: hub, logger: logger)
        models = try options.routing.map {
            try ModelServices(loop: loop, settings: $0, httpClient: httpClient, logger: logger)
        }
        backend = GatewayBackend(hub: hub, registry: registry, models: models)
        server = MCPServer(
            info: MCPServerInfo(
                name: "switchyard", title: "Switchyard", version: Self.version,
                instructions:
                    "Switchyard aggregates MCP servers: downstream tools are named <server>__<tool>. servers_list shows each server's state."
            ),
            backend: backend, scheduler: scheduler, logger: logger)
        hub.onListsChanged = { [unowned self] kinds in
            if kinds.contains(.tools) { self.server.toolsChanged() }
            if kinds.contains(.resources) { self.server.resourcesChanged() }
            if kinds.contains(.prompts) { self.server.promptsChanged() }
        }
        hub.onLogMessage = { [unowned self] server, params in
            // Only to sessions whose key may use that server, like its tools.
            self.server.forwardLog(params, from: server) { session in
                self.backend.principal(for: session)?.allowsServer(server) ?? false
            }
        }
    }

    /// Starts everything the options ask for. Throws when a transport cannot start (e.g. the port is taken).
    public func start() throws {
        for signal in [SIGINT, SIGTERM] {
            signals.append(
                try SignalWatcher(loop: loop, signal: signal) { [unowned self] number in
                    self.logger.info("received signal; shutting down", metadata: ["signal": "\(number)"])
                    self.shutdown()
                })
        }
        signals.append(try SignalWatcher(loop: loop, signal: SIGHUP) { [unowned self] _ in self.registry.refresh() })
        registry.start()
        models?.refreshModelLists()
        if options.stdio { try startStdio() }
        if let address = options.listen { try startHTTP(address) }
    }

    private func startStdio() throws {
        let transport = try StdioServerTransport(loop: loop, maxLineBytes: options.maxLineBytes, logger: logger)
        stdio = transport
        let session = server.openSession(id: "stdio") { [unowned transport] message in transport.send(message) }
        if let governor = models?.governor {
            // Over stdio the process's own key (SWITCHYARD_API_KEY) stands for the session's bearer token.
            switch governor.authenticate(options.environment["SWITCHYARD_API_KEY"]) {
            case .success(let principal):
                session.attributes[MCPServerSession.identityAttribute] = .string(Credentials.identity(of: principal))
            case .failure(let error):
                throw GatewayError(
                    message:
                        "stdio: \(error.message) An admin key is configured, so set SWITCHYARD_API_KEY to this session's key."
                )
            }
        }
        transport.onEnd = { [unowned self] reason in
            self.logger.info("stdio session ended; shutting down", metadata: ["reason": "\(reason)"])
            self.shutdown()
        }
        try transport.start(session: session)
    }

    /// Registers extra work to run at shutdown (e.g. closing the HTTP listener); it calls its completion when done.
    func onShutdown(_ step: @escaping (@escaping () -> Void) -> Void) {
        extraShutdown.append(step)
    }

    /// Stops everything: sessions end, children are stopped (stdin closed, SIGTERM, SIGKILL), handles close, and
    /// the loop's `run` returns once nothing is left.
    public func shutdown() {
        guard !shuttingDown else { return }
        shuttingDown = true
        server.closeAll(reason: "Switchyard is shutting down")
        registry.close()
        let steps = extraShutdown
        extraShutdown = []
        var remaining = steps.count + 1
        let finished = { [unowned self] in
            remaining -= 1
            guard remaining == 0 else { return }
            self.stdio?.close()
            self.stdio = nil
            self.signals.forEach { $0.close() }
            self.signals = []
            self.logger.info("shutdown complete")
        }
        for step in steps { step(finished) }
        // HTTP downstream sessions end with a DELETE, so the shared client closes only after the Hub stopped.
        // Model calls in flight may finish (their HTTP responses too: the server lets a response in progress
        // complete) for up to the grace period; then closing the client cancels the rest. Each call records its
        // usage row either way, so the store is flushed and closed last and nothing is lost.
        hub.stopAll { [unowned self] in
            self.afterModelCallsDrain {
                self.httpClient.close {
                    guard let models = self.models else { return finished() }
                    models.close(finished)
                }
            }
        }
    }

    /// Runs `next` once no model call is in flight, or when `options.shutdownGraceMilliseconds` have passed.
    private func afterModelCallsDrain(_ next: @escaping () -> Void) {
        guard let router = models?.router, router.activeCalls > 0 else { return next() }
        logger.info(
            "waiting for model calls in flight",
            metadata: [
                "calls": "\(router.activeCalls)",
                "grace_ms": "\(options.shutdownGraceMilliseconds)",
            ])
        var done = false
        let proceed = {
            guard !done else { return }
            done = true
            next()
        }
        do {
            let timer = try Loop.Timer(loop: loop)
            timer.start(after: options.shutdownGraceMilliseconds) { [logger, options] in
                logger.notice(
                    "shutdown grace period over; ending model calls still in flight",
                    metadata: ["calls": "\(router.activeCalls)"])
                timer.close()
                // A 503 with Retry-After: the SDKs retry it (a 499 they would not), against the restarted gateway.
                router.abandonAll(
                    RoutingError(
                        status: 503, type: "service_unavailable", code: "shutting_down",
                        message:
                            "Switchyard is shutting down and the call did not finish within the shutdown grace period "
                            + "(\(options.shutdownGraceMilliseconds) ms); retry it.",
                        retryAfterSeconds: 1))
                proceed()
            }
            router.whenIdle {
                timer.close()
                proceed()
            }
        } catch {
            logger.error(
                "no timer for the shutdown grace period; cancelling model calls now", metadata: ["error": "\(error)"])
            proceed()
        }
    }

    static func makeTransport(
        _ config: DownstreamConfig, loop: EventLoop, environment: [String: String],
        httpClient: SharedHTTPClient, logger: Logger
    ) throws -> MCPClientTransport {
        var logger = logger
        logger[metadataKey: "server"] = "\(config.name)"
        switch config.transport {
        case let .stdio(command, arguments, extra, workingDirectory):
            let merged = environment.merging(extra) { _, configured in configured }
            let options = ProcessOptions(
                executable: command, arguments: arguments, environment: merged, workingDirectory: workingDirectory)
            return ChildProcessTransport(loop: loop, options: options, logger: logger)
        case .http:
            return try makeHTTPTransport(config, httpClient: httpClient, logger: logger)
        }
    }
}
