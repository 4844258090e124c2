import Foundation
import Loop
import LoopTestSupport
import Routing
import XCTest

@testable import Store

final class UsageWriterTests: StoreTestCase {
    func testAThousandRowsReadBackExactly() throws {
        let store = try openStore()
        let records = (0..<1_000).map { sampleRecord($0) }
        for record in records { store.usageWriter.record(record) }
        XCTAssertNil(wait { store.usageWriter.flush(completion: $0) } ?? StoreError("timed out"))
        XCTAssertEqual(store.usageWriter.writtenRows, 1_000)
        XCTAssertEqual(store.usageWriter.bufferedRows, 0)
        var read: [String: UsageRecord] = [:]
        var failures: [String] = []
        for record in records {
            store.usageRecord(id: record.id) { result in
                switch result {
                case .success(let found?): read[found.id] = found
                case .success(nil): failures.append("\(record.id) not found")
                case .failure(let error): failures.append("\(record.id): \(error)")
                }
            }
        }
        runLoop(loop, until: { read.count + failures.count == records.count }, timeout: 30_000)
        XCTAssertEqual(failures, [])
        for record in records where read[record.id] != record {
            XCTFail("\(record.id) differs:\n  wrote \(record)\n  read  \(String(describing: read[record.id]))")
            break
        }
        close(store)
        // The file holds exactly those rows, with one usage_tags row per distinct tag.
        let database = try otherConnection()
        XCTAssertEqual(try database.scalarInt("SELECT COUNT(*) FROM usage"), 1_000)
        XCTAssertEqual(
            try database.scalarInt("SELECT COUNT(*) FROM usage_tags"), records.reduce(0) { $0 + Set($1.tags).count })
        XCTAssertEqual(
            try database.scalarText("SELECT attempts FROM usage WHERE id = 'gen-2'"),
            #"[{"model":"openai/gpt-4o-mini","outcome":"rate_limited","status":429,"#
                + #""error":"slow down \"please\"\n","latency_ms":13.166666666666666,"cost":null},"#
                + #"{"model":"openrouter/meta/llama-3.3-70b","outcome":"ok","status":200,"error":null,"#
                + #""latency_ms":100.28571428571429,"cost":null}]"#)
        XCTAssertEqual(try database.scalarText("SELECT tags FROM usage WHERE id = 'gen-2'"), #"["team-a","café ☕"]"#)
        try database.close()
        try closeLoop()
    }

    func testRowsAreWrittenAfterTheDelayWithoutAFlush() throws {
        let store = try openStore(options: StoreOptions(flushDelayMilliseconds: 20))
        for index in 0..<3 { store.usageWriter.record(sampleRecord(index)) }
        XCTAssertEqual(store.worker.outstandingJobs, 0, "a short buffer waits for the delay")
        runLoop(loop, until: { store.usageWriter.writtenRows == 3 }, timeout: 10_000)
        close(store)
        try closeLoop()
    }

    func testAFullBatchGoesAtOnceWithoutWaitingForTheDelay() throws {
        // A delay no test would wait for: only the size threshold can send this batch.
        let store = try openStore(options: StoreOptions(batchRows: 256, flushDelayMilliseconds: 600_000))
        for index in 0..<255 { store.usageWriter.record(sampleRecord(index)) }
        XCTAssertEqual(store.worker.outstandingJobs, 0)
        store.usageWriter.record(sampleRecord(255))
        XCTAssertEqual(store.worker.outstandingJobs, 1, "the 256th row sends the batch")
        runLoop(loop, until: { store.usageWriter.writtenRows == 256 }, timeout: 10_000)
        close(store)
        try closeLoop()
    }

    func testCloseWritesRowsRecordedRightBeforeIt() throws {
        let store = try openStore(options: StoreOptions(flushDelayMilliseconds: 600_000))
        for index in 0..<300 { store.usageWriter.record(sampleRecord(index)) }
        close(store)
        XCTAssertEqual(store.usageWriter.bufferedRows, 0)
        // After close, rows are refused loudly rather than silently kept in memory.
        store.usageWriter.record(sampleRecord(999))
        XCTAssertEqual(store.usageWriter.droppedRows, 1)
        XCTAssertEqual(logs.lines(atLeast: .error, containing: "after the store began closing").count, 1)

        let reopened = try openStore()
        let last = wait { reopened.usageRecord(id: "gen-299", completion: $0) }
        XCTAssertEqual(try last?.get(), sampleRecord(299))
        close(reopened)
        let database = try otherConnection()
        XCTAssertEqual(try database.scalarInt("SELECT COUNT(*) FROM usage"), 300)
        try database.close()
        try closeLoop()
    }

    func testUsageRecordFindsARowNotYetWritten() throws {
        let store = try openStore(options: StoreOptions(flushDelayMilliseconds: 600_000))
        store.usageWriter.record(sampleRecord(7))
        let found = wait { store.usageRecord(id: "gen-7", completion: $0) }
        XCTAssertEqual(try found?.get(), sampleRecord(7))
        XCTAssertEqual(store.usageWriter.writtenRows, 0, "found in the buffer, not the table")
        let missing = wait { store.usageRecord(id: "gen-unknown", completion: $0) }
        XCTAssertEqual(try missing?.get(), .some(nil))
        close(store)
        try closeLoop()
    }

    func testAFailedBatchIsLoggedAndRetriedNotLost() throws {
        let store = try openStore(options: StoreOptions(retryDelayMilliseconds: 10, maxRetryDelayMilliseconds: 100))
        store.usageWriter.record(sampleRecord(0))
        XCTAssertNil(wait { store.usageWriter.flush(completion: $0) } ?? StoreError("timed out"))

        // Another connection takes the tables away: every batch fails until they are back.
        let other = try otherConnection()
        try other.execute("DROP TABLE usage_tags; DROP TABLE usage")
        for index in 1...20 { store.usageWriter.record(sampleRecord(index)) }
        let flushError = wait { store.usageWriter.flush(completion: $0) }
        XCTAssertTrue("\(String(describing: flushError))".contains("no such table"), "\(String(describing: flushError))")
        XCTAssertEqual(store.usageWriter.bufferedRows, 20, "the failed rows are kept")
        let failure = logs.lines(atLeast: .error, containing: "writing usage rows failed").first
        XCTAssertEqual(failure?.metadata["rows"], "20")
        XCTAssertTrue(failure?.metadata["error"]?.contains("no such table") ?? false, "\(String(describing: failure))")
        // Retries keep failing (and logging) on their own, without a flush.
        runLoop(
            loop, until: { self.logs.lines(atLeast: .error, containing: "writing usage rows failed").count >= 3 },
            timeout: 10_000)

        try other.execute(Schema.usageAndAliases.components(separatedBy: "CREATE TABLE aliases")[0])
        try other.execute(Schema.cacheWriteTokens)
        try other.close()
        // The next retry writes them; nothing was dropped.
        runLoop(loop, until: { store.usageWriter.bufferedRows == 0 }, timeout: 10_000)
        XCTAssertEqual(store.usageWriter.droppedRows, 0)
        XCTAssertEqual(logs.lines(atLeast: .notice, containing: "being written again").count, 1)
        let found = wait { store.usageRecord(id: "gen-20", completion: $0) }
        XCTAssertEqual(try found?.get(), sampleRecord(20))
        close(store)
        let database = try otherConnection()
        XCTAssertEqual(try database.scalarInt("SELECT COUNT(*) FROM usage"), 20)
        try database.close()
        try closeLoop()
    }

    func testBeyondTheRetainedLimitTheOldestRowsAreDroppedLoudly() throws {
        let options = StoreOptions(
            batchRows: 10, maxTransactionRows: 10, maxRetainedRows: 50,
            retryDelayMilliseconds: 600_000, maxRetryDelayMilliseconds: 600_000)
        let store = try openStore(options: options)
        let other = try otherConnection()
        try other.execute("DROP TABLE usage_tags; DROP TABLE usage")
        for index in 0..<10 { store.usageWriter.record(sampleRecord(index)) }
        runLoop(
            loop, until: { !self.logs.lines(atLeast: .error, containing: "writing usage rows failed").isEmpty },
            timeout: 10_000)
        for index in 10..<80 { store.usageWriter.record(sampleRecord(index)) }
        let kept = store.usageWriter.bufferedRows
        XCTAssertLessThanOrEqual(kept, 50)
        XCTAssertGreaterThanOrEqual(kept, 50 - 50 / 16, "rows go a sixteenth of the limit at a time")
        XCTAssertEqual(store.usageWriter.droppedRows, 80 - kept)
        let dropped = logs.lines(atLeast: .critical, containing: "dropping usage rows")
        XCTAssertEqual(dropped.count, 1, "one line per outage, not one per row")
        XCTAssertTrue(dropped.first?.metadata["last_error"]?.contains("no such table") ?? false)

        try other.execute(Schema.usageAndAliases.components(separatedBy: "CREATE TABLE aliases")[0])
        try other.execute(Schema.cacheWriteTokens)
        try other.close()
        XCTAssertNil(wait { store.usageWriter.flush(completion: $0) } ?? StoreError("timed out"))
        close(store)
        let database = try otherConnection()
        XCTAssertEqual(try database.scalarInt("SELECT COUNT(*) FROM usage"), kept)
        XCTAssertEqual(
            try database.scalarInt("SELECT MIN(CAST(substr(id, 5) AS INT)) FROM usage"), 80 - kept,
            "the oldest rows went, the newest were kept")
        try database.close()
        try closeLoop()
    }

    /// Not a timed test (it cannot fail on a slow machine): prints rows per second through the writer, from the
    /// first `record` to the flush that has them all in the file, in wall time and in process CPU time (the CPU
    /// figure holds on a loaded machine). Then what `record` costs the loop in steady state: rounds of 200 rows,
    /// each round written (untimed) before the next.
    func testThroughputFigure() throws {
        let count = 50_000
        let records = (0..<count).map { sampleRecord($0) }
        let store = try openStore()
        let (wall, cpu) = measure {
            for record in records { store.usageWriter.record(record) }
            XCTAssertNil(wait(timeout: 120_000) { store.usageWriter.flush(completion: $0) } ?? StoreError("timed out"))
        }
        XCTAssertEqual(store.usageWriter.writtenRows, count)
        print(
            "UsageWriter throughput: \(count) rows in \(format(wall)) s wall = \(Int(Double(count) / wall)) rows/s; "
                + "\(format(cpu)) s CPU = \(Int(Double(count) / cpu)) rows per CPU-second")
        close(store)

        let steady = try openStore("steady.sqlite")
        var recording = 0.0
        for round in 0..<100 {
            let batch = records[(round * 200)..<(round * 200 + 200)]
            recording += measure { for record in batch { steady.usageWriter.record(record) } }.wall
            XCTAssertNil(wait { steady.usageWriter.flush(completion: $0) } ?? StoreError("timed out"))
        }
        print("UsageWriter.record in steady state: \(Int(recording * 1e9 / 20_000)) ns per row on the loop")
        close(steady)
        try closeLoop()
    }

    private func measure(_ body: () -> Void) -> (wall: Double, cpu: Double) {
        let wallStart = EventLoop.hrtime()
        let cpuStart = processCPUSeconds()
        body()
        return (Double(EventLoop.hrtime() - wallStart) / 1e9, processCPUSeconds() - cpuStart)
    }

    /// CPU time of the whole process (the loop and the worker thread).
    private func processCPUSeconds() -> Double {
        Double(clock()) / Double(CLOCKS_PER_SEC)
    }

    private func format(_ seconds: Double) -> String { String(format: "%.3f", seconds) }
}
