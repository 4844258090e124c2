// The rows of the printed table (BenchSupport prints it): one per figure, with the target and PASS/MISS.

import BenchSupport
import Foundation

/// Everything measured in one benchmark run.
struct Results {
    var directSequential: Run
    var gatewaySequential: Run
    var directPipelined: Run
    var gatewayPipelined: Run
    var healthzSequential: Run
    var mcpSequential: Run
    var healthzConcurrent: Run
    var mcpConcurrent: Run
    var stdioMemory: Memory?
    var serveMemory: Memory?
    var window: Int
}

/// Builds the rows from the results; the three issue targets are checked here.
func rows(_ r: Results) -> [Row] {
    let w = r.window
    let addedP50 = r.gatewaySequential.p50 - r.directSequential.p50
    var rows: [Row] = [
        Row(
            measurement: "stdio sequential calls/s", baseline: rate(r.directSequential), gateway: rate(r.gatewaySequential),
            comparison: ratio(r.gatewaySequential, r.directSequential)),
        Row(
            measurement: "stdio sequential p50", baseline: micros(r.directSequential.p50),
            gateway: micros(r.gatewaySequential.p50),
            comparison: added(r.gatewaySequential.p50, r.directSequential.p50), target: "< 100 µs added",
            passed: addedP50 < 100),
        Row(
            measurement: "stdio sequential p99", baseline: micros(r.directSequential.p99),
            gateway: micros(r.gatewaySequential.p99),
            comparison: added(r.gatewaySequential.p99, r.directSequential.p99)),
        Row(
            measurement: "stdio \(w) in flight calls/s", baseline: rate(r.directPipelined),
            gateway: rate(r.gatewayPipelined),
            comparison: ratio(r.gatewayPipelined, r.directPipelined)),
        Row(
            measurement: "stdio \(w) in flight p50", baseline: micros(r.directPipelined.p50),
            gateway: micros(r.gatewayPipelined.p50),
            comparison: added(r.gatewayPipelined.p50, r.directPipelined.p50)),
        Row(
            measurement: "stdio \(w) in flight p99", baseline: micros(r.directPipelined.p99),
            gateway: micros(r.gatewayPipelined.p99),
            comparison: added(r.gatewayPipelined.p99, r.directPipelined.p99)),
    ]
    for (label, run) in [("stdio sequential", r.gatewaySequential), ("stdio \(w) in flight", r.gatewayPipelined)] {
        if let cpu = run.gatewayCPUPerCall {
            rows.append(
                Row(measurement: "gateway CPU per call, \(label)", baseline: "", gateway: micros(cpu), comparison: ""))
        }
    }
    rows += [
        Row(
            measurement: "HTTP sequential calls/s", baseline: rate(r.healthzSequential), gateway: rate(r.mcpSequential),
            comparison: ratio(r.mcpSequential, r.healthzSequential)),
        Row(
            measurement: "HTTP sequential p50", baseline: micros(r.healthzSequential.p50),
            gateway: micros(r.mcpSequential.p50),
            comparison: added(r.mcpSequential.p50, r.healthzSequential.p50)),
        Row(
            measurement: "HTTP sequential p99", baseline: micros(r.healthzSequential.p99),
            gateway: micros(r.mcpSequential.p99),
            comparison: added(r.mcpSequential.p99, r.healthzSequential.p99)),
        Row(
            measurement: "HTTP \(w) connections calls/s", baseline: rate(r.healthzConcurrent),
            gateway: rate(r.mcpConcurrent),
            comparison: ratio(r.mcpConcurrent, r.healthzConcurrent), target: "≥ 5000 calls/s",
            passed: r.mcpConcurrent.callsPerSecond >= 5000),
        Row(
            measurement: "HTTP \(w) connections p50", baseline: micros(r.healthzConcurrent.p50),
            gateway: micros(r.mcpConcurrent.p50),
            comparison: added(r.mcpConcurrent.p50, r.healthzConcurrent.p50)),
        Row(
            measurement: "HTTP \(w) connections p99", baseline: micros(r.healthzConcurrent.p99),
            gateway: micros(r.mcpConcurrent.p99),
            comparison: added(r.mcpConcurrent.p99, r.healthzConcurrent.p99)),
    ]
    for (label, base, gateway) in [
        ("HTTP sequential", r.healthzSequential, r.mcpSequential),
        ("HTTP \(w) conns", r.healthzConcurrent, r.mcpConcurrent),
    ] {
        guard let cpu = gateway.gatewayCPUPerCall, let baseCPU = base.gatewayCPUPerCall else { continue }
        rows.append(
            Row(
                measurement: "gateway CPU per call, \(label)", baseline: micros(baseCPU), gateway: micros(cpu),
                comparison: added(cpu, baseCPU)))
    }
    for (label, memory) in [("stdio", r.stdioMemory), ("serve", r.serveMemory)] {
        guard let memory else {
            rows.append(
                Row(
                    measurement: "gateway VmRSS (\(label))", baseline: "", gateway: "unreadable", comparison: "",
                    target: "< 20 MB", passed: false))
            continue
        }
        rows.append(
            Row(
                measurement: "gateway VmRSS (\(label), 3 downstreams)", baseline: "", gateway: megabytes(memory.rss),
                comparison: "peak \(megabytes(memory.peak))", target: "< 20 MB", passed: Double(memory.rss) * 1024 < 20e6))
        rows.append(
            Row(
                measurement: "  anonymous / file-backed", baseline: "", gateway: megabytes(memory.anonymous),
                comparison: "\(megabytes(memory.file)) file"))
        if let unshared = memory.unshared {
            rows.append(
                Row(
                    measurement: "  not shared with other processes", baseline: "", gateway: megabytes(unshared),
                    comparison: ""))
        }
    }
    return rows
}
