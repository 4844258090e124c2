import JSON
import XCTest

@testable import Routing

final class ErrorBodyTests: XCTestCase {
    func testStatusDefaults() {
        let table: [(Int, FailureKind)] = [
            (429, .rateLimited), (408, .timeout), (413, .contextTooLong), (400, .badRequest), (422, .badRequest),
            (401, .auth), (403, .auth), (402, .auth), (404, .notFound), (503, .overloaded), (529, .overloaded),
            (504, .timeout), (500, .serverError), (502, .serverError), (599, .serverError), (409, .badRequest),
            (302, .invalidResponse),
        ]
        for (status, kind) in table {
            XCTAssertEqual(FailureKind.forHTTPStatus(status), kind, "HTTP \(status)")
        }
    }

    func testProviderErrorObject() {
        let body = ErrorBody(
            Array(#"{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}"#.utf8))
        XCTAssertEqual(body.message, "Rate limit reached")
        XCTAssertEqual(body.type, "requests")
        XCTAssertEqual(body.code, "rate_limit_exceeded")
    }

    func testGeminiArrayWrappedErrorAndNumericCode() {
        let body = ErrorBody(
            Array(#"[{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}]"#.utf8))
        XCTAssertEqual(body.message, "The model is overloaded.")
        XCTAssertEqual(body.code, "503")
        XCTAssertEqual(body.status, "UNAVAILABLE")
    }

    func testOtherServerShapes() {
        XCTAssertEqual(ErrorBody(Array(#"{"error":"model 'x' not found"}"#.utf8)).message, "model 'x' not found")
        XCTAssertEqual(ErrorBody(Array(#"{"message":"busy"}"#.utf8)).message, "busy")
        XCTAssertEqual(ErrorBody(Array(#"{"detail":"Not Found"}"#.utf8)).message, "Not Found")
        XCTAssertEqual(
            ErrorBody(Array(#"{"detail":[{"loc":["body"],"msg":"field required"}]}"#.utf8)).message, "field required")
        XCTAssertEqual(ErrorBody(Array(#"{"unexpected":true}"#.utf8)).message, #"{"unexpected":true}"#)
    }

    func testNonJSONAndEmptyBodies() {
        XCTAssertEqual(ErrorBody(Array("<html>502 Bad Gateway</html>".utf8)).message, "<html>502 Bad Gateway</html>")
        XCTAssertEqual(ErrorBody([]).message, "the provider sent an empty error body")
        XCTAssertEqual(ErrorBody(Array(" \n".utf8)).message, "the provider sent an empty error body")
        let long = String(repeating: "x", count: 2_000)
        XCTAssertLessThan(ErrorBody(Array(long.utf8)).message.count, 600)
    }

    func testProviderFailureReadsRetryAfterHeadersBeforeBodyDelay() {
        let fromHeader = UpstreamFailure.provider(
            .rateLimited, status: 429, message: "slow down",
            headers: [("retry-after", "7")], retryAfter: 30)
        XCTAssertEqual(fromHeader.retryAfterSeconds, 7)
        let fromBody = UpstreamFailure.provider(.rateLimited, status: 429, message: "slow down", headers: [], retryAfter: 30)
        XCTAssertEqual(fromBody.retryAfterSeconds, 30)
        XCTAssertEqual(fromBody.status, 429)
        XCTAssertEqual(fromBody.message, "slow down")
    }
}
