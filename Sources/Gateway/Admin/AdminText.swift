import FoundationEssentials
import JSON
import Patterns
import Routing
import Store

/// The text `OfflineAdmin` prints for people: short sentences and aligned tables.
enum AdminText {
    static func created(_ key: APIKey, secret: String) -> String {
        """
        Created \(key.id) (\(key.name)), kind \(key.kind.rawValue).
        Secret, shown only this once (only its hash is stored):
        \(secret)
        """
    }

    /// id, name, kind, spend / limit, reset interval, disabled.
    static func keyTable(_ keys: [APIKey]) -> String {
        table(
            header: ["ID", "NAME", "KIND", "SPEND / LIMIT", "RESET", "DISABLED"],
            rows: keys.map { key in
                [
                    key.id, key.name, key.kind.rawValue,
                    "\(money(key.spend)) / \(key.creditLimit.map(money) ?? "unlimited")",
                    key.resetInterval.rawValue, key.disabled ? "yes" : "no",
                ]
            },
            rightAligned: [])
    }

    static func usageTable(_ rows: [UsageSummaryRow], groupBy: String) -> String {
        table(
            header: [groupBy.uppercased(), "REQUESTS", "ERRORS", "PROMPT TOKENS", "COMPLETION TOKENS", "SPEND"],
            rows: rows.map { row in
                [
                    row.group ?? "(none)", "\(row.requests)", "\(row.errors)", "\(row.promptTokens)",
                    "\(row.completionTokens)", money(row.cost),
                ]
            },
            rightAligned: [1, 2, 3, 4, 5])
    }

    /// The `usage_summary` tool's row shape, so the CLI's `--json` matches it.
    static func json(_ row: UsageSummaryRow) -> JSON {
        [
            "group": row.group.map(JSON.string) ?? .null, "requests": .int(Int64(row.requests)),
            "errors": .int(Int64(row.errors)), "prompt_tokens": .int(Int64(row.promptTokens)),
            "completion_tokens": .int(Int64(row.completionTokens)), "cost": .double(row.cost),
            "average_latency_ms": .double(row.averageLatencyMilliseconds),
        ]
    }

    /// US dollars to the micro-dollar, without trailing zeros: `$0.000123`, `$5`.
    static func money(_ value: Double) -> String { "$" + number(value, decimals: 6) }

    /// A number without trailing zeros: `720`, `1.5`.
    static func number(_ value: Double, decimals: Int = 3) -> String {
        DecimalText.format(value, decimals: decimals)
    }

    /// Columns padded to their widest cell, two spaces apart; `rightAligned` columns (numbers) pad on the left.
    static func table(header: [String], rows: [[String]], rightAligned: Set<Int>) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { cells in
            var line = cells.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return rightAligned.contains(column) ? padding + cell : cell + padding
            }.joined(separator: "  ")
            while line.last == " " { line.removeLast() }  // the last column's padding
            return line
        }.joined(separator: "\n")
    }
}
