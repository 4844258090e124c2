import XCTest

@testable import Routing

final class MediaSourceTests: XCTestCase {
    func testBase64DataURL() throws {
        let url = "data:image/png;base64,iVBORw0KGgo="
        XCTAssertEqual(try MediaSource.parse(url), .inline(mediaType: "image/png", base64: "iVBORw0KGgo="))
        XCTAssertEqual(DataURL("DATA:Image/JPEG;name=x.jpg;base64,/9j/\n4AAQ")?.mediaType, "image/jpeg")
        XCTAssertEqual(DataURL("data:image/jpeg;base64,/9j/\n4AAQ")?.base64, "/9j/4AAQ")
    }

    func testPercentEncodedDataURLIsReencodedAsBase64() {
        let url = DataURL("data:,Hello%2C%20World")
        XCTAssertEqual(url?.mediaType, "text/plain")
        XCTAssertEqual(url?.base64, "SGVsbG8sIFdvcmxk")
    }

    func testMalformedAndUnsupportedURLsAreBadRequests() {
        XCTAssertNil(DataURL("data:image/png;base64"))
        XCTAssertNil(DataURL("data:image/png;base64,"))
        XCTAssertEqual(
            ProviderFixtures.failure { () throws(UpstreamFailure) in _ = try MediaSource.parse("data:image/png") }?.kind,
            .badRequest)
        XCTAssertEqual(
            ProviderFixtures.failure { () throws(UpstreamFailure) in _ = try MediaSource.parse("file:///etc/passwd") }?.kind,
            .badRequest)
    }

    func testRemoteURLsAndGuessedTypes() throws {
        XCTAssertEqual(try MediaSource.parse("https://example.com/cat.png"), .remote(url: "https://example.com/cat.png"))
        XCTAssertEqual(MediaSource.mediaType(guessedFrom: "https://example.com/a/cat.JPG?size=2#x"), "image/jpeg")
        XCTAssertEqual(MediaSource.mediaType(guessedFrom: "https://example.com/doc.pdf"), "application/pdf")
        XCTAssertNil(MediaSource.mediaType(guessedFrom: "https://example.com/v1.2/image"))
    }
}
