import Loop
import XCTest

/// Runs `loop` one turn at a time until `condition` holds, for at most `milliseconds`.
///
/// A `Loop.Timer` is the deadline, so `runOnce()` (which blocks until some event arrives) always wakes up by then;
/// no test sleeps a fixed time. Fails the test (naming `what` it waited for) and returns false when the deadline
/// passes first.
@discardableResult
public func runLoop(
    _ loop: EventLoop, until condition: () -> Bool, timeout milliseconds: UInt64 = 5_000,
    waitingFor what: String? = nil, file: StaticString = #filePath, line: UInt = #line
) -> Bool {
    if condition() { return true }
    let deadline: Loop.Timer
    do {
        deadline = try Loop.Timer(loop: loop)
    } catch {
        XCTFail("cannot arm the deadline timer: \(error)", file: file, line: line)
        return false
    }
    var expired = false
    deadline.start(after: milliseconds) { expired = true }
    while !condition() && !expired { loop.runOnce() }
    deadline.close()
    if condition() { return true }
    XCTFail("timed out after \(milliseconds) ms waiting for \(what ?? "the condition")", file: file, line: line)
    return false
}

/// Runs `loop` for `milliseconds` (ended by a timer, not a sleep), to show that something does *not* happen.
public func runLoop(_ loop: EventLoop, for milliseconds: UInt64, file: StaticString = #filePath, line: UInt = #line) {
    let window: Loop.Timer
    do {
        window = try Loop.Timer(loop: loop)
    } catch {
        return XCTFail("cannot arm the timer: \(error)", file: file, line: line)
    }
    var done = false
    window.start(after: milliseconds) { done = true }
    while !done { loop.runOnce() }
    window.close()
}
