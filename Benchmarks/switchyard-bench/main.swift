// switchyard-bench: tools/call through Switchyard versus the same downstream called directly, in one run.
// See Options.usage for what is measured; scripts/bench.sh builds everything and runs this.

import BenchSupport
import Foundation
import JSON

#if canImport(Glibc)
    import Glibc
#endif

/// Writes `servers.d/echo1.json` … `echo3.json`, each running the echo server.
func writeServersDirectory(in root: String, echoServer: String) throws -> String {
    let directory = root + "/servers.d"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    for index in 1...3 {
        let entry: JSON = ["command": .string(echoServer), "args": []]
        try Data(entry.serialized()).write(to: URL(fileURLWithPath: "\(directory)/echo\(index).json"))
    }
    return directory
}

let gatewayTools: Set<String> = ["echo1__echo", "echo2__echo", "echo3__echo"]

/// (a) and (b): the echo server directly versus `switchyard stdio` in front of three of them, in alternating rounds.
func measureStdio(_ options: Options, serversDir: String, logs: String, into results: inout PartialResults) throws {
    progress("stdio: bench-echo-server directly vs switchyard stdio with three downstream servers")
    let direct = StdioMCPClient(
        child: try ChildProcess(
            name: "bench-echo-server", path: options.echoServer, arguments: [],
            piped: true, logFile: nil))
    defer { direct.child.stop() }
    let gateway = StdioMCPClient(
        child: try ChildProcess(
            name: "switchyard stdio", path: options.binary,
            arguments: ["stdio", "--servers-dir", serversDir, "--log-level", "warning"], piped: true,
            logFile: logs + "/stdio.log"))
    defer { gateway.child.stop() }
    try direct.handshake()
    try direct.waitForTools(["echo"])
    try gateway.handshake()
    try gateway.waitForTools(gatewayTools)

    let (rounds, calls, window) = (options.rounds, options.calls, options.window)
    _ = try direct.sequential(tool: "echo", calls: options.warmup, watch: nil)
    _ = try gateway.sequential(tool: "echo1__echo", calls: options.warmup, watch: nil)
    (results.directSequential, results.gatewaySequential) = try alternate(
        rounds: rounds, calls: calls,
        baseline: { try direct.sequential(tool: "echo", calls: $0, watch: nil) },
        gateway: { try gateway.sequential(tool: "echo1__echo", calls: $0, watch: gateway.child) })

    progress("stdio: \(window) in flight")
    _ = try direct.pipelined(tool: "echo", calls: options.warmup, window: window, watch: nil)
    _ = try gateway.pipelined(tool: "echo1__echo", calls: options.warmup, window: window, watch: nil)
    (results.directPipelined, results.gatewayPipelined) = try alternate(
        rounds: rounds, calls: calls,
        baseline: { try direct.pipelined(tool: "echo", calls: $0, window: window, watch: nil) },
        gateway: { try gateway.pipelined(tool: "echo1__echo", calls: $0, window: window, watch: gateway.child) })
    results.stdioMemory = gateway.child.memory()
}

