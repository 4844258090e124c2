import Patterns
import XCTest

final class GlobTests: XCTestCase {
    func testStarQuestionMarkAndLiterals() {
        XCTAssertTrue(Glob.matches("git__*", "git__status"))
        XCTAssertTrue(Glob.matches("*", ""))
        XCTAssertTrue(Glob.matches("openai/gpt-?o*", "openai/gpt-4o-mini"))
        XCTAssertFalse(Glob.matches("openai/*", "anthropic/claude"))
        XCTAssertFalse(Glob.matches("a?c", "ac"))
        XCTAssertTrue(Glob.matches("*a*b*", "xxaxxbxx"))
        XCTAssertFalse(Glob.matches("*a*b", "xxaxxbxx"))
    }
}
