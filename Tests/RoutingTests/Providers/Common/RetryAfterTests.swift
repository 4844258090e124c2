import XCTest

@testable import Routing

final class RetryAfterTests: XCTestCase {
    /// 1994-11-06 08:49:37 UTC, the example date of RFC 9110.
    private let rfcExample = 784_111_777.0

    func testDelaySeconds() {
        XCTAssertEqual(RetryAfter.seconds(in: [("Retry-After", "30")], now: 0), 30)
        XCTAssertEqual(RetryAfter.seconds(in: [("retry-after", " 1.5 ")], now: 0), 1.5)
        XCTAssertNil(RetryAfter.seconds(in: [("retry-after", "-3")], now: 0))
        XCTAssertNil(RetryAfter.seconds(in: [("retry-after", "soon")], now: 0))
        XCTAssertNil(RetryAfter.seconds(in: [("x-other", "3")], now: 0))
    }

    func testRetryAfterMillisecondsWinsOverSeconds() {
        let headers = [("retry-after", "2"), ("Retry-After-Ms", "1500")]
        XCTAssertEqual(RetryAfter.seconds(in: headers, now: 0), 1.5)
    }

    func testHTTPDateInAllThreeForms() {
        for text in ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"] {
            XCTAssertEqual(HTTPDate.parse(text), rfcExample, text)
        }
        XCTAssertEqual(HTTPDate.parse("Thu, 01 Jan 1970 00:00:00 GMT"), 0)
        XCTAssertEqual(HTTPDate.parse("Tue, 29 Feb 2028 12:00:00 GMT"), 1_835_438_400)
        XCTAssertNil(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 PST"))
        XCTAssertNil(HTTPDate.parse("Sun, 32 Nov 1994 08:49:37 GMT"))
        XCTAssertNil(HTTPDate.parse("yesterday"))
    }

    func testHTTPDateRetryAfterIsRelativeToNowAndNeverNegative() {
        let headers = [("Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT")]
        XCTAssertEqual(RetryAfter.seconds(in: headers, now: rfcExample - 12), 12)
        XCTAssertEqual(RetryAfter.seconds(in: headers, now: rfcExample + 100), 0)
    }

    func testProtobufDurations() {
        XCTAssertEqual(RetryAfter.parseDuration("12s"), 12)
        XCTAssertEqual(RetryAfter.parseDuration("1.500s"), 1.5)
        XCTAssertNil(RetryAfter.parseDuration("12"))
        XCTAssertNil(RetryAfter.parseDuration("-1s"))
    }
}
