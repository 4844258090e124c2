import Patterns
import XCTest

final class HeaderNameTests: XCTestCase {
    func testTokensAreValidAndSeparatorsAreNot() {
        for name in ["X-Api-Key", "Authorization", "HTTP-Referer", "x_custom.1", "!#$%&'*+-.^_`|~"] {
            XCTAssertTrue(HeaderName.isValid(name), name)
        }
        for name in ["", "Bad Name", "X:Y", "Tab\there", "Ümlaut", "new\nline", "(paren)", "quote\""] {
            XCTAssertFalse(HeaderName.isValid(name), name)
        }
    }
}
