import JSONRPC
import XCTest

final class LineFramerTests: XCTestCase {
    private func lines(_ frames: [LineFramer.Frame]) -> [String] {
        frames.map { frame in
            switch frame {
            case .line(let bytes): return String(decoding: bytes, as: UTF8.self)
            case .tooLong(let size): return "<too long: \(size)>"
            }
        }
    }

    func testSplitsAcrossChunksAndStripsCR() {
        var framer = LineFramer(maxLineBytes: 100)
        XCTAssertEqual(lines(framer.feed(Array("{\"a\":1}\r\n{\"b\"".utf8)[...])), ["{\"a\":1}"])
        XCTAssertEqual(lines(framer.feed(Array(":2}\n\n  \n{\"c\":3}\n".utf8)[...])), ["{\"b\":2}", "{\"c\":3}"])
        XCTAssertEqual(framer.bufferedBytes, 0)
    }

    func testOversizedLineIsDroppedOnceAndTheStreamRecovers() {
        var framer = LineFramer(maxLineBytes: 10)
        var frames = framer.feed(Array(repeating: UInt8(ascii: "x"), count: 6)[...])
        frames += framer.feed(Array(repeating: UInt8(ascii: "x"), count: 1000)[...])
        XCTAssertEqual(framer.bufferedBytes, 0, "an oversized line is not buffered")
        frames += framer.feed(Array("xx\nok\n".utf8)[...])
        XCTAssertEqual(lines(frames), ["<too long: 1009>", "ok"])
    }

    func testOversizedLineInOneChunk() {
        var framer = LineFramer(maxLineBytes: 4)
        XCTAssertEqual(lines(framer.feed(Array("abcdefgh\nabc\n".utf8)[...])), ["<too long: 8>", "abc"])
    }
}
