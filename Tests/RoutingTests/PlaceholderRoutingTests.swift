import XCTest
@testable import Routing

final class PlaceholderRoutingTests: XCTestCase {
    func testBuilds() {}
}
