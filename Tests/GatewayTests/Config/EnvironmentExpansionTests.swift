import XCTest

@testable import Gateway

final class EnvironmentExpansionTests: XCTestCase {
    let expansion = EnvironmentExpansion(environment: ["HOME": "/home/a", "EMPTY": ""])

    func testExpandsVariablesAndDefaults() throws {
        XCTAssertEqual(try expansion.expand("${HOME}/bin"), "/home/a/bin")
        XCTAssertEqual(try expansion.expand("${MISSING:-fallback}"), "fallback")
        XCTAssertEqual(try expansion.expand("${EMPTY:-fallback}"), "fallback")
        XCTAssertEqual(try expansion.expand("${HOME:-x}"), "/home/a")
        XCTAssertEqual(try expansion.expand("cost $$5 and $PATH"), "cost $5 and $PATH")
        XCTAssertEqual(try expansion.expand("plain"), "plain")
    }

    func testUnsetVariableIsAnErrorNamingIt() {
        XCTAssertThrowsError(try expansion.expand("${API_TOKEN}")) { error in
            XCTAssertTrue("\(error)".contains("API_TOKEN"))
        }
        XCTAssertThrowsError(try expansion.expand("${UNCLOSED"))
        XCTAssertThrowsError(try expansion.expand("${bad name}"))
    }
}
