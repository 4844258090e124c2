import XCTest

@testable import Routing

final class ReasoningRequestTests: XCTestCase {
    func testReasoningEffortLevels() {
        XCTAssertEqual(ReasoningRequest(["reasoning_effort": "low"]), .budget(1024, exclude: false))
        XCTAssertEqual(ReasoningRequest(["reasoning_effort": "medium"]), .budget(4096, exclude: false))
        XCTAssertEqual(ReasoningRequest(["reasoning_effort": "high"]), .budget(16_384, exclude: false))
        XCTAssertEqual(ReasoningRequest(["reasoning_effort": "minimal"]), .budget(1024, exclude: false))
        XCTAssertEqual(ReasoningRequest(["reasoning_effort": "none"]), .disabled)
        XCTAssertNil(ReasoningRequest(["reasoning_effort": "extreme"]))
        XCTAssertNil(ReasoningRequest(["model": "m"]))
    }

    func testReasoningObject() {
        XCTAssertEqual(ReasoningRequest(["reasoning": ["max_tokens": 2000]]), .budget(2000, exclude: false))
        XCTAssertEqual(ReasoningRequest(["reasoning": ["effort": "high", "exclude": true]]), .budget(16_384, exclude: true))
        XCTAssertEqual(ReasoningRequest(["reasoning": ["enabled": true]]), .budget(4096, exclude: false))
        XCTAssertEqual(ReasoningRequest(["reasoning": ["enabled": false, "max_tokens": 2000]]), .disabled)
        XCTAssertNil(ReasoningRequest(["reasoning": [:]]))
    }
}
