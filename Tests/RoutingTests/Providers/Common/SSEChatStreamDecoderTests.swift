import JSON
import ServerSentEvents
import XCTest

@testable import Routing

/// The shared feed/finish of the provider stream decoders around `SSEParser` (whose own tests cover the
/// text/event-stream grammar).
final class SSEChatStreamDecoderTests: XCTestCase {
    func testAStreamEndingRightAfterDONEWithoutItsBlankLineIsComplete() throws {
        for ending in ["data: [DONE]\n", "data: [DONE]", "data: [DONE]\r"] {
            let decoder = OpenAIStreamDecoder(model: "m")
            let chunks = try decoder.feed(Array("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n\(ending)".utf8))
            XCTAssertEqual(chunks.count, 1)
            XCTAssertEqual(try decoder.finish(), [], ending)
            XCTAssertTrue(decoder.isComplete, ending)
        }
    }

    func testAnEventOverTheLimitFailsTheStreamWithInvalidResponse() {
        let decoder = OpenAIStreamDecoder(model: "m")
        decoder.framer = SSEParser(maxEventBytes: 16)
        let failure = ProviderFixtures.failure { () throws(UpstreamFailure) in
            _ = try decoder.feed(Array("data: {\"content\":\"0123456789abcdefghij\"}\n\n".utf8))
        }
        XCTAssertEqual(failure?.kind, .invalidResponse)
        XCTAssertTrue(failure?.message.contains("exceeds 16 bytes") == true, failure?.message ?? "")
    }

    func testAnEventOverTheLimitLeftOpenAtTheEndFailsToo() {
        let decoder = OpenAIStreamDecoder(model: "m")
        decoder.framer = SSEParser(maxEventBytes: 16)
        let failure = ProviderFixtures.failure { () throws(UpstreamFailure) in
            _ = try decoder.feed(Array("data: {\"content\":\"0123456789abcdefghij\"}".utf8))
            _ = try decoder.finish()
        }
        XCTAssertEqual(failure?.kind, .invalidResponse)
    }
}
