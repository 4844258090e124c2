import XCTest

@testable import MCP

final class DownstreamStateMachineTests: XCTestCase {
    private typealias Machine = DownstreamStateMachine

    /// A machine that has connected once and is ready.
    private func readyMachine(policy: DownstreamConfig.RestartPolicy = .always) -> Machine {
        var machine = Machine(policy: policy)
        XCTAssertEqual(machine.start(), .connect)
        XCTAssertEqual(machine.connected(), .armStableTimer)
        return machine
    }

    func testFirstStartConnectsAndBecomesReady() {
        var machine = Machine(policy: .always)
        XCTAssertEqual(machine.phase, .stopped)
        XCTAssertEqual(machine.start(), .connect)
        XCTAssertEqual(machine.phase, .starting)
        XCTAssertEqual(machine.connected(), .armStableTimer)
        XCTAssertEqual(machine.phase, .ready)
        XCTAssertEqual(machine.restarts, 0, "the first start is not a restart")
        XCTAssertNil(machine.lastError)
        XCTAssertNil(machine.nextRetryDelay)
    }

    func testBackoffDoublesFromOneSecondUpToThirtySeconds() {
        var machine = readyMachine()
        var delays: [UInt64] = []
        for attempt in 1...7 {
            guard case let .scheduleRetry(delay) = machine.failed("boom \(attempt)") else {
                return XCTFail("failure \(attempt) did not schedule a retry")
            }
            delays.append(delay)
            XCTAssertEqual(machine.phase, .backoff)
            XCTAssertEqual(machine.nextRetryDelay, delay)
            XCTAssertEqual(machine.lastError, "boom \(attempt)")
            XCTAssertEqual(machine.retry(), .connect)
            XCTAssertEqual(machine.phase, .starting)
            XCTAssertNil(machine.nextRetryDelay)
            XCTAssertEqual(machine.restarts, attempt)
            // Alternate: sometimes the restarted server gets ready and fails again, sometimes it fails while starting;
            // without a stable minute in between, both count as consecutive failures.
            if attempt.isMultiple(of: 2) { XCTAssertEqual(machine.connected(), .armStableTimer) }
        }
        XCTAssertEqual(delays, [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000])
    }

    func testBackoffStaysAtTheCapForever() {
        var machine = readyMachine()
        var last: UInt64 = 0
        for _ in 0..<100 {
            guard case let .scheduleRetry(delay) = machine.failed("again") else { return XCTFail("no retry") }
            last = delay
            _ = machine.retry()
        }
        XCTAssertEqual(last, 30_000, "no overflow after many failures")
    }

    func testAStableServerStartsAgainFromTheShortestDelay() {
        var machine = readyMachine()
        XCTAssertEqual(machine.failed("one"), .scheduleRetry(milliseconds: 1_000))
        _ = machine.retry()
        XCTAssertEqual(machine.connected(), .armStableTimer)
        XCTAssertEqual(machine.failed("two"), .scheduleRetry(milliseconds: 2_000))
        _ = machine.retry()
        XCTAssertEqual(machine.connected(), .armStableTimer)
        machine.stable()
        XCTAssertEqual(machine.failed("three"), .scheduleRetry(milliseconds: 1_000), "reset after a stable minute")
        XCTAssertEqual(machine.restarts, 2, "restarts count all restarts, not only consecutive ones")
    }

    func testStableOnlyCountsWhileReady() {
        var machine = readyMachine()
        XCTAssertEqual(machine.failed("one"), .scheduleRetry(milliseconds: 1_000))
        machine.stable()  // a late stable timer while in backoff must not reset
        _ = machine.retry()
        machine.stable()  // nor while starting
        XCTAssertEqual(machine.failed("two"), .scheduleRetry(milliseconds: 2_000))
    }

    func testPolicyNeverEndsFailed() {
        var machine = readyMachine(policy: .never)
        XCTAssertEqual(machine.failed("exited with status 1"), .disconnect)
        XCTAssertEqual(machine.phase, .failed)
        XCTAssertEqual(machine.lastError, "exited with status 1")
        XCTAssertNil(machine.nextRetryDelay)
        XCTAssertEqual(machine.retry(), .none, "a failed server is not retried")
        XCTAssertEqual(machine.failed("late close"), .none, "later failures change nothing")
        XCTAssertEqual(machine.lastError, "exited with status 1")
    }

