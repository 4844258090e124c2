import XCTest

@testable import Routing

final class OpenAIErrorsTests: XCTestCase {
    private let adapter = OpenAIAdapter()

    private func failure(_ status: Int, _ body: String, headers: [(String, String)] = []) -> UpstreamFailure {
        adapter.failure(status: status, headers: headers, body: Array(body.utf8))
    }

    func testRateLimitWithRetryAfterForms() {
        let body =
            #"{"error":{"message":"Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM): Limit 30000, Used 29000, Requested 2000. Please try again in 2.5s.","type":"tokens","param":null,"code":"rate_limit_exceeded"}}"#
        let withMs = failure(429, body, headers: [("retry-after-ms", "2500"), ("retry-after", "3")])
        XCTAssertEqual(withMs.kind, .rateLimited)
        XCTAssertEqual(withMs.status, 429)
        XCTAssertEqual(withMs.retryAfterSeconds, 2.5)
        XCTAssertEqual(failure(429, body, headers: [("Retry-After", "3")]).retryAfterSeconds, 3)
        XCTAssertNil(failure(429, body).retryAfterSeconds)
    }

    func testInsufficientQuotaSaysQuota() {
        let exhausted = failure(
            429,
            #"{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}"#
        )
        XCTAssertEqual(exhausted.kind, .rateLimited)
        XCTAssertTrue(exhausted.message.contains("quota"))
        let terse = failure(429, #"{"error":{"message":"Out of credit","code":"insufficient_quota"}}"#)
        XCTAssertEqual(terse.message, "quota exhausted: Out of credit")
    }

    func testContextLengthByCodeAndByMessage() {
        XCTAssertEqual(
            failure(
                400,
                #"{"error":{"message":"This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#
            ).kind, .contextTooLong)
        // vLLM says it in the message only.
        XCTAssertEqual(
            failure(
                400,
                #"{"object":"error","message":"This model's maximum context length is 4096 tokens. However, you requested 5000 tokens","type":"BadRequestError","code":400}"#
            ).kind, .contextTooLong)
        // llama.cpp.
        XCTAssertEqual(
            failure(
                400,
                #"{"error":{"code":400,"message":"the request exceeds the available context size, try increasing it","type":"exceed_context_size_error"}}"#
            ).kind, .contextTooLong)
    }

    func testContentFilterAndOtherKinds() {
        XCTAssertEqual(
            failure(
                400,
                #"{"error":{"message":"Your request was rejected as a result of our safety system.","type":"invalid_request_error","code":"content_policy_violation"}}"#
            ).kind, .contentFiltered)
        XCTAssertEqual(
            failure(400, #"{"error":{"message":"The response was filtered","code":"content_filter"}}"#).kind,
            .contentFiltered)
        XCTAssertEqual(
            failure(
                400, #"{"error":{"message":"Invalid value for 'temperature'","type":"invalid_request_error","code":null}}"#
            ).kind, .badRequest)
        XCTAssertEqual(
            failure(
                401,
                #"{"error":{"message":"Incorrect API key provided: sk-abc.","type":"invalid_request_error","code":"invalid_api_key"}}"#
            ).kind, .auth)
        XCTAssertEqual(
            failure(
                404,
                #"{"error":{"message":"The model `gpt-5x` does not exist","type":"invalid_request_error","code":"model_not_found"}}"#
            ).kind, .notFound)
        XCTAssertEqual(
            failure(500, #"{"error":{"message":"The server had an error","type":"server_error"}}"#).kind, .serverError)
        XCTAssertEqual(failure(503, "<html>Service Unavailable</html>").kind, .overloaded)
        XCTAssertEqual(failure(504, "").kind, .timeout)
        XCTAssertEqual(
            failure(
                404,
                #"{"error":{"message":"Invalid URL (POST /v1/chat/completion)","type":"invalid_request_error","param":null,"code":null}}"#
            ).kind, .notFound)
        XCTAssertEqual(failure(503, "<html>Service Unavailable</html>").message, "<html>Service Unavailable</html>")
    }

    func testErrorsInsideA200UseTheRepeatedCodeOrType() {
        let mapped = { (body: String) in
            OpenAIErrors.failure(status: nil, headers: [], error: ErrorBody(Array(body.utf8))).kind
        }
        XCTAssertEqual(mapped(#"{"error":{"message":"slow down","code":429}}"#), .rateLimited)
        XCTAssertEqual(mapped(#"{"error":{"message":"bad 'temperature'","type":"invalid_request_error"}}"#), .badRequest)
        XCTAssertEqual(mapped(#"{"error":{"message":"upstream died","type":"server_error"}}"#), .serverError)
    }
}
