// The printed table both benchmarks end with: one line per figure, each with the issue's target (if any) and
// PASS/MISS, plus the small formatters its cells use.

import Foundation

/// One line of the table.
public struct Row {
    public var measurement: String
    public var baseline: String
    public var gateway: String
    public var comparison: String
    public var target: String
    /// `nil` for informational lines (no target in the issue).
    public var passed: Bool?

    public init(
        measurement: String, baseline: String, gateway: String, comparison: String, target: String = "—",
        passed: Bool? = nil
    ) {
        self.measurement = measurement
        self.baseline = baseline
        self.gateway = gateway
        self.comparison = comparison
        self.target = target
        self.passed = passed
    }
}

public func fmt(_ value: Double, _ decimals: Int = 1) -> String { String(format: "%.\(decimals)f", value) }
public func micros(_ value: Double) -> String { "\(fmt(value)) µs" }
public func rate(_ run: Run) -> String { "\(fmt(run.callsPerSecond, 0))/s" }
public func added(_ gateway: Double, _ base: Double) -> String { "\(gateway >= base ? "+" : "")\(fmt(gateway - base)) µs" }
public func ratio(_ gateway: Run, _ base: Run) -> String { "\(fmt(gateway.callsPerSecond / base.callsPerSecond, 2))×" }
public func megabytes(_ kilobytes: Int) -> String { "\(fmt(Double(kilobytes) * 1024 / 1e6)) MB" }

/// Pads `text` to `width` characters (by Unicode characters, so "µ" and "≥" count as one).
public func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
    let padding = String(repeating: " ", count: max(0, width - text.count))
    return right ? padding + text : text + padding
}

/// Prints the table to stdout, each column as wide as its widest cell (at least the widths the first benchmark
/// used, so its table keeps its look), then `baselineNote`. `titles` names the baseline, gateway and comparison
/// columns.
public func printTable(
    _ rows: [Row], titles: (String, String, String) = ("baseline", "gateway", "gw vs base"),
    baselineNote: String
) {
    let header = Row(
        measurement: "measurement", baseline: titles.0, gateway: titles.1, comparison: titles.2,
        target: "target")
    let all = [header] + rows
    func width(_ minimum: Int, _ cell: (Row) -> String, margin: Int = 2) -> Int {
        all.reduce(minimum) { widest, row in max(widest, cell(row).count + margin) }
    }
    let widths: [Int] = [
        width(40, \.measurement), width(13, \.baseline), width(13, \.gateway), width(16, \.comparison),
        width(16, \.target, margin: 1),
    ]
    func line(_ row: Row, _ result: String) -> String {
        pad(row.measurement, widths[0]) + pad(row.baseline, widths[1], right: true)
            + pad(row.gateway, widths[2], right: true) + pad(row.comparison, widths[3], right: true) + "  "
            + pad(row.target, widths[4]) + result
    }
    let first = line(header, "result")
    print(first)
    print(String(repeating: "-", count: first.count + 2))
    for row in rows {
        print(line(row, row.passed.map { $0 ? "PASS" : "MISS" } ?? "info"))
    }
    print(baselineNote)
}