/// (c) and (d): `switchyard serve`, /healthz versus tools/call in alternating rounds, sequential and concurrent.
func measureHTTP(_ options: Options, serversDir: String, logs: String, into results: inout PartialResults) throws {
    let port = try freePort()
    progress("http: switchyard serve on 127.0.0.1:\(port), /healthz vs tools/call")
    let server = try ChildProcess(
        name: "switchyard serve", path: options.binary,
        arguments: ["serve", "--listen", "127.0.0.1:\(port)", "--servers-dir", serversDir, "--log-level", "warning"],
        piped: false, logFile: logs + "/serve.log")
    defer { server.stop() }
    try waitForHTTP(port: port)
    let connection = try HTTPConnection(port: port)
    let requests = try httpHandshake(connection, port: port)
    let deadline = now() + 20_000_000_000
    while !gatewayTools.isSubset(of: toolNames(try httpRequest(connection, requests, id: "list", "tools/list").result)) {
        guard now() < deadline else { throw BenchError("tools/list over HTTP never listed \(gatewayTools.sorted())") }
        usleep(20_000)
    }
    let call = HTTPTarget.call(tool: "echo1__echo")
    let (rounds, calls, window) = (options.rounds, options.calls, options.window)
    func sequential(_ target: HTTPTarget, _ count: Int) throws -> Run {
        let cpuBefore = server.cpuNanos()
        let start = now()
        let latencies = try httpLoop(connection, requests, target, ids: 1..<(count + 1))
        return Run(
            calls: count, elapsedNanos: now() - start, latencies: latencies, gatewayCPUNanos: cpuDelta(server, cpuBefore))
    }
    _ = try sequential(.healthz, options.warmup)
    _ = try sequential(call, options.warmup)
    (results.healthzSequential, results.mcpSequential) = try alternate(
        rounds: rounds, calls: calls, baseline: { try sequential(.healthz, $0) }, gateway: { try sequential(call, $0) })

    progress("http: \(window) concurrent connections")
    let connections = try (0..<window).map { _ in try HTTPConnection(port: port) }
    for target in [HTTPTarget.healthz, call] {
        _ = try httpConcurrent(connections, requests, target, calls: options.warmup, watch: nil)
    }
    (results.healthzConcurrent, results.mcpConcurrent) = try alternate(
        rounds: rounds, calls: calls,
        baseline: { try httpConcurrent(connections, requests, .healthz, calls: $0, watch: server) },
        gateway: { try httpConcurrent(connections, requests, call, calls: $0, watch: server) })
    results.serveMemory = server.memory()
}

/// Runs filled in as the phases complete.
struct PartialResults {
    var directSequential: Run?, gatewaySequential: Run?, directPipelined: Run?, gatewayPipelined: Run?
    var healthzSequential: Run?, mcpSequential: Run?, healthzConcurrent: Run?, mcpConcurrent: Run?
    var stdioMemory: Memory?, serveMemory: Memory?

    func complete(window: Int) -> Results? {
        guard let directSequential, let gatewaySequential, let directPipelined, let gatewayPipelined,
            let healthzSequential, let mcpSequential, let healthzConcurrent, let mcpConcurrent
        else { return nil }
        return Results(
            directSequential: directSequential, gatewaySequential: gatewaySequential,
            directPipelined: directPipelined, gatewayPipelined: gatewayPipelined,
            healthzSequential: healthzSequential, mcpSequential: mcpSequential,
            healthzConcurrent: healthzConcurrent, mcpConcurrent: mcpConcurrent,
            stdioMemory: stdioMemory, serveMemory: serveMemory, window: window)
    }
}

func main() -> Int32 {
    signal(SIGPIPE, SIG_IGN)
    let root = NSTemporaryDirectory() + "switchyard-bench-\(getpid())"
    var keepLogs = false
    defer { if !keepLogs { try? FileManager.default.removeItem(atPath: root) } }
    do {
        let options = try Options.parse(CommandLine.arguments)
        let serversDir = try writeServersDirectory(in: root, echoServer: options.echoServer)
        var partial = PartialResults()
        let wakeUp = try WakeUpCost.measure()
        do {
            try measureStdio(options, serversDir: serversDir, logs: root, into: &partial)
            try measureHTTP(options, serversDir: serversDir, logs: root, into: &partial)
        } catch {
            let logs = (try? FileManager.default.contentsOfDirectory(atPath: root))?.filter { $0.hasSuffix(".log") } ?? []
            guard !logs.isEmpty else { throw error }
            keepLogs = true
            throw BenchError("\(error)\n(gateway logs kept in \(root): \(logs.sorted().joined(separator: ", ")))")
        }
        guard let results = partial.complete(window: options.window) else { throw BenchError("a run produced no figures") }
        print(
            "switchyard-bench: \(options.calls) calls per figure (\(options.rounds) alternating rounds) after \(options.warmup) warm-up, "
                + "\(options.window) in flight, \(ProcessInfo.processInfo.activeProcessorCount) cores")
        print("  gateway \(options.binary)\n  downstream \(options.echoServer)")
        // A gateway adds two hops per call, each a wake-up of a sleeping process: this is what one costs here.
        print("  machine: \(wakeUp.summary)\n")
        printTable(
            rows(results),
            baselineNote: """

                baseline: stdio rows = bench-echo-server called directly; HTTP rows = GET /healthz on the same gateway
                (its HTTP stack without MCP work). "gw vs base" is added latency or the calls/s ratio.
                """)
        return 0
    } catch {
        progress("switchyard-bench: \(error)")
        return 1
    }
}

exit(main())
