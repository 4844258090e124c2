import Loop
import XCTest

/// Runs `loop` one turn at a time until `condition` holds, for at most `ms` milliseconds.
///
/// A `Timer` is the deadline, so `runOnce()` (which blocks until some event arrives) always wakes up by then; no
/// test sleeps a fixed time. Fails the test and returns false when the deadline passes first.
@discardableResult
func runLoop(_ loop: EventLoop, until condition: () -> Bool, timeout ms: UInt64,
             file: StaticString = #filePath, line: UInt = #line) -> Bool {
    if condition() { return true }
    let deadline: Loop.Timer
    do {
        deadline = try Loop.Timer(loop: loop)
    } catch {
        XCTFail("cannot arm the deadline timer: \(error)", file: file, line: line)
        return false
    }
    var expired = false
    deadline.start(after: ms) { expired = true }
    while !condition() && !expired { loop.runOnce() }
    deadline.close()
    if condition() { return true }
    XCTFail("timed out after \(ms) ms", file: file, line: line)
    return false
}

/// Runs `loop` for `ms` milliseconds (ended by a timer, not a sleep), to show that something does *not* happen.
func runLoop(_ loop: EventLoop, for ms: UInt64) {
    var done = false
    guard let window = try? Loop.Timer(loop: loop) else { return }
    window.start(after: ms) { done = true }
    while !done { loop.runOnce() }
    window.close()
}

/// One loop per test, created on the test's thread. Every test ends with `closeLoop()`, which throws when a handle
/// is still open, so every test is a leak test (DESIGN.md §7).
class LoopTestCase: XCTestCase {
    private(set) var loop: EventLoop!
    private var loopClosed = false

    override func setUpWithError() throws {
        try super.setUpWithError()
        loop = try EventLoop()
        loopClosed = false
    }

    /// Closes the loop; throws (`EBUSY`, naming the open handles) when the test leaked one.
    func closeLoop() throws {
        try loop.close()
        loopClosed = true
    }

    override func tearDownWithError() throws {
        if let loop, !loopClosed {
            // A test that failed half-way. When handles are still open, close() throws again and those handles
            // (retained by libuv until their close callback) keep the loop alive, so its deinit cannot trap and
            // take the whole test run down with it.
            XCTFail("the test ended without closing its loop")
            if (try? loop.close()) != nil { loopClosed = true }
        }
        loop = nil
        try super.tearDownWithError()
    }
}

extension Array where Element == UInt8 {
    var text: String { String(decoding: self, as: UTF8.self) }
}
