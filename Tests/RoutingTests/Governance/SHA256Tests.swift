import XCTest

@testable import Routing

final class SHA256Tests: XCTestCase {
    func testNISTVectors() {
        XCTAssertEqual(SHA256.hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(
            SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(
            SHA256.hex(String(repeating: "a", count: 1_000_000)),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // 55/56/64-byte inputs cross the padding boundaries.
        XCTAssertEqual(
            SHA256.hex(String(repeating: "a", count: 55)), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"
        )
        XCTAssertEqual(
            SHA256.hex(String(repeating: "a", count: 56)), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"
        )
        XCTAssertEqual(
            SHA256.hex(String(repeating: "a", count: 64)), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"
        )
    }

    func testConstantTimeEquals() {
        XCTAssertTrue(constantTimeEquals(Array("abc".utf8), Array("abc".utf8)))
        XCTAssertFalse(constantTimeEquals(Array("abc".utf8), Array("abd".utf8)))
        XCTAssertFalse(constantTimeEquals(Array("abc".utf8), Array("abcd".utf8)))
    }

    func testBudgetPeriods() {
        let time = 1_763_900_000.0  // 2025-11-23 12:13:20 UTC, a Sunday
        XCTAssertEqual(BudgetInterval.daily.periodStart(containing: time), 1_763_856_000)  // 2025-11-23 00:00
        XCTAssertEqual(BudgetInterval.weekly.periodStart(containing: time), 1_763_337_600)  // Monday 2025-11-17
        XCTAssertEqual(BudgetInterval.monthly.periodStart(containing: time), 1_761_955_200)  // 2025-11-01
        XCTAssertEqual(BudgetInterval.never.periodStart(containing: time), 0)
    }
}
