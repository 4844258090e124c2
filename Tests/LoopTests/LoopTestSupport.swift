import Loop
import LoopTestSupport
import XCTest

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
