import ArgumentParser
import Gateway
import Logging
import Loop

#if canImport(Glibc)
    import Glibc
#endif

@main
struct Switchyard: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchyard",
        abstract: "One MCP server in front of many, and one router in front of many LLM providers.",
        discussion: """
            Attach an agent over stdio (`switchyard stdio`) or Streamable HTTP (`switchyard serve`, endpoint \
            /mcp). Downstream tools appear as <server>__<tool>; the gateway adds servers_list, servers_restart, \
            servers_add and servers_remove, and the model tools (chat, compare_models, models_list, model_use, \
            aliases_list, alias_set, alias_delete, route_explain, usage_summary).

            `serve` also answers the OpenAI-compatible API (/v1/chat/completions, /v1/models, /v1/embeddings, \
            /v1/generation), Anthropic's /v1/messages and Gemini's generateContent on the same port.

            `keys` and `usage` work on the database directly, with no server running.
            """,
        version: Gateway.version,
        subcommands: [Serve.self, Stdio.self, Servers.self, Keys.self, Usage.self]
    )
}

/// Options every running mode shares.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Directory of downstream server files (one JSON file per server).")
    var serversDir = "./servers.d"

    @Option(name: .long, help: "Log level on stderr: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @Option(name: .long, help: "Longest exposed tool name (clients accept 64; lower it if your client adds a long prefix).")
    var maxToolName = 64

    @Option(
        name: .long,
        help:
            "Routing settings file (default: $SWITCHYARD_CONFIG, else ./switchyard.json if present, else providers from OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY, …)."
    )
    var config: String?

    @Option(
        name: .long,
        help:
            "Microseconds the event loop keeps checking for I/O after a burst of work before it sleeps (0: sleep at once). Saves a wake-up per request on machines where one is dear (VMs); costs at most this much CPU per burst."
    )
    var busyPollUs = 100

    func validate() throws {
        guard (0...10_000).contains(busyPollUs) else { throw ValidationError("--busy-poll-us must be between 0 and 10000") }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        guard (20...128).contains(maxToolName) else { throw ValidationError("--max-tool-name must be between 20 and 128") }
    }

    func makeLogger() -> Logger {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "switchyard")
    }

    /// The gateway options; fails with the settings file's problem (file and field named) when it is invalid.
    func options() throws -> GatewayOptions {
        var options = GatewayOptions()
        options.serversDirectory = serversDir
        options.maxToolNameLength = maxToolName
        options.busyPoll = .microseconds(busyPollUs)
        options.environment = Environment.current()
        do {
            options.routing = try Gateway.loadRoutingSettings(explicitPath: config, environment: options.environment)
        } catch {
            throw ValidationError("\(error)")
        }
        return options
    }
}

extension Switchyard {
    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve MCP over Streamable HTTP at /mcp (and optionally stdio too).")

        @OptionGroup var common: CommonOptions

        @Option(name: .long, help: "Address to listen on; loopback unless you say otherwise.")
        var listen = "127.0.0.1:8787"

        @Flag(name: .long, help: "Also serve MCP on stdin/stdout.")
        var stdio = false

        @Option(
            name: .long,
            help: "An extra allowed Origin for browser clients (repeatable). Loopback origins are always allowed.")
        var allowOrigin: [String] = []

        @Option(
            name: .long,
            help: "Seconds model calls in flight may run on after SIGTERM/SIGINT; then they end with a 503 (retry).")
        var shutdownGrace: Double = 10

        @Option(name: .long, help: "Largest HTTP request body in MiB (chat requests carry images base64-encoded).")
        var maxBodyMb = 32

        func validate() throws {
            guard ListenAddress(parsing: listen) != nil else {
                throw ValidationError("--listen must look like 127.0.0.1:8787")
            }
            guard (1...1024).contains(maxBodyMb) else { throw ValidationError("--max-body-mb must be 1…1024") }
        }

        func run() throws {
            var options = try common.options()
            options.listen = ListenAddress(parsing: listen)
            options.stdio = stdio
            options.allowedOrigins = allowOrigin
            options.shutdownGraceMilliseconds = UInt64(max(0, shutdownGrace) * 1000)
            options.maxBodyBytes = maxBodyMb << 20
            try runGateway(options, logger: common.makeLogger())
        }
    }

    struct Stdio: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve MCP on stdin/stdout (what Claude Code, Cline and other clients launch).")

        @OptionGroup var common: CommonOptions

        @Option(name: .long, help: "Longest accepted message line on stdin, in bytes.")
        var maxLineBytes = 4 << 20

        func run() throws {
            var options = try common.options()
            options.stdio = true
            options.maxLineBytes = maxLineBytes
            try runGateway(options, logger: common.makeLogger())
        }
    }
}

/// Runs the gateway on a fresh loop until it shuts down, then closes the loop.
func runGateway(_ options: GatewayOptions, logger: Logger) throws {
    let loop = try EventLoop()
    let gateway = try Gateway(loop: loop, options: options, logger: logger)
    do {
        try gateway.start()
    } catch {
        logger.critical("cannot start", metadata: ["error": "\(error)"])
        gateway.shutdown()
        loop.run()
        try loop.close()
        throw ExitCode(1)
    }
    loop.run(spin: options.busyPoll)
    try loop.close()
}

enum Environment {
    static func current() -> [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }
}
