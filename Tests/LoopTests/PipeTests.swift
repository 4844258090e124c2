import Foundation
import Loop
import LoopTestSupport
import XCTest

final class PipeTests: LoopTestCase {
    func testPipeOpenedOnAFileDescriptorReadsUntilEOF() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(Glibc.pipe(&fds), 0)
        XCTAssertTrue(Loop.Pipe.isStream(fd: fds[0]))
        let reader = try Loop.Pipe(loop: loop, fd: fds[0])  // owns fds[0] from here on
        var received: [UInt8] = []
        var ends: [UVError?] = []
        try reader.startReading(onRead: { received += $0 }, onEnd: { ends.append($0) })
        let text = Array("through a pipe".utf8)
        XCTAssertEqual(text.withUnsafeBytes { Glibc.write(fds[1], $0.baseAddress, $0.count) }, text.count)
        runLoop(loop, until: { received == text }, timeout: 5_000)
        XCTAssertEqual(Glibc.close(fds[1]), 0)
        runLoop(loop, until: { !ends.isEmpty }, timeout: 5_000)
        XCTAssertEqual(ends, [nil])
        reader.close()
        try closeLoop()
    }

    func testPauseAndResumeReading() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(Glibc.pipe(&fds), 0)
        let reader = try Loop.Pipe(loop: loop, fd: fds[0])
        var received: [UInt8] = []
        try reader.startReading(onRead: { received += $0 }, onEnd: { _ in })
        reader.pauseReading()
        _ = Array("abc".utf8).withUnsafeBytes { Glibc.write(fds[1], $0.baseAddress, $0.count) }
        runLoop(loop, for: 30)
        XCTAssertEqual(received, [], "a paused stream delivers nothing")
        reader.resumeReading()
        runLoop(loop, until: { received.text == "abc" }, timeout: 5_000)
        Glibc.close(fds[1])
        reader.close()
        try closeLoop()
    }

    func testResumeWithoutPauseIsHarmless() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(Glibc.pipe(&fds), 0)
        let reader = try Loop.Pipe(loop: loop, fd: fds[0])
        var received: [UInt8] = []
        var ends: [UVError?] = []
        try reader.startReading(onRead: { received += $0 }, onEnd: { ends.append($0) })
        reader.resumeReading()  // already reading: nothing to do
        reader.pauseReading()
        reader.resumeReading()
        reader.resumeReading()  // twice in a row
        _ = Array("abc".utf8).withUnsafeBytes { Glibc.write(fds[1], $0.baseAddress, $0.count) }
        runLoop(loop, until: { received.text == "abc" }, timeout: 5_000)
        XCTAssertEqual(ends.count, 0, "the stream did not end: \(ends)")
        Glibc.close(fds[1])
        runLoop(loop, until: { !ends.isEmpty }, timeout: 5_000)
        XCTAssertEqual(ends, [nil])
        reader.close()
        try closeLoop()
    }

    func testARegularFileIsRefusedWithEINVAL() throws {
        let path = NSTemporaryDirectory() + "switchyard-pipe-test-" + UUID().uuidString
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data("x".utf8)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fd = Glibc.open(path, O_RDONLY)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { Glibc.close(fd) }
        XCTAssertFalse(Loop.Pipe.isStream(fd: fd))
        XCTAssertThrowsError(try Loop.Pipe(loop: loop, fd: fd)) { error in
            XCTAssertEqual((error as? UVError)?.name, "EINVAL")
        }
        try closeLoop()
    }
}
