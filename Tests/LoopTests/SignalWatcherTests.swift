import Loop
import LoopTestSupport
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

final class SignalWatcherTests: LoopTestCase {
    func testRaisedSignalIsDeliveredOnTheLoop() throws {
        var received: [Int32] = []
        let watcher = try SignalWatcher(loop: loop, signal: SIGUSR1) { received.append($0) }
        XCTAssertEqual(raise(SIGUSR1), 0)
        XCTAssertEqual(received, [], "delivered on a loop turn, not inside the signal handler")
        runLoop(loop, until: { !received.isEmpty }, timeout: 5_000)
        XCTAssertEqual(received, [SIGUSR1])
        // Once more, to show the watcher stays armed.
        XCTAssertEqual(raise(SIGUSR1), 0)
        runLoop(loop, until: { received.count == 2 }, timeout: 5_000)
        watcher.close()
        try closeLoop()
    }

    func testTwoWatchersOnOneSignalBothHearIt() throws {
        var first = 0, second = 0
        let a = try SignalWatcher(loop: loop, signal: SIGUSR2) { _ in first += 1 }
        let b = try SignalWatcher(loop: loop, signal: SIGUSR2) { _ in second += 1 }
        XCTAssertEqual(raise(SIGUSR2), 0)
        runLoop(loop, until: { first == 1 && second == 1 }, timeout: 5_000)
        a.close()
        b.close()
        try closeLoop()
    }

    func testAnInvalidSignalThrows() throws {
        XCTAssertThrowsError(try SignalWatcher(loop: loop, signal: 0) { _ in }) { error in
            XCTAssertEqual((error as? UVError)?.name, "EINVAL")
        }
        try closeLoop()
    }
}
