import Loop
import LoopTestSupport
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

final class PollTests: LoopTestCase {
    func testPollReportsReadableAndWritable() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds), 0)
        let poll = try Poll(loop: loop, socket: fds[0])
        var seen: [(Int32, Poll.Events)] = []
        poll.start(.writable) { status, events in seen.append((status, events)) }
        runLoop(loop, until: { !seen.isEmpty }, timeout: 5_000)
        XCTAssertEqual(seen.first?.0, 0)
        XCTAssertEqual(seen.first?.1.contains(.writable), true)

        // Switch to readable: nothing until the other end writes.
        seen = []
        poll.start(.readable) { status, events in seen.append((status, events)) }
        runLoop(loop, for: 20)
        XCTAssertTrue(seen.isEmpty, "not readable before anything was written")
        XCTAssertEqual(Glibc.write(fds[1], "x", 1), 1)
        runLoop(loop, until: { !seen.isEmpty }, timeout: 5_000)
        XCTAssertEqual(seen.first?.1.contains(.readable), true)
        poll.stop()

        // The poll never owns the socket: close it first, then the descriptors.
        var closed = false
        poll.close { closed = true }
        runLoop(loop, until: { closed }, timeout: 5_000)
        Glibc.close(fds[0])
        Glibc.close(fds[1])
        try closeLoop()
    }
}
