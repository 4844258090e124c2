import XCTest
@testable import Store

final class PlaceholderStoreTests: XCTestCase {
    func testBuilds() {}
}
