import Foundation
import Loop
import LoopTestSupport
import XCTest

final class OutputChannelTests: LoopTestCase {
    func testWritesToARegularFileWithPlainWrites() throws {
        let path = NSTemporaryDirectory() + "switchyard-output-test-" + UUID().uuidString
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: nil))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fd = Glibc.open(path, O_WRONLY)
        XCTAssertGreaterThanOrEqual(fd, 0)
        let channel = try OutputChannel(loop: loop, fd: fd)
        channel.write(Array("one\n".utf8))
        channel.write(Array("two\n".utf8))
        XCTAssertEqual(channel.pendingBytes, 0)
        channel.close()
        Glibc.close(fd)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "one\ntwo\n")
        try closeLoop()
    }

    func testCloseOnAPipeFlushesQueuedWritesFirst() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(Glibc.pipe(&fds), 0)
        let reader = try Loop.Pipe(loop: loop, fd: fds[0])
        var received: [UInt8] = []
        var ends: [UVError?] = []
        try reader.startReading(onRead: { received += $0 }, onEnd: { ends.append($0) })
        let channel = try OutputChannel(loop: loop, fd: fds[1])  // owns fds[1]
        // More than a pipe buffer (64 KiB), so some of it is still queued when close() is called.
        let payload = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 % 253) }
        channel.write(payload)
        channel.close()
        runLoop(loop, until: { !ends.isEmpty }, timeout: 10_000)
        XCTAssertEqual(ends, [nil], "the reader sees EOF only after everything")
        XCTAssertEqual(received.count, payload.count)
        XCTAssertTrue(received == payload, "bytes arrived intact and in order")
        reader.close()
        try closeLoop()
    }
}
