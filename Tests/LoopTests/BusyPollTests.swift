import Foundation
import Loop
import LoopTestSupport
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// `EventLoop.run(spin:)`: the loop the gateway runs, which polls briefly before it sleeps.
final class BusyPollTests: LoopTestCase {
    func testItReturnsWhenNoHandlesRemain() throws {
        let timer = try Loop.Timer(loop: loop)
        var fired = 0
        timer.start(after: 20) {
            fired += 1
            timer.close()
        }
        loop.run(spin: .microseconds(100))
        XCTAssertEqual(fired, 1)
        try closeLoop()
    }

    func testStopEndsItFromACallback() throws {
        let timer = try Loop.Timer(loop: loop)
        var fired = 0
        timer.start(after: 1, repeat: 1) {
            fired += 1
            if fired == 3 { self.loop.stop() }
        }
        loop.run(spin: .microseconds(100))
        XCTAssertEqual(fired, 3, "nothing runs after stop()")
        timer.close()
        try closeLoop()
    }

    /// A message from another thread arrives through the loop's epoll descriptor, which is what the spin watches.
    func testWorkFromAnotherThreadIsServedWhileSpinning() throws {
        var received: [Int] = []
        var mailbox: Mailbox<Int>?
        mailbox = try Mailbox<Int>(loop: loop) { value in
            received.append(value)
            if received.count == 100 { mailbox?.close() }
        }
        let sender = try XCTUnwrap(mailbox).sender
        let thread = Thread {
            for value in 0..<100 {
                XCTAssertTrue(sender.post(value))
                usleep(200)  // gaps both shorter and longer than the window
            }
        }
        thread.start()
        loop.run(spin: .microseconds(300))
        XCTAssertEqual(received, Array(0..<100))
        try closeLoop()
    }

    /// The point of the window: an idle loop sleeps after it, instead of burning a CPU until the next event.
    func testAnIdleLoopSleepsAfterTheWindow() throws {
        let timer = try Loop.Timer(loop: loop)
        timer.start(after: 300) { timer.close() }
        let before = Self.threadCPUTime()
        loop.run(spin: .microseconds(100))
        let used = Self.threadCPUTime() - before
        XCTAssertLessThan(used, 0.1, "the loop used \(used) s of CPU waiting 0.3 s for a timer")
        try closeLoop()
    }

    private static func threadCPUTime() -> Double {
        var time = timespec()
        XCTAssertEqual(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time), 0)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
