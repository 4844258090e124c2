import Foundation
import LoopTestSupport
import XCTest

@testable import Store

final class StoreWorkerTests: StoreTestCase {
    func testJobsRunInOrderOffTheLoopAndCompleteOnTheLoop() throws {
        let worker = try StoreWorker(loop: loop, path: databasePath(), busyTimeoutMilliseconds: 1_000)
        let loopThread = pthread_self()
        var results: [Int] = []
        var offLoop = 0
        var completedOnLoop = true
        var returnedBeforeCompletion = true
        for index in 0..<200 {
            worker.submit({ _ in (index, pthread_self()) }) { result in
                guard case .success(let (value, thread)) = result else { return XCTFail("\(result)") }
                if pthread_equal(thread, loopThread) == 0 { offLoop += 1 }
                if pthread_equal(pthread_self(), loopThread) == 0 { completedOnLoop = false }
                results.append(value)
            }
            if !results.isEmpty { returnedBeforeCompletion = false }
        }
        XCTAssertTrue(returnedBeforeCompletion, "completions never run inside submit")
        runLoop(loop, until: { results.count == 200 }, timeout: 15_000)
        XCTAssertEqual(results, Array(0..<200))
        XCTAssertEqual(offLoop, 200, "the work ran on the worker thread")
        XCTAssertTrue(completedOnLoop)
        XCTAssertEqual(worker.outstandingJobs, 0)
        let closed = wait { worker.close(completion: $0) }
        XCTAssertNil(closed ?? StoreError("timed out"))
        try closeLoop()
    }

    func testErrorsThrownByAJobReachItsCompletion() throws {
        let worker = try StoreWorker(loop: loop, path: databasePath(), busyTimeoutMilliseconds: 1_000)
        let result = wait { worker.submit({ database in try database.scalarInt("SELECT * FROM missing") }, completion: $0) }
        guard case .failure(let error)? = result else {
            return XCTFail("expected a failure, got \(String(describing: result))")
        }
        XCTAssertEqual((error as? SQLiteError)?.message, "no such table: missing")
        _ = wait { worker.close(completion: $0) }
        try closeLoop()
    }

    func testCloseRunsEveryQueuedJobFirstAndLaterJobsAreRefused() throws {
        let worker = try StoreWorker(loop: loop, path: databasePath(), busyTimeoutMilliseconds: 1_000)
        var events: [String] = []
        for index in 0..<20 {
            worker.submit({ _ in index }) { _ in events.append("job \(index)") }
        }
        worker.close { _ in events.append("closed") }
        worker.close { _ in events.append("closed again") }
        var refused: Error?
        worker.submit({ _ in 0 }) { result in
            if case .failure(let error) = result { refused = error }
        }
        runLoop(loop, until: { events.count == 22 && refused != nil }, timeout: 15_000)
        XCTAssertEqual(events, (0..<20).map { "job \($0)" } + ["closed", "closed again"])
        XCTAssertTrue("\(refused.map { "\($0)" } ?? "")".contains("closed"))
        try closeLoop()
    }

    func testAConnectionThatCannotOpenFailsAtStartupWithoutLeaking() throws {
        let path = directory.appendingPathComponent("missing-directory/store.sqlite").path
        XCTAssertThrowsError(try StoreWorker(loop: loop, path: path, busyTimeoutMilliseconds: 1_000)) { error in
            XCTAssertEqual((error as? SQLiteError)?.codeName, "SQLITE_CANTOPEN", "\(error)")
        }
        try closeLoop()  // the worker's mailbox was closed
    }
}
