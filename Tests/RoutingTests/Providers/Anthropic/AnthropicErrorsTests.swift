import XCTest

@testable import Routing

final class AnthropicErrorsTests: XCTestCase {
    private let adapter = AnthropicAdapter()

    private func failure(_ status: Int, _ type: String, _ message: String, headers: [(String, String)] = [])
        -> UpstreamFailure
    {
        let body =
            #"{"type":"error","error":{"type":"\#(type)","message":"\#(message)"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}"#
        return adapter.failure(status: status, headers: headers, body: Array(body.utf8))
    }

    func testErrorTypeTable() {
        let table: [(Int, String, String, FailureKind)] = [
            (429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit", .rateLimited),
            (529, "overloaded_error", "Overloaded", .overloaded),
            (400, "invalid_request_error", "prompt is too long: 215000 tokens > 200000 maximum", .contextTooLong),
            (
                400, "invalid_request_error", "input length and `max_tokens` exceed context limit: 198000 + 8192 > 200000",
                .contextTooLong
            ),
            (400, "invalid_request_error", "messages.0.content: Field required", .badRequest),
            (401, "authentication_error", "invalid x-api-key", .auth),
            (403, "permission_error", "Your API key does not have permission to use the specified resource.", .auth),
            (404, "not_found_error", "model: claude-9", .notFound),
            (413, "request_too_large", "Request exceeds the maximum allowed number of bytes.", .contextTooLong),
            (500, "api_error", "Internal server error", .serverError),
            (504, "timeout_error", "Request timed out", .timeout),
            (502, "some_new_error", "Bad gateway", .serverError),
        ]
        for (status, type, message, kind) in table {
            let failure = failure(status, type, message)
            XCTAssertEqual(failure.kind, kind, type + ": " + message)
            XCTAssertEqual(failure.status, status)
            XCTAssertEqual(failure.message, message)
        }
    }

    func testRetryAfterHeaderAndNonJSONBodies() {
        XCTAssertEqual(failure(429, "rate_limit_error", "slow", headers: [("retry-after", "17")]).retryAfterSeconds, 17)
        XCTAssertEqual(adapter.failure(status: 529, headers: [], body: []).kind, .overloaded)
        XCTAssertEqual(
            adapter.failure(status: 502, headers: [], body: Array("<html>bad gateway</html>".utf8)).kind, .serverError)
    }
}
