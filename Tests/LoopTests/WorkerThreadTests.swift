import Loop
import LoopTestSupport
import XCTest

/// A counter shared by threads, guarded by a `ConditionLock`.
private final class SharedCounter: @unchecked Sendable {
    let lock: ConditionLock
    var value = 0
    var released = false

    init() throws { lock = try ConditionLock() }
}

final class WorkerThreadTests: LoopTestCase {
    func testWorkerThreadsHandOffThroughAConditionLockAndReportThroughTheMailbox() throws {
        let counter = try SharedCounter()
        var finished = 0
        let mailbox = try Mailbox<Int>(loop: loop) { _ in finished += 1 }
        let sender = mailbox.sender
        for _ in 0..<3 {
            try WorkerThread.start(name: "test worker") {
                counter.lock.lock()
                while !counter.released { counter.lock.wait() }  // blocks until the loop thread releases it
                for _ in 0..<1_000 { counter.value += 1 }
                counter.lock.unlock()
                sender.post(1)
            }
        }
        runLoop(loop, for: 20)
        XCTAssertEqual(finished, 0, "workers wait for the release")
        counter.lock.lock()
        counter.released = true
        counter.lock.broadcast()
        counter.lock.unlock()
        runLoop(loop, until: { finished == 3 }, timeout: 10_000)
        counter.lock.lock()
        XCTAssertEqual(counter.value, 3_000, "increments under the lock never interleave")
        counter.lock.unlock()
        mailbox.close()
        try closeLoop()
    }
}
