import Loop
import LoopTestSupport
import XCTest

final class TimerTests: LoopTestCase {
    func testOneShotFiresOnceAfterItsDelay() throws {
        let timer = try Loop.Timer(loop: loop)
        var fired = 0
        let started = EventLoop.hrtime()
        var elapsedMilliseconds: UInt64 = 0
        timer.start(after: 50) {
            fired += 1
            elapsedMilliseconds = (EventLoop.hrtime() - started) / 1_000_000
        }
        XCTAssertTrue(timer.isActive)
        runLoop(loop, until: { fired == 1 }, timeout: 5_000)
        // libuv's clock has millisecond granularity; allow it to round down a little, never to fire early by more.
        XCTAssertGreaterThanOrEqual(elapsedMilliseconds, 45)
        XCTAssertFalse(timer.isActive, "a one-shot timer disarms after firing")
        runLoop(loop, for: 80)
        XCTAssertEqual(fired, 1)
        timer.close()
        try closeLoop()
    }

    func testRepeatingTimerFiresUntilStopped() throws {
        let timer = try Loop.Timer(loop: loop)
        var fired = 0
        timer.start(after: 5, repeat: 5) {
            fired += 1
            if fired == 3 { timer.stop() }
        }
        runLoop(loop, until: { fired == 3 }, timeout: 5_000)
        XCTAssertFalse(timer.isActive)
        runLoop(loop, for: 50)
        XCTAssertEqual(fired, 3, "a stopped repeating timer fires no more")
        timer.close()
        try closeLoop()
    }

    func testStopBeforeFiringThenRestart() throws {
        let timer = try Loop.Timer(loop: loop)
        var fired: [String] = []
        timer.start(after: 20) { fired.append("first") }
        timer.stop()
        XCTAssertFalse(timer.isActive)
        runLoop(loop, for: 60)
        XCTAssertEqual(fired, [], "a stopped timer does not fire")
        timer.start(after: 5) { fired.append("second") }
        runLoop(loop, until: { fired == ["second"] }, timeout: 5_000)
        timer.close()
        try closeLoop()
    }

    func testRestartReplacesTheCallback() throws {
        let timer = try Loop.Timer(loop: loop)
        var fired: [String] = []
        timer.start(after: 30) { fired.append("old") }
        timer.start(after: 5) { fired.append("new") }
        runLoop(loop, until: { !fired.isEmpty }, timeout: 5_000)
        runLoop(loop, for: 60)
        XCTAssertEqual(fired, ["new"])
        timer.close()
        try closeLoop()
    }

    func testClosedTimerNeverFiresAndIgnoresStart() throws {
        let timer = try Loop.Timer(loop: loop)
        var fired = false
        timer.start(after: 5) { fired = true }
        var closeCompleted = false
        timer.close { closeCompleted = true }
        XCTAssertTrue(timer.closed)
        timer.start(after: 1) { fired = true }  // ignored: the timer is closed
        XCTAssertFalse(timer.isActive)
        runLoop(loop, until: { closeCompleted }, timeout: 5_000)
        runLoop(loop, for: 30)
        XCTAssertFalse(fired)
        timer.close()  // closing twice is harmless
        try closeLoop()
    }

    func testOnceFiresAndClosesItself() throws {
        var fired = 0
        let timer = try Loop.Timer.once(on: loop, after: 5) { fired += 1 }
        runLoop(loop, until: { fired == 1 }, timeout: 5_000)
        XCTAssertTrue(timer.closed, "Timer.once closes itself after firing")
        try closeLoop()
    }

    func testOnceCanBeCancelledByClosing() throws {
        var fired = false
        let timer = try Loop.Timer.once(on: loop, after: 10) { fired = true }
        timer.close()
        runLoop(loop, for: 50)
        XCTAssertFalse(fired)
        try closeLoop()
    }

    func testExecuteRunsLaterNotReentrantly() throws {
        var log: [String] = []
        loop.execute { log.append("deferred") }
        log.append("after execute")
        XCTAssertEqual(log, ["after execute"], "execute must not run the body inside the caller")
        runLoop(loop, until: { log.count == 2 }, timeout: 5_000)
        XCTAssertEqual(log, ["after execute", "deferred"])
        try closeLoop()
    }

    func testExecuteKeepsOrderAndDefersNestedWorkToALaterTurn() throws {
        var log: [String] = []
        loop.execute {
            log.append("1")
            self.loop.execute { log.append("nested") }
            log.append("1 done")
        }
        loop.execute { log.append("2") }
        loop.runOnce(wait: false)
        XCTAssertEqual(log, ["1", "1 done", "2"], "work queued from a deferred body waits for the next turn")
        runLoop(loop, until: { log.count == 4 }, timeout: 5_000)
        XCTAssertEqual(log.last, "nested")
        try closeLoop()
    }

    func testExecuteFromATimerCallback() throws {
        var log: [String] = []
        let timer = try Loop.Timer(loop: loop)
        timer.start(after: 1) {
            self.loop.execute { log.append("deferred") }
            log.append("timer")
        }
        runLoop(loop, until: { log.count == 2 }, timeout: 5_000)
        XCTAssertEqual(log, ["timer", "deferred"])
        timer.close()
        try closeLoop()
    }

    func testIdleLoopRunReturnsOnceExecutedWorkIsDone() throws {
        // `run()` must return when nothing is left: the idle handle behind execute() stops once its queue is empty.
        var ran = false
        var guardFired = false
        loop.execute { ran = true }
        // A safety net that does not itself keep the loop alive (unref): if run() failed to return, stop it.
        let safety = try Loop.Timer(loop: loop)
        safety.unref()
        safety.start(after: 5_000) {
            guardFired = true; self.loop.stop()
        }
        loop.run()
        XCTAssertTrue(ran)
        XCTAssertFalse(guardFired, "run() kept going after the deferred work was done")
        safety.close()
        try closeLoop()
    }
}
