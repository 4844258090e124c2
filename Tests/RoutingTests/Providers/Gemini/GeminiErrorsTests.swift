import XCTest

@testable import Routing

final class GeminiErrorsTests: XCTestCase {
    private let adapter = GeminiAdapter()

    private func failure(_ status: Int, _ body: String, headers: [(String, String)] = []) -> UpstreamFailure {
        adapter.failure(status: status, headers: headers, body: Array(body.utf8))
    }

    func testQuotaErrorCarriesTheRetryDelayFromRetryInfo() {
        let body = """
            {"error":{"code":429,"message":"You exceeded your current quota, please check your plan and billing details.",
             "status":"RESOURCE_EXHAUSTED","details":[
              {"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaMetric":"generativelanguage.googleapis.com/generate_content_free_tier_requests","quotaId":"GenerateRequestsPerMinutePerProjectPerModel-FreeTier","quotaValue":"10"}]},
              {"@type":"type.googleapis.com/google.rpc.Help","links":[{"description":"Learn more about Gemini API quotas","url":"https://ai.google.dev/gemini-api/docs/rate-limits"}]},
              {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"12s"}]}}
            """
        let failure = failure(429, body)
        XCTAssertEqual(failure.kind, .rateLimited)
        XCTAssertEqual(failure.status, 429)
        XCTAssertEqual(failure.retryAfterSeconds, 12)
        XCTAssertTrue(failure.message.hasPrefix("You exceeded your current quota"))
        XCTAssertEqual(self.failure(429, body, headers: [("Retry-After", "3")]).retryAfterSeconds, 3)
    }

    func testStatusTable() {
        let table: [(Int, String, String, FailureKind)] = [
            (503, "UNAVAILABLE", "The model is overloaded. Please try again later.", .overloaded),
            (500, "INTERNAL", "An internal error has occurred.", .serverError),
            (504, "DEADLINE_EXCEEDED", "Deadline expired before operation could complete.", .timeout),
            (
                400, "INVALID_ARGUMENT",
                "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).", .contextTooLong
            ),
            (400, "INVALID_ARGUMENT", "* GenerateContentRequest.contents: contents is not specified", .badRequest),
            (403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers.", .auth),
            (401, "UNAUTHENTICATED", "Request had invalid authentication credentials.", .auth),
            (400, "FAILED_PRECONDITION", "User location is not supported for the API use.", .auth),
            (404, "NOT_FOUND", "models/gemini-9 is not found for API version v1beta.", .notFound),
        ]
        for (status, name, message, kind) in table {
            let body = #"{"error":{"code":\#(status),"message":"\#(message)","status":"\#(name)"}}"#
            XCTAssertEqual(failure(status, body).kind, kind, name + ": " + message)
            XCTAssertEqual(failure(status, body).message, message)
        }
    }

    func testInvalidKeyIsAuthAlthoughItIsA400() {
        let body =
            #"{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com","metadata":{"service":"generativelanguage.googleapis.com"}}]}}"#
        XCTAssertEqual(failure(400, body).kind, .auth)
    }

    func testBodiesWithoutStatusFallBackToTheHTTPStatus() {
        XCTAssertEqual(failure(502, "<html><title>502 Server Error</title></html>").kind, .serverError)
        XCTAssertEqual(failure(429, "").kind, .rateLimited)
        XCTAssertEqual(failure(503, #"[{"error":{"code":503,"message":"busy","status":"UNAVAILABLE"}}]"#).kind, .overloaded)
    }
}
