import XCTest
@testable import FakeProvider

final class PlaceholderFakeProviderTests: XCTestCase {
    func testBuilds() {}
}
