import XCTest
@testable import Routing

final class SSEFramerTests: XCTestCase {
    private func frames(_ text: String, sizes: [Int]) throws -> [SSEFrame] {
        var framer = SSEFramer()
        let bytes = Array(text.utf8)
        var frames: [SSEFrame] = []
        var position = 0
        var turn = 0
        while position < bytes.count {
            let size = min(sizes[turn % sizes.count], bytes.count - position)
            frames += try framer.feed(Array(bytes[position..<position + size]))
            position += size
            turn += 1
        }
        return frames + (try framer.finish())
    }

    func testEventsWithNamesAndDataInAnySplit() throws {
        let text = "event: message_start\ndata: {\"a\":1}\n\nevent: ping\ndata: {}\n\ndata: no name\n\n"
        let expected = [SSEFrame(event: "message_start", data: Array("{\"a\":1}".utf8)),
                        SSEFrame(event: "ping", data: Array("{}".utf8)),
                        SSEFrame(event: nil, data: Array("no name".utf8))]
        for sizes in ProviderFixtures.splits {
            XCTAssertEqual(try frames(text, sizes: sizes), expected, "split \(sizes)")
        }
    }

    func testCRLFAndLoneCRLineEndingsEvenSplitBetweenCRAndLF() throws {
        let text = "data: one\r\n\r\ndata: two\r\rdata: three\n\n"
        for sizes in ProviderFixtures.splits {
            XCTAssertEqual(try frames(text, sizes: sizes).map(\.text), ["one", "two", "three"], "split \(sizes)")
        }
    }

    func testCommentsAreSkippedAndMultiLineDataJoinedWithLF() throws {
        let text = ": keep-alive\n\ndata: first\ndata: second\n: comment inside\ndata:third\nid: 7\nretry: 100\n\n"
        XCTAssertEqual(try frames(text, sizes: [1]).map(\.text), ["first\nsecond\nthird"])
    }

    func testMultiByteUTF8SplitAcrossFeedsStaysWhole() throws {
        let text = "data: {\"content\":\"héllo 👋 — 日本\"}\n\n"
        for sizes in ProviderFixtures.splits {
            XCTAssertEqual(try frames(text, sizes: sizes).map(\.text), ["{\"content\":\"héllo 👋 — 日本\"}"])
        }
    }

    func testEventWithoutDataIsNotDispatchedAndNameDoesNotLeak() throws {
        let result = try frames("event: lonely\n\ndata: x\n\n", sizes: [3])
        XCTAssertEqual(result, [SSEFrame(event: nil, data: Array("x".utf8))])
    }

    func testFinishDispatchesALastEventWithoutItsBlankLine() throws {
        XCTAssertEqual(try frames("data: a\n\ndata: [DONE]\n", sizes: [Int.max]).map(\.text), ["a", "[DONE]"])
        XCTAssertEqual(try frames("data: [DONE]", sizes: [2]).map(\.text), ["[DONE]"])
    }

    func testByteOrderMarkAtStreamStartIsIgnored() throws {
        XCTAssertEqual(try frames("\u{FEFF}data: x\n\n", sizes: [1]).map(\.text), ["x"])
    }

    func testFieldWithoutColonAndEmptyData() throws {
        XCTAssertEqual(try frames("data\n\ndata:\n\n", sizes: [1]).map(\.text), ["", ""])
    }

    func testOversizedEventThrowsInvalidResponse() {
        var framer = SSEFramer(maxEventBytes: 16)
        let failure = ProviderFixtures.failure { () throws(UpstreamFailure) in
            _ = try framer.feed(Array("data: 0123456789abcdefghij\n\n".utf8))
        }
        XCTAssertEqual(failure?.kind, .invalidResponse)
    }
}
