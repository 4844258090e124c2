// switchyard-router-bench: POST /v1/chat/completions through Switchyard's routing core versus the same request
// sent to the upstream directly, in one run. See Options.usage for what is measured; scripts/bench-router.sh
// builds everything and runs this.

import BenchSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Measures both modes at one client count on `clients` fresh connections to each side, in alternating rounds
/// after a warm-up. At the heaviest count it also samples Switchyard's resident memory throughout.
func measure(
    clients: Int, _ options: Options, upstream: Server, gateway: Server,
    into results: inout Results
) throws {
    let direct = try (0..<clients).map { _ in try HTTPConnection(port: upstream.port) }
    let through = try (0..<clients).map { _ in try HTTPConnection(port: gateway.port) }
    let watch = Watched(gateway: gateway.child, upstream: upstream.child)
    let heaviest = clients == results.heaviest && clients > 1
    let sampler = heaviest ? ResidentSampler(pid: gateway.child.pid) : nil
    defer { if let sampler { results.residentUnderLoad = sampler.stop() } }
    for mode in Mode.allCases {
        progress(
            "\(mode.rawValue), \(clients) client(s): warm-up, then \(options.requests(clients: clients)) requests "
                + "per side in \(options.rounds) alternating rounds")
        let baseline = ChatExchange(
            label: "fake-provider directly", port: upstream.port, model: "bench",
            upstreamModel: "bench", mode: mode)
        let routed = ChatExchange(
            label: "through switchyard", port: gateway.port, model: "fake/bench",
            upstreamModel: "bench", mode: mode)
        _ = try runLoad(direct, baseline, requests: options.warmup(clients: clients), watch: watch)
        _ = try runLoad(through, routed, requests: options.warmup(clients: clients), watch: watch)
        let (d, g) = try alternate(
            rounds: options.rounds, calls: options.requests(clients: clients),
            baseline: { try runLoad(direct, baseline, requests: $0, watch: watch) },
            gateway: { try runLoad(through, routed, requests: $0, watch: watch) })
        results.phases.append(Phase(mode: mode, clients: clients, direct: d, gateway: g))
    }
    if heaviest { results.memoryAfterLoad = gateway.child.memory() }
}

func main() -> Int32 {
    signal(SIGPIPE, SIG_IGN)
    let root = NSTemporaryDirectory() + "switchyard-router-bench-\(getpid())"
    var keepLogs = false
    defer { if !keepLogs { try? FileManager.default.removeItem(atPath: root) } }
    do {
        let options = try Options.parse(CommandLine.arguments)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        var results = Results(phases: [], heaviest: options.heaviest)
        let loadBefore = loadAverage()
        let wakeUp = try WakeUpCost.measure()
        do {
            let upstream = try startUpstream(options, logs: root)
            defer { upstream.child.terminate() }
            let gateway = try startGateway(options, upstreamPort: upstream.port, root: root)
            defer { gateway.child.terminate() }
            progress("fake-provider on 127.0.0.1:\(upstream.port), switchyard serve on 127.0.0.1:\(gateway.port)")
            results.memoryAtStart = gateway.child.memory()
            for clients in options.concurrency {
                try measure(clients: clients, options, upstream: upstream, gateway: gateway, into: &results)
            }
        } catch {
            keepLogs = true
            throw BenchError("\(error)\n(logs kept in \(root): switchyard.log, fake-provider.log)")
        }
        let bodyBytes = Conversation.body(model: "fake/bench", mode: .plain).count
        let counts = options.concurrency.map { "\(options.requests(clients: $0)) at \($0)" }.joined(separator: ", ")
        print(
            "switchyard-router-bench: POST /v1/chat/completions, a \(bodyBytes)-byte request; requests per figure "
                + "and side: \(counts) clients, in \(options.rounds) alternating rounds after warm-up; "
                + "\(ProcessInfo.processInfo.activeProcessorCount) cores shared by clients, gateway and upstream")
        print("  gateway  \(options.binary)\n  upstream \(options.fakeProvider)")
        // Other work on the machine moves every figure; alternating rounds share it out, this says how much there was.
        print("  load average (1 min) \(loadBefore) before, \(loadAverage()) after")
        // A proxied request adds two hops, each a wake-up of a sleeping process: this is what one costs here.
        print("  machine: \(wakeUp.summary)\n")
        let table = rows(results)
        printTable(
            table, titles: ("direct", "switchyard", "sy vs direct"),
            baselineNote: """

                direct = fake-provider called directly (model bench); switchyard = the same request through switchyard serve
                (model fake/bench, routed to that fake-provider). Latency is from sending the request to the whole answer;
                "first content" is to the first SSE event carrying text, "whole stream" to the end of the body after
                data: [DONE] (both include the client parsing each event as it arrives, the same work on both sides).
                Every answer was checked (status 200, parsed, expected text, [DONE]). CPU/request is a process's CPU time
                over the run divided by its requests; client = this load generator.
                """)
        printTargets(table)
        return 0
    } catch {
        progress("switchyard-router-bench: \(error)")
        return 1
    }
}

/// The 1-minute load average from /proc/loadavg, as written there.
func loadAverage() -> String {
    let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
    return text.split(separator: " ").first.map(String.init) ?? "unknown"
}

exit(main())
