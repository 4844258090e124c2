// The printed table: one line per figure, each with the issue's target (if any) and PASS/MISS.

import Foundation

/// One line of the table.
struct Row {
    var measurement: String
    var baseline: String
    var gateway: String
    var comparison: String
    var target: String = "—"
    /// `nil` for informational lines (no target in the issue).
    var passed: Bool? = nil
}

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

func fmt(_ value: Double, _ decimals: Int = 1) -> String { String(format: "%.\(decimals)f", value) }
func micros(_ value: Double) -> String { "\(fmt(value)) µs" }
func rate(_ run: Run) -> String { "\(fmt(run.callsPerSecond, 0))/s" }
func added(_ gateway: Double, _ base: Double) -> String { "\(gateway >= base ? "+" : "")\(fmt(gateway - base)) µs" }
func ratio(_ gateway: Run, _ base: Run) -> String { "\(fmt(gateway.callsPerSecond / base.callsPerSecond, 2))×" }
func megabytes(_ kilobytes: Int) -> String { "\(fmt(Double(kilobytes) * 1024 / 1e6)) MB" }

/// Builds the rows from the results; the three issue targets are checked here.
func rows(_ r: Results) -> [Row] {
    let w = r.window
    let addedP50 = r.gatewaySequential.p50 - r.directSequential.p50
    var rows: [Row] = [
        Row(measurement: "stdio sequential calls/s", baseline: rate(r.directSequential), gateway: rate(r.gatewaySequential),
            comparison: ratio(r.gatewaySequential, r.directSequential)),
        Row(measurement: "stdio sequential p50", baseline: micros(r.directSequential.p50), gateway: micros(r.gatewaySequential.p50),
            comparison: added(r.gatewaySequential.p50, r.directSequential.p50), target: "< 100 µs added", passed: addedP50 < 100),
        Row(measurement: "stdio sequential p99", baseline: micros(r.directSequential.p99), gateway: micros(r.gatewaySequential.p99),
            comparison: added(r.gatewaySequential.p99, r.directSequential.p99)),
        Row(measurement: "stdio \(w) in flight calls/s", baseline: rate(r.directPipelined), gateway: rate(r.gatewayPipelined),
            comparison: ratio(r.gatewayPipelined, r.directPipelined)),
        Row(measurement: "stdio \(w) in flight p50", baseline: micros(r.directPipelined.p50), gateway: micros(r.gatewayPipelined.p50),
            comparison: added(r.gatewayPipelined.p50, r.directPipelined.p50)),
        Row(measurement: "stdio \(w) in flight p99", baseline: micros(r.directPipelined.p99), gateway: micros(r.gatewayPipelined.p99),
            comparison: added(r.gatewayPipelined.p99, r.directPipelined.p99)),
    ]
    for (label, run) in [("stdio sequential", r.gatewaySequential), ("stdio \(w) in flight", r.gatewayPipelined)] {
        if let cpu = run.gatewayCPUPerCall {
            rows.append(Row(measurement: "gateway CPU per call, \(label)", baseline: "", gateway: micros(cpu), comparison: ""))
        }
    }
    rows += [
        Row(measurement: "HTTP sequential calls/s", baseline: rate(r.healthzSequential), gateway: rate(r.mcpSequential),
            comparison: ratio(r.mcpSequential, r.healthzSequential)),
        Row(measurement: "HTTP sequential p50", baseline: micros(r.healthzSequential.p50), gateway: micros(r.mcpSequential.p50),
            comparison: added(r.mcpSequential.p50, r.healthzSequential.p50)),
        Row(measurement: "HTTP sequential p99", baseline: micros(r.healthzSequential.p99), gateway: micros(r.mcpSequential.p99),
            comparison: added(r.mcpSequential.p99, r.healthzSequential.p99)),
        Row(measurement: "HTTP \(w) connections calls/s", baseline: rate(r.healthzConcurrent), gateway: rate(r.mcpConcurrent),
            comparison: ratio(r.mcpConcurrent, r.healthzConcurrent), target: "≥ 5000 calls/s",
            passed: r.mcpConcurrent.callsPerSecond >= 5000),
        Row(measurement: "HTTP \(w) connections p50", baseline: micros(r.healthzConcurrent.p50), gateway: micros(r.mcpConcurrent.p50),
            comparison: added(r.mcpConcurrent.p50, r.healthzConcurrent.p50)),
        Row(measurement: "HTTP \(w) connections p99", baseline: micros(r.healthzConcurrent.p99), gateway: micros(r.mcpConcurrent.p99),
            comparison: added(r.mcpConcurrent.p99, r.healthzConcurrent.p99)),
    ]
    for (label, base, gateway) in [("HTTP sequential", r.healthzSequential, r.mcpSequential),
                                   ("HTTP \(w) conns", r.healthzConcurrent, r.mcpConcurrent)] {
        guard let cpu = gateway.gatewayCPUPerCall, let baseCPU = base.gatewayCPUPerCall else { continue }
        rows.append(Row(measurement: "gateway CPU per call, \(label)", baseline: micros(baseCPU), gateway: micros(cpu),
                        comparison: added(cpu, baseCPU)))
    }
    for (label, memory) in [("stdio", r.stdioMemory), ("serve", r.serveMemory)] {
        guard let memory else {
            rows.append(Row(measurement: "gateway VmRSS (\(label))", baseline: "", gateway: "unreadable", comparison: "",
                            target: "< 20 MB", passed: false))
            continue
        }
        rows.append(Row(measurement: "gateway VmRSS (\(label), 3 downstreams)", baseline: "", gateway: megabytes(memory.rss),
                        comparison: "peak \(megabytes(memory.peak))", target: "< 20 MB", passed: Double(memory.rss) * 1024 < 20e6))
        rows.append(Row(measurement: "  anonymous / file-backed", baseline: "", gateway: megabytes(memory.anonymous),
                        comparison: "\(megabytes(memory.file)) file"))
        if let unshared = memory.unshared {
            rows.append(Row(measurement: "  not shared with other processes", baseline: "", gateway: megabytes(unshared),
                            comparison: ""))
        }
    }
    return rows
}

/// Pads `text` to `width` characters (by Unicode characters, so "µ" and "≥" count as one).
func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
    let padding = String(repeating: " ", count: max(0, width - text.count))
    return right ? padding + text : text + padding
}

/// Prints the table to stdout.
func printTable(_ rows: [Row], baselineNote: String) {
    let widths = [40, 13, 13, 16, 16]
    func line(_ cells: [String], _ result: String) -> String {
        pad(cells[0], widths[0]) + pad(cells[1], widths[1], right: true) + pad(cells[2], widths[2], right: true)
            + pad(cells[3], widths[3], right: true) + "  " + pad(cells[4], widths[4]) + result
    }
    let header = line(["measurement", "baseline", "gateway", "gw vs base", "target"], "result")
    print(header)
    print(String(repeating: "-", count: header.count + 2))
    for row in rows {
        let result = row.passed.map { $0 ? "PASS" : "MISS" } ?? "info"
        print(line([row.measurement, row.baseline, row.gateway, row.comparison, row.target], result))
    }
    print(baselineNote)
}
