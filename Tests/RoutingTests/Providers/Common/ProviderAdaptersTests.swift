import XCTest

@testable import Routing

final class ProviderAdaptersTests: XCTestCase {
    func testEachKindGetsItsAdapterAndCapabilities() {
        for kind in ProviderKind.allCases {
            let adapter = providerAdapter(for: kind)
            XCTAssertEqual(adapter.kind, kind)
            XCTAssertNotNil(adapter as? ModelListingAdapter, "\(kind) lists models")
        }
        XCTAssertNotNil(providerAdapter(for: .openai) as? EmbeddingsAdapter)
        XCTAssertNotNil(providerAdapter(for: .gemini) as? EmbeddingsAdapter)
        XCTAssertNil(providerAdapter(for: .anthropic) as? EmbeddingsAdapter)
    }

    func testGatewayFieldsNeverGoUpstream() throws {
        let request = ProviderFixtures.chat(
            """
            {"model":"auto","models":["a/b"],"tags":["t"],"route":"fallback","provider":{"order":["x"]},"transforms":[],
             "usage":{"include":true},"user_key":"k","messages":[{"role":"user","content":"hi"}]}
            """)
        let configs = [ProviderFixtures.openAI, ProviderFixtures.anthropic, ProviderFixtures.gemini]
        for config in configs {
            let upstream = try providerAdapter(for: config.kind).chatRequest(
                request, model: "m", provider: config,
                info: nil, stream: false)
            let body = ProviderFixtures.body(upstream)
            for field in ChatRequest.gatewayFields {
                XCTAssertNil(body[field], "\(config.kind) sent \(field)")
            }
            XCTAssertEqual(upstream.header("content-type"), "application/json")
        }
    }
}
