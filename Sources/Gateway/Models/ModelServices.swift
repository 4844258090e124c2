import FoundationEssentials
import JSON
import Logging
import Loop
import Routing
import Store

/// The routing core as the gateway runs it: settings, the live catalog, the SQLite store (usage, run-time aliases)
/// and the `Router` on the shared libcurl client. Both faces — the HTTP API and the MCP tools — use this one
/// instance. Loop-confined.
final class ModelServices {
    let loop: EventLoop
    let settings: RoutingSettings
    let catalog: LiveCatalog
    let store: Store
    let router: Router
    /// Keys, budgets and rate limits for both faces.
    let governor: Governor
    private let transport: CurlUpstreamTransport
    let logger: Logger
    /// Reloads the governor's keys every `keyReloadMilliseconds`, so keys and spend that other processes on the
    /// same database change (another `serve`, a `stdio` session, the `keys` command line) take effect here.
    private let keyReloadTimer: Loop.Timer
    private var keyReloadRunning = false
    private var keyReloadFailures = 0
    private var keyReloadErrorLoggedAt: UInt64?

    /// How often the keys are read again: the most another process's spend can overrun a shared budget is what
    /// it spends in about this long (plus its store's batch delay).
    static let keyReloadMilliseconds: UInt64 = 1_000
    /// A store that keeps failing is reported at most this often.
    static let keyReloadErrorLogMilliseconds: UInt64 = 60_000

    init(loop: EventLoop, settings: RoutingSettings, httpClient: SharedHTTPClient, logger: Logger) throws {
        self.loop = loop
        self.settings = settings
        self.logger = logger
        catalog = LiveCatalog(Catalog(settings: settings), declared: settings.models)
        do {
            store = try Store(path: settings.databasePath, loop: loop, logger: logger)
        } catch {
            throw GatewayError(message: "cannot open the usage database: \(error)")
        }
        transport = CurlUpstreamTransport(client: httpClient)
        router = try Router(
            settings: settings, models: catalog, adapter: providerAdapter(for:), transport: transport,
            usage: store.usageWriter, aliasStore: store.aliases)
        do {
            governor = try Governor(adminSecret: settings.adminKey, store: store.keys)
        } catch {
            throw GatewayError(message: "cannot load API keys from \(settings.databasePath): \(error)")
        }
        router.governor = governor
        // Created last: nothing below throws, so the timer never outlives a failed init unclosed.
        do {
            keyReloadTimer = try Loop.Timer(loop: loop)
        } catch {
            throw GatewayError(message: "cannot create the key reload timer: \(error)")
        }
        // Unreferenced: a periodic reload must not keep the loop alive on its own.
        keyReloadTimer.unref()
        keyReloadTimer.start(after: Self.keyReloadMilliseconds, repeat: Self.keyReloadMilliseconds) { [weak self] in
            self?.reloadKeys()
        }
        if governor.isGoverned {
            logger.notice(
                "API keys required on every face (admin key configured)", metadata: ["keys": "\(governor.keys.count)"])
        }
        for warning in settings.warnings { logger.warning("settings: \(warning)") }
        if settings.providers.isEmpty, settings.warnings.isEmpty {
            logger.notice(
                "no model providers configured: set OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY, … or write switchyard.json (see docs/settings.md)"
            )
        } else {
            logger.info(
                "model providers",
                metadata: [
                    "providers": "\(settings.providers.keys.sorted().joined(separator: ", "))",
                    "settings": "\(settings.source)",
                ])
        }
        seedUsage()
    }

    /// Seeds "lowest usage" with the last two minutes of stored requests, so a restart does not forget the load.
    private func seedUsage() {
        store.recentUsageCounts(since: Date().timeIntervalSince1970 - 120) { [router, logger] result in
            switch result {
            case .success(let counts): router.health.seed(recentRequests: counts)
            case .failure(let error): logger.warning("could not read recent usage", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Asks each provider for its model list and merges it into the catalog (new models appear, retired ones are
    /// marked inactive). Failures are logged; the shipped catalog stays in use.
    func refreshModelLists() {
        for provider in settings.providers.values.sorted(by: { $0.id < $1.id }) {
            guard let adapter = providerAdapter(for: provider.kind) as? ModelListingAdapter else { continue }
            var status = 0
            var body: [UInt8] = []
            _ = transport.send(
                adapter.modelsRequest(provider: provider),
                timeouts: AttemptTimeouts(
                    connectMilliseconds: 5_000, firstByteMilliseconds: 10_000, totalMilliseconds: 20_000),
                onHead: { code, _ in status = code }, onBody: { body += $0 }
            ) { [catalog, logger] failure in
                if let failure {
                    return logger.debug("model list of \(provider.id) unavailable", metadata: ["error": "\(failure)"])
                }
                guard (200..<300).contains(status) else {
                    return logger.debug("model list of \(provider.id): HTTP \(status)")
                }
                do {
                    catalog.merge(listed: try adapter.modelNames(body), provider: provider.id)
                } catch {
                    logger.warning("model list of \(provider.id) could not be read", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    /// One reload of the governor's keys; skipped while the previous one is still waiting for the database (a
    /// busy database must not pile up reads).
    private func reloadKeys() {
        guard !keyReloadRunning else { return }
        keyReloadRunning = true
        governor.reload { [weak self] error in
            guard let self else { return }
            // Run-time aliases too, on the same tick: set by another process (an agent's stdio session), they
            // apply here within a second, as keys do.
            router.reloadAliases { [weak self] aliasError in
                guard let self else { return }
                keyReloadRunning = false
                reloadFinished(error ?? aliasError)
            }
        }
    }

    /// Logs the first failure of a run of failed reloads, then at most one line a minute, and the recovery.
    private func reloadFinished(_ error: Error?) {
        guard let error else {
            if keyReloadFailures > 0 {
                logger.notice("API keys are being reloaded again", metadata: ["failed_reloads": "\(keyReloadFailures)"])
            }
            keyReloadFailures = 0
            keyReloadErrorLoggedAt = nil
            return
        }
        keyReloadFailures += 1
        let now = loop.nowMilliseconds
        if let last = keyReloadErrorLoggedAt, now - last < Self.keyReloadErrorLogMilliseconds { return }
        keyReloadErrorLoggedAt = now
        logger.error(
            "reloading API keys and aliases from the database failed; those in memory stay in use",
            metadata: [
                "error": "\(error)", "path": "\(settings.databasePath)", "failed_reloads": "\(keyReloadFailures)",
            ])
    }

    /// Stops reloading keys, flushes usage rows and spend and closes the database; `done` runs on the loop when
    /// everything is written.
    func close(_ done: @escaping () -> Void) {
        keyReloadTimer.close()
        store.close { [logger] error in
            if let error { logger.error("closing the usage database failed", metadata: ["error": "\(error)"]) }
            done()
        }
    }
}

extension Gateway {
    /// Reads routing settings: `explicitPath` (`--config`), else `$SWITCHYARD_CONFIG`, else `./switchyard.json`,
    /// else providers discovered from the environment. Throws a message naming the file and field.
    public static func loadRoutingSettings(explicitPath: String?, environment: [String: String]) throws -> RoutingSettings {
        try SettingsLoader.load(
            explicitPath: explicitPath, environment: environment,
            workingDirectory: FileManager.default.currentDirectoryPath)
    }
}
