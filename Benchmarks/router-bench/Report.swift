// The rows of the printed table (BenchSupport prints it) and the issue's targets, each checked here.

import BenchSupport
import Foundation

/// Both sides of one mode at one client count.
struct Phase {
    var mode: Mode
    var clients: Int
    var direct: ChatRun
    var gateway: ChatRun
}

/// Everything measured in one run.
struct Results {
    var phases: [Phase]
    /// The heaviest client count, where the throughput and memory targets apply.
    var heaviest: Int
    /// /proc readings once Switchyard answered `/healthz`, before the first chat request.
    var memoryAtStart: Memory?
    /// Largest VmRSS sampled while the heaviest load ran (kB).
    var residentUnderLoad: Int?
    /// /proc readings right after the heaviest load (VmHWM is the peak since start).
    var memoryAfterLoad: Memory?
}

/// The issue's targets.
enum Targets {
    static let addedP50Micros = 150.0
    static let rateFraction = 0.35
    static let residentBytes = 50e6
}

private func clients(_ count: Int) -> String { count == 1 ? "1 client" : "\(count) clients" }
private func percent(_ gateway: Run, _ base: Run) -> String {
    "\(fmt(gateway.callsPerSecond / base.callsPerSecond * 100, 0))% (\(ratio(gateway, base)))"
}

/// The rows for one phase: rate, latency (whole answer, and for streams the first content), CPU per request.
private func rows(_ phase: Phase, heaviest: Int) -> [Row] {
    let (d, g) = (phase.direct, phase.gateway)
    let label = "\(phase.mode.rawValue), \(clients(phase.clients))"
    let one = phase.clients == 1
    let atHeaviest = phase.clients == heaviest && heaviest > 1
    var rows: [Row] = [
        Row(
            measurement: "\(label): requests/s", baseline: rate(d.run), gateway: rate(g.run),
            comparison: percent(g.run, d.run), target: atHeaviest ? "≥ 35% of direct" : "—",
            passed: atHeaviest ? g.run.callsPerSecond >= Targets.rateFraction * d.run.callsPerSecond : nil)
    ]
    func latency(_ name: String, _ base: [UInt64], _ gate: [UInt64], checked: Bool) {
        for (quantile, tag) in [(0.50, "p50"), (0.99, "p99")] {
            let (b, w) = (percentile(quantile, of: base), percentile(quantile, of: gate))
            let target = checked && tag == "p50"
            rows.append(
                Row(
                    measurement: "\(label): \(name) \(tag)", baseline: micros(b), gateway: micros(w),
                    comparison: added(w, b), target: target ? "< 150 µs added" : "—",
                    passed: target ? w - b < Targets.addedP50Micros : nil))
        }
    }
    switch phase.mode {
    case .plain:
        latency("latency", d.run.latencies, g.run.latencies, checked: one)
    case .stream:
        latency("first content", d.firstContent, g.firstContent, checked: one)
        latency("whole stream", d.run.latencies, g.run.latencies, checked: one)
    }
    if let cpu = g.gatewayCPUPerRequest {
        rows.append(Row(measurement: "\(label): switchyard CPU/request", baseline: "", gateway: micros(cpu), comparison: ""))
    }
    if let base = d.upstreamCPUPerRequest, let gate = g.upstreamCPUPerRequest {
        rows.append(
            Row(
                measurement: "\(label): fake-provider CPU/request", baseline: micros(base), gateway: micros(gate),
                comparison: added(gate, base)))
    }
    rows.append(
        Row(
            measurement: "\(label): client CPU/request", baseline: micros(d.clientCPUPerRequest),
            gateway: micros(g.clientCPUPerRequest), comparison: added(g.clientCPUPerRequest, d.clientCPUPerRequest)))
    return rows
}

/// Every row of the table, phases in the order they ran, then memory under the heaviest load.
func rows(_ results: Results) -> [Row] {
    var all = results.phases.flatMap { rows($0, heaviest: results.heaviest) }
    guard results.heaviest > 1 else { return all }
    let load = "under \(clients(results.heaviest))"
    if let idle = results.memoryAtStart {
        all.append(
            Row(
                measurement: "switchyard VmRSS at start, before any request", baseline: "", gateway: megabytes(idle.rss),
                comparison: ""))
    }
    if let rss = results.residentUnderLoad {
        all.append(
            Row(
                measurement: "switchyard VmRSS \(load) (largest sample)", baseline: "", gateway: megabytes(rss),
                comparison: "", target: "< 50 MB", passed: Double(rss) * 1024 < Targets.residentBytes))
    } else {
        all.append(
            Row(
                measurement: "switchyard VmRSS \(load)", baseline: "", gateway: "unreadable", comparison: "",
                target: "< 50 MB", passed: false))
    }
    if let memory = results.memoryAfterLoad {
        all.append(
            Row(
                measurement: "switchyard VmHWM (peak since start)", baseline: "", gateway: megabytes(memory.peak),
                comparison: ""))
        all.append(
            Row(
                measurement: "switchyard VmRSS right after the load", baseline: "", gateway: megabytes(memory.rss),
                comparison: "anon \(megabytes(memory.anonymous))"))
        all.append(
            Row(
                measurement: "  of which file-backed (code, shared libraries)", baseline: "",
                gateway: megabytes(memory.file), comparison: ""))
    }
    return all
}

/// One line per target: PASS or MISS, what was measured and what the issue asks.
func printTargets(_ rows: [Row]) {
    print("\ntargets:")
    for row in rows {
        guard let passed = row.passed else { continue }
        let figure = row.comparison.isEmpty ? row.gateway : row.comparison
        print("  \(passed ? "PASS" : "MISS")  \(row.measurement): \(figure) (target \(row.target))")
    }
}
