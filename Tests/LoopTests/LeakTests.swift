import Loop
import LoopTestSupport
import XCTest

/// `EventLoop.close()` is every test's leak check; these show that it really catches a handle left open.
final class LeakTests: LoopTestCase {
    func testClosingTheLoopWithATimerLeftOpenThrows() throws {
        let timer = try Loop.Timer(loop: loop)
        XCTAssertThrowsError(try loop.close()) { error in
            XCTAssertEqual((error as? UVError)?.name, "EBUSY")
            XCTAssertTrue("\(error)".contains("timer"), "the message lists the open handle: \(error)")
        }
        timer.close()
        try closeLoop()
    }

    func testClosingTheLoopWithAnActiveListenerLeftOpenThrows() throws {
        let listener = try TCPListener(loop: loop, host: "127.0.0.1", port: 0)
        try listener.listen { $0.close() }
        XCTAssertThrowsError(try loop.close()) { error in
            XCTAssertEqual((error as? UVError)?.name, "EBUSY")
            XCTAssertTrue("\(error)".contains("tcp"), "\(error)")
        }
        // The loop is still usable after a refused close.
        var fired = false
        try Loop.Timer.once(on: loop, after: 1) { fired = true }
        runLoop(loop, until: { fired }, timeout: 5_000)
        listener.close()
        try closeLoop()
    }

    func testHandlesClosedButNotYetCallbackedStillCloseCleanly() throws {
        // close() only starts libuv's close; the loop's own close() runs the turns that finish it.
        var completions = 0
        for _ in 0..<10 {
            let timer = try Loop.Timer(loop: loop)
            timer.start(after: 60_000) {}
            timer.close { completions += 1 }
        }
        XCTAssertEqual(completions, 0, "close completions run on a loop turn")
        loop.execute {}  // pending deferred work is dropped, not leaked
        try closeLoop()
        XCTAssertEqual(completions, 10)
    }
}
