import ServerSentEvents
import XCTest

final class SSEParserTests: XCTestCase {
    func parse(_ text: String, maxEventBytes: Int = 1 << 20) -> (events: [SSEEvent], parser: SSEParser) {
        var parser = SSEParser(maxEventBytes: maxEventBytes)
        let events = parser.feed(Array(text.utf8))
        return (events, parser)
    }

    /// Feeds `text` one byte at a time: every chunk boundary a network may produce.
    func parseByteByByte(_ text: String) -> [SSEEvent] {
        var parser = SSEParser()
        return Array(text.utf8).flatMap { parser.feed([$0]) }
    }

    func testOneEvent() {
        let (events, _) = parse("event: message\ndata: {\"jsonrpc\":\"2.0\"}\n\n")
        XCTAssertEqual(events, [SSEEvent(type: "message", data: Array(#"{"jsonrpc":"2.0"}"#.utf8))])
    }

    func testDataLinesAreJoinedWithLineFeeds() {
        let (events, _) = parse("data: first\ndata:second\ndata\ndata:  indented\n\n")
        XCTAssertEqual(events.map(\.text), ["first\nsecond\n\n indented"])
        XCTAssertNil(events.first?.type)
    }

    func testLineEndingsCRLFAndCR() {
        let (events, _) = parse("data: a\r\n\r\ndata: b\r\rdata: c\n\n")
        XCTAssertEqual(events.map(\.text), ["a", "b", "c"])
    }

    func testEveryChunkBoundaryGivesTheSameEvents() {
        let stream =
            "\u{FEFF}: hello\r\nevent: message\r\ndata: {\"a\":1}\r\nid: 7\r\n\r\n: ping - 2025-01-01\r\n\r\ndata: x\ndata: y\n\n"
        let whole = parse(stream).events
        XCTAssertEqual(whole.map(\.text), ["{\"a\":1}", "x\ny"])
        XCTAssertEqual(whole.map(\.id), ["7", "7"])
        XCTAssertEqual(parseByteByByte(stream), whole)
        for split in 0...stream.utf8.count {
            var parser = SSEParser()
            let bytes = Array(stream.utf8)
            let events = parser.feed(bytes[..<split]) + parser.feed(bytes[split...])
            XCTAssertEqual(events, whole, "split at \(split)")
        }
    }

    func testCRAtTheEndOfAChunkAndLFAtTheStartOfTheNextAreOneLineBreak() {
        var parser = SSEParser()
        XCTAssertEqual(parser.feed(Array("data: a\r".utf8)), [])
        // Were the LF taken for an empty line, "a" would be dispatched alone here.
        XCTAssertEqual(parser.feed(Array("\ndata: b\r".utf8)), [])
        XCTAssertEqual(parser.feed(Array("\n\r\n".utf8)).map(\.text), ["a\nb"])
    }

    func testCommentsIdRetryAndUnknownFields() {
        let (events, parser) = parse(": comment\nretry: 2500\nfoo: bar\nid: abc\ndata: payload\n\n")
        XCTAssertEqual(events, [SSEEvent(data: Array("payload".utf8), id: "abc")])
        XCTAssertEqual(parser.retryMilliseconds, 2500)
        XCTAssertEqual(parser.lastEventID, "abc")
    }

    func testInvalidRetryAndIdWithNULAreIgnored() {
        let (_, parser) = parse("retry: 12x\nretry:\nid: ok\nid: bad\0id\n\n")
        XCTAssertNil(parser.retryMilliseconds)
        XCTAssertEqual(parser.lastEventID, "ok")
    }

    func testAnEventWithoutDataIsNotDispatchedButItsIdCounts() {
        let (events, parser) = parse("id: 42\n\nevent: ping\n\n")
        XCTAssertEqual(events, [])
        XCTAssertEqual(parser.lastEventID, "42")
    }

    func testAnEmptyDataFieldDispatchesAnEmptyEvent() {
        // The spec's "priming" event: an id and empty data, which the transport skips.
        let (events, _) = parse("id: 1\ndata:\n\n")
        XCTAssertEqual(events, [SSEEvent(data: [], id: "1")])
    }

    func testAnIncompleteEventIsNotDispatched() {
        var parser = SSEParser()
        XCTAssertEqual(parser.feed(Array("data: half".utf8)), [])
        XCTAssertEqual(parser.feed(Array("\n".utf8)), [])
        XCTAssertEqual(parser.feed(Array("\n".utf8)).map(\.text), ["half"])
    }

    func testAnEventOverTheLimitIsDroppedAndTheNextOneStillArrives() {
        let big = String(repeating: "x", count: 100)
        let (events, parser) = parse(
            "data: \(big)\n\ndata: \(big.prefix(20))\ndata: \(big.prefix(20))\ndata: \(big.prefix(20))\n\ndata: ok\n\n",
            maxEventBytes: 50)
        XCTAssertEqual(events.map(\.text), ["ok"])
        XCTAssertEqual(parser.droppedEvents, 2)
    }

    func testTheLimitHoldsWhereverTheChunksSplitALine() {
        // A line read in place (whole in one chunk) and one gathered across chunks meet the same limit.
        let big = String(repeating: "x", count: 100)
        let stream = Array("data: \(big)\n\n: \(big)\ndata: ok\n\n".utf8)
        for split in 0...stream.count {
            var parser = SSEParser(maxEventBytes: 50)
            let events = parser.feed(stream[..<split]) + parser.feed(stream[split...])
            XCTAssertEqual(events.map(\.text), ["ok"], "split at \(split)")
            XCTAssertEqual(parser.droppedEvents, 1, "split at \(split)")
        }
    }

    func testLongCommentsDoNotCountAgainstTheLimit() {
        let (events, parser) = parse(": \(String(repeating: "z", count: 500))\ndata: ok\n\n", maxEventBytes: 50)
        XCTAssertEqual(events.map(\.text), ["ok"])
        XCTAssertEqual(parser.droppedEvents, 0)
    }

    func testEventTypeResetsAfterDispatchAndLastEventIDCarriesOver() {
        var parser = SSEParser(lastEventID: "9")
        let events = parser.feed(Array("event: custom\ndata: 1\n\ndata: 2\n\n".utf8))
        XCTAssertEqual(events, [SSEEvent(type: "custom", data: [0x31], id: "9"), SSEEvent(data: [0x32], id: "9")])
    }
}

extension SSEParserTests {
    func testFinishDispatchesALastEventWithoutItsBlankLine() {
        var parser = SSEParser()
        XCTAssertEqual(parser.feed(Array("data: a\n\ndata: [DONE]\n".utf8)).map(\.text), ["a"])
        XCTAssertEqual(parser.finish().map(\.text), ["[DONE]"])
        var unterminated = SSEParser()
        XCTAssertEqual(unterminated.feed(Array("event: end\ndata: [DO".utf8)), [])
        XCTAssertEqual(unterminated.feed(Array("NE]".utf8)), [])
        XCTAssertEqual(unterminated.finish(), [SSEEvent(type: "end", data: Array("[DONE]".utf8))])
        XCTAssertEqual(unterminated.finish(), [], "nothing twice")
    }

    func testMultiByteUTF8SplitAcrossFeedsStaysWhole() {
        let text = "data: {\"content\":\"héllo 👋 — 日本\"}\n\n"
        XCTAssertEqual(parseByteByByte(text).map(\.text), ["{\"content\":\"héllo 👋 — 日本\"}"])
    }
}

extension SSEParserTests {
    func testNextStopsRightAfterEachEventAndKeepsTheRest() {
        var parser = SSEParser()
        var rest = Array("data: a\r\n\r\nevent: e\ndata: b\n\ndata: c".utf8)[...]
        XCTAssertEqual(parser.next(from: &rest)?.text, "a")
        XCTAssertEqual(String(decoding: rest, as: UTF8.self), "event: e\ndata: b\n\ndata: c")
        XCTAssertEqual(parser.next(from: &rest), SSEEvent(type: "e", data: Array("b".utf8)))
        XCTAssertNil(parser.next(from: &rest), "an unfinished event consumes the rest")
        XCTAssertTrue(rest.isEmpty)
        var more = Array("\n\n".utf8)[...]
        XCTAssertEqual(parser.next(from: &more)?.text, "c")
    }

    func testNextAcrossACRSplitFromItsLF() {
        var parser = SSEParser()
        var first = Array("data: a\r".utf8)[...]
        XCTAssertNil(parser.next(from: &first))
        var second = Array("\n\r\n".utf8)[...]
        XCTAssertEqual(parser.next(from: &second)?.text, "a", "CR LF split across reads is one line break")
        XCTAssertTrue(second.isEmpty)
    }
}
