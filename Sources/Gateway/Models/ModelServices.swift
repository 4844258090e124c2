import Foundation
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
    private let logger: Logger

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
        router = try Router(settings: settings, models: catalog, adapter: providerAdapter(for:), transport: transport,
                            usage: store.usageWriter, aliasStore: store.aliases)
        do {
            governor = try Governor(adminSecret: settings.adminKey, store: store.keys)
        } catch {
            throw GatewayError(message: "cannot load API keys from \(settings.databasePath): \(error)")
        }
        router.governor = governor
        if governor.isGoverned {
            logger.notice("API keys required on every face (admin key configured)", metadata: ["keys": "\(governor.keys.count)"])
        }
        for warning in settings.warnings { logger.warning("settings: \(warning)") }
        if settings.providers.isEmpty, settings.warnings.isEmpty {
            logger.notice("no model providers configured: set OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY, … or write switchyard.json (see docs/settings.md)")
        } else {
            logger.info("model providers", metadata: ["providers": "\(settings.providers.keys.sorted().joined(separator: ", "))",
                                                      "settings": "\(settings.source)"])
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
            _ = transport.send(adapter.modelsRequest(provider: provider), timeouts: AttemptTimeouts(connectMilliseconds: 5_000, firstByteMilliseconds: 10_000, totalMilliseconds: 20_000),
                               onHead: { code, _ in status = code }, onBody: { body += $0 }) { [catalog, logger] failure in
                if let failure { return logger.debug("model list of \(provider.id) unavailable", metadata: ["error": "\(failure)"]) }
                guard (200..<300).contains(status) else { return logger.debug("model list of \(provider.id): HTTP \(status)") }
                do {
                    catalog.merge(listed: try adapter.modelNames(body), provider: provider.id)
                } catch {
                    logger.warning("model list of \(provider.id) could not be read", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    /// Flushes usage rows and closes the database; `done` runs on the loop when everything is written.
    func close(_ done: @escaping () -> Void) {
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
        try SettingsLoader.load(explicitPath: explicitPath, environment: environment,
                                workingDirectory: FileManager.default.currentDirectoryPath)
    }
}