    func testPolicyNeverAlsoAppliesWhileStarting() {
        var machine = Machine(policy: .never)
        _ = machine.start()
        XCTAssertEqual(machine.failed("no answer to initialize"), .disconnect)
        XCTAssertEqual(machine.phase, .failed)
    }

    func testOnFailureWithACleanExitEndsFailed() {
        var machine = readyMachine(policy: .onFailure)
        XCTAssertEqual(machine.failed("process exited with status 0", clean: true), .disconnect)
        XCTAssertEqual(machine.phase, .failed)
    }

    func testOnFailureWithAFailureRestarts() {
        var machine = readyMachine(policy: .onFailure)
        XCTAssertEqual(machine.failed("process exited with status 3"), .scheduleRetry(milliseconds: 1_000))
        XCTAssertEqual(machine.phase, .backoff)
    }

    func testAlwaysRestartsEvenAfterACleanExit() {
        var machine = readyMachine(policy: .always)
        XCTAssertEqual(machine.failed("process exited with status 0", clean: true), .scheduleRetry(milliseconds: 1_000))
    }

    func testManualRestartCountsAndResetsTheBackoff() {
        var machine = readyMachine()
        XCTAssertEqual(machine.failed("one"), .scheduleRetry(milliseconds: 1_000))
        _ = machine.retry()
        XCTAssertEqual(machine.failed("two"), .scheduleRetry(milliseconds: 2_000))
        XCTAssertEqual(machine.restarts, 1)

        // servers_restart while in backoff.
        XCTAssertEqual(machine.start(manual: true), .connect)
        XCTAssertEqual(machine.restarts, 2)
        XCTAssertEqual(machine.phase, .starting)
        XCTAssertNil(machine.nextRetryDelay)
        XCTAssertEqual(machine.connected(), .armStableTimer)
        XCTAssertEqual(machine.failed("three"), .scheduleRetry(milliseconds: 1_000), "a manual restart resets the backoff")

        // servers_restart of a ready server.
        _ = machine.retry()
        _ = machine.connected()
        XCTAssertEqual(machine.start(manual: true), .connect)
        XCTAssertEqual(machine.restarts, 4)
    }

    func testManualRestartBringsBackAFailedServer() {
        var machine = readyMachine(policy: .never)
        _ = machine.failed("gone")
        XCTAssertEqual(machine.start(manual: true), .connect)
        XCTAssertEqual(machine.phase, .starting)
        XCTAssertEqual(machine.restarts, 1)
        XCTAssertEqual(machine.connected(), .armStableTimer)
        XCTAssertNil(machine.lastError, "getting ready clears the last error")
    }

    func testStopDisconnectsOnceAndIgnoresLateEvents() {
        var machine = readyMachine()
        XCTAssertEqual(machine.stop(), .disconnect)
        XCTAssertEqual(machine.phase, .stopped)
        XCTAssertEqual(machine.stop(), .none)
        XCTAssertEqual(machine.failed("the child exited after stop"), .none, "a stopped server is not restarted")
        XCTAssertEqual(machine.phase, .stopped)
        XCTAssertEqual(machine.connected(), .none)
        XCTAssertEqual(machine.retry(), .none)
    }

    func testStopDuringBackoffCancelsTheRetry() {
        var machine = readyMachine()
        _ = machine.failed("one")
        XCTAssertEqual(machine.stop(), .disconnect)
        XCTAssertEqual(machine.retry(), .none, "the retry timer firing after stop does nothing")
        XCTAssertEqual(machine.phase, .stopped)
    }

    func testADisabledServerNeverStarts() {
        var machine = Machine(policy: .always, enabled: false)
        XCTAssertEqual(machine.phase, .disabled)
        XCTAssertEqual(machine.start(), .none)
        XCTAssertEqual(machine.start(manual: true), .none)
        XCTAssertEqual(machine.phase, .disabled)
        XCTAssertEqual(machine.stop(), .none, "nothing to disconnect")
        XCTAssertEqual(machine.phase, .stopped)
    }

    func testConnectedOnlyCountsWhileStarting() {
        var machine = readyMachine()
        XCTAssertEqual(machine.connected(), .none, "a second connected() while ready changes nothing")
        _ = machine.failed("one")
        XCTAssertEqual(machine.connected(), .none, "a late handshake answer during backoff is ignored")
        XCTAssertEqual(machine.phase, .backoff)
    }
}
