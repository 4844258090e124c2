import XCTest

@testable import HTTPServer

final class HTTPHeadersTests: XCTestCase {
    func testLookupIsCaseInsensitiveAndOrdered() {
        var headers: HTTPHeaders = ["Content-Type": "a", "X-Multi": "1"]
        headers.add("x-multi", "2")
        XCTAssertEqual(headers["content-type"], "a")
        XCTAssertEqual(headers["CONTENT-TYPE"], "a")
        XCTAssertNil(headers["content-typf"])
        XCTAssertNil(headers["content-typ"])
        XCTAssertEqual(headers.values("X-MULTI"), ["1", "2"])
        XCTAssertEqual(headers.map(\.name), ["Content-Type", "X-Multi", "x-multi"])
    }

    func testSetReplacesEveryValueInPlace() {
        var headers = HTTPHeaders([("A", "1"), ("B", "2"), ("a", "3"), ("C", "4")])
        headers.set("a", "9")
        XCTAssertEqual(headers.map { "\($0.name)=\($0.value)" }, ["A=9", "B=2", "C=4"])
        headers.set("D", "5")
        XCTAssertEqual(headers["d"], "5")
        headers.remove("b")
        XCTAssertEqual(headers.count, 3)
    }

    func testCaseFoldingOnlyAppliesToLetters() {
        XCTAssertTrue("X-ABC".equalsIgnoringASCIICase("x-abc"))
        XCTAssertFalse("[".equalsIgnoringASCIICase("{"), "0x5B and 0x7B differ only in bit 5 but are not letters")
        XCTAssertFalse("é".equalsIgnoringASCIICase("É"))
    }

    func testRequestTargetSplit() {
        XCTAssertTrue(HTTPRequest.split("/a?b?c") == ("/a", "b?c"))
        XCTAssertTrue(HTTPRequest.split("/a") == ("/a", nil))
        XCTAssertTrue(HTTPRequest.split("/a?") == ("/a", ""))
    }

    func testResponseHeadEncoding() {
        let head = ResponseEncoding.head(
            status: 200, headers: ["X": "1", "content-length": "99", "Evil": "a\r\nInjected: b"],
            framing: .contentLength(12_345), connection: .keepAlive, reserving: 0)
        XCTAssertEqual(
            String(decoding: head, as: UTF8.self),
            "HTTP/1.1 200 OK\r\nX: 1\r\nEvil: a  Injected: b\r\nContent-Length: 12345\r\nConnection: keep-alive\r\n\r\n")
        XCTAssertEqual(
            String(
                decoding: ResponseEncoding.head(
                    status: 599, headers: [:], framing: .chunked, connection: .close, reserving: 0), as: UTF8.self),
            "HTTP/1.1 599 \r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    }

    func testChunkAndNumberEncoding() {
        XCTAssertEqual(
            String(decoding: ResponseEncoding.chunk(Array(repeating: 65, count: 26)), as: UTF8.self),
            "1a\r\n" + String(repeating: "A", count: 26) + "\r\n")
        for value in [0, 9, 10, 255, 4096, 1 << 40] {
            var decimal: [UInt8] = [], hex: [UInt8] = []
            ResponseEncoding.appendDecimal(value, to: &decimal)
            ResponseEncoding.appendHex(value, to: &hex)
            XCTAssertEqual(String(decoding: decimal, as: UTF8.self), String(value))
            XCTAssertEqual(String(decoding: hex, as: UTF8.self), String(value, radix: 16))
        }
    }
}
