import Foundation
import Routing
import XCTest

@testable import Store

final class UsageSummaryTests: StoreTestCase {
    /// Two UTC days, so grouping by day has two groups.
    private let dayOne = 1_700_000_000.0  // 2023-11-14T22:13:20Z
    private var records: [UsageRecord] {
        (0..<40).map { sampleRecord($0, createdAt: $0 < 25 ? dayOne : dayOne + 86_400) }
    }

    func testSummariesGroupedByEveryDimensionMatchTheRows() throws {
        let store = try openStore()
        for record in records { store.usageWriter.record(record) }
        for grouping in UsageGrouping.allCases {
            // No flush first: the summary writes buffered rows itself.
            let result = wait { store.usageSummary(since: 0, groupBy: grouping, completion: $0) }
            let rows = try XCTUnwrap(try result?.get(), "\(grouping)")
            let expected = expectedSummary(records, grouping)
            XCTAssertEqual(rows.count, expected.count, "\(grouping): \(rows.map(\.group))")
            for row in rows {
                guard let want = expected[row.group] else {
                    XCTFail("\(grouping): unexpected group \(String(describing: row.group))")
                    continue
                }
                XCTAssertEqual(row.requests, want.requests, "\(grouping) \(String(describing: row.group))")
                XCTAssertEqual(row.errors, want.errors, "\(grouping) \(String(describing: row.group))")
                XCTAssertEqual(row.promptTokens, want.promptTokens, "\(grouping) \(String(describing: row.group))")
                XCTAssertEqual(row.completionTokens, want.completionTokens, "\(grouping) \(String(describing: row.group))")
                XCTAssertEqual(row.cost, want.cost, accuracy: 1e-9, "\(grouping) \(String(describing: row.group))")
                XCTAssertEqual(row.averageLatencyMilliseconds, want.averageLatencyMilliseconds, accuracy: 1e-9)
            }
            XCTAssertEqual(rows.map(\.cost), rows.map(\.cost).sorted(by: >), "\(grouping): most expensive first")
        }
        let byDay = try XCTUnwrap(try wait { store.usageSummary(since: 0, groupBy: .day, completion: $0) }?.get())
        XCTAssertEqual(Set(byDay.map(\.group)), ["2023-11-14", "2023-11-15"])
        let byTag = try XCTUnwrap(try wait { store.usageSummary(since: 0, groupBy: .tag, completion: $0) }?.get())
        XCTAssertEqual(Set(byTag.map(\.group)), [nil, "team-a", "team-b", "café ☕"], "untagged requests form a nil group")
        close(store)
        try closeLoop()
    }

    func testSinceIsInclusiveAndUntilExclusive() throws {
        let store = try openStore()
        for record in records { store.usageWriter.record(record) }
        let firstDay = try XCTUnwrap(
            try wait {
                store.usageSummary(since: dayOne, until: dayOne + 86_400, groupBy: .status, completion: $0)
            }?.get())
        XCTAssertEqual(firstDay.reduce(0) { $0 + $1.requests }, 25)
        let secondDay = try XCTUnwrap(
            try wait {
                store.usageSummary(since: dayOne + 86_400, groupBy: .status, completion: $0)
            }?.get())
        XCTAssertEqual(secondDay.reduce(0) { $0 + $1.requests }, 15)
        let none = try XCTUnwrap(try wait { store.usageSummary(since: dayOne * 2, groupBy: .model, completion: $0) }?.get())
        XCTAssertEqual(none, [])
        close(store)
        try closeLoop()
    }

    func testRecentUsageCountsPerAnsweringModel() throws {
        let store = try openStore()
        for record in records { store.usageWriter.record(record) }
        let counts = try XCTUnwrap(try wait { store.recentUsageCounts(since: dayOne + 86_400, completion: $0) }?.get())
        var expected: [ModelID: Int] = [:]
        for record in records where record.createdAt >= dayOne + 86_400 {
            if let model = record.resolvedModel { expected[model, default: 0] += 1 }
        }
        XCTAssertEqual(counts, expected)
        XCTAssertEqual(counts.count, 3)
        close(store)
        try closeLoop()
    }

    /// The same aggregation done in Swift over the records, to compare with SQLite's.
    private func expectedSummary(_ records: [UsageRecord], _ grouping: UsageGrouping) -> [String?: UsageSummaryRow] {
        var rows: [String?: UsageSummaryRow] = [:]
        var latencies: [String?: [Double]] = [:]
        let day = DateFormatter()
        day.dateFormat = "yyyy-MM-dd"
        day.timeZone = TimeZone(identifier: "UTC")
        for record in records {
            let groups: [String?]
            switch grouping {
            case .model: groups = [record.resolvedModel?.description]
            case .provider: groups = [record.resolvedModel?.provider]
            case .key: groups = [record.keyID]
            case .tag: groups = record.tags.isEmpty ? [nil] : Array(Set(record.tags))
            case .day: groups = [day.string(from: Date(timeIntervalSince1970: record.createdAt))]
            case .face: groups = [record.face]
            case .status: groups = [record.status]
            }
            for group in groups {
                var row =
                    rows[group]
                    ?? UsageSummaryRow(
                        group: group, requests: 0, errors: 0, promptTokens: 0,
                        completionTokens: 0, cost: 0, averageLatencyMilliseconds: 0)
                row.requests += 1
                row.errors += record.status == "ok" ? 0 : 1
                row.promptTokens += record.usage.prompt
                row.completionTokens += record.usage.completion
                row.cost += record.cost
                latencies[group, default: []].append(record.latencyMilliseconds)
                rows[group] = row
            }
        }
        for (group, values) in latencies {
            rows[group]?.averageLatencyMilliseconds = values.reduce(0, +) / Double(values.count)
        }
        return rows
    }
}
