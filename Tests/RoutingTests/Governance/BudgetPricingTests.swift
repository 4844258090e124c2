import JSON
import XCTest

@testable import Routing

/// A key with a budget may only reach models whose price is known: a call whose cost cannot be counted would not
/// count against the budget at all.
final class BudgetPricingTests: XCTestCase {
    private func fixture() throws -> (RouterFixture, Governor) {
        let fixture = RouterFixture(models: [
            ModelInfo(id: id("a/priced"), pricing: Pricing(input: 1, output: 1)),
            ModelInfo(id: id("b/listed"), isPricingKnown: false),  // reported by a provider's /models, no price
        ])
        let governor = try Governor(adminSecret: "admin-secret", store: nil, clock: fixture.clock.routingClock)
        fixture.router.governor = governor
        return (fixture, governor)
    }

    private func caller(_ governor: Governor, _ fields: JSONObject) throws -> Principal {
        var created: Result<(secret: String, key: APIKey), RoutingError>?
        governor.createKey(fields) { created = $0 }
        return try governor.authenticate(try XCTUnwrap(created).get().secret).get()
    }

    func testABudgetedKeyIsRefusedAModelWithoutAPriceWithWhatToDo() throws {
        let (fixture, governor) = try fixture()
        let budgeted = try caller(governor, ["name": "capped", "credit_limit": 1])
        for model in ["b/listed", "c/unknown-model"] {
            let events = fixture.chat(
                ["model": .string(model), "messages": []], context: RequestContext(face: "http", principal: budgeted))
            let error = try XCTUnwrap(events.last?.failure, model)
            XCTAssertEqual(error.status, 403)
            XCTAssertEqual(error.code, "model_price_unknown")
            XCTAssertTrue(error.message.contains(model) && error.message.contains("pricing"), error.message)
            XCTAssertEqual(error.generationID, fixture.usage.rows.last?.id)
        }
        XCTAssertTrue(fixture.transport.sent.isEmpty, "nothing reached a provider")
        XCTAssertEqual(governor.requestsInFlight(keyID: budgeted.key!.id), 0)
    }

    func testUnpricedFallbacksAreSkippedAndPricedOnesStillServe() throws {
        let (fixture, governor) = try fixture()
        let budgeted = try caller(governor, ["name": "capped", "credit_limit": 1])
        fixture.transport.script("priced", Replies.completion("ok"))
        let events = fixture.chat(
            ["model": "b/listed", "models": ["a/priced"], "messages": []],
            context: RequestContext(face: "http", principal: budgeted))
        XCTAssertNotNil(events.last?.completionBody)
        XCTAssertEqual(fixture.transport.sent.map(\.model), ["priced"])
    }

    func testAProviderPriceCoversItsUnlistedModels() throws {
        let fixture = RouterFixture(
            models: [ModelInfo(id: id("c/own-price"), pricing: Pricing(input: 10, output: 10))],
            providerPricing: ["c": Pricing(input: 1_000, output: 2_000)])
        let governor = try Governor(adminSecret: "admin-secret", store: nil, clock: fixture.clock.routingClock)
        fixture.router.governor = governor
        let budgeted = try caller(governor, ["name": "capped", "credit_limit": 1])
        fixture.transport.script("unlisted", Replies.completion("ok", prompt: 10, completion: 5))
        fixture.transport.script("own-price", Replies.completion("ok", prompt: 10, completion: 5))
        for model in ["c/unlisted", "c/own-price"] {
            let events = fixture.chat(
                ["model": .string(model), "messages": []], context: RequestContext(face: "http", principal: budgeted))
            XCTAssertNotNil(events.last?.completionBody, model)
        }
        let providerPriced: Double = (10 * 1_000 + 5 * 2_000) / 1e6
        let ownPriced: Double = 15 * 10 / 1e6
        XCTAssertEqual(fixture.usage.rows.map(\.cost), [providerPriced, ownPriced])
        XCTAssertEqual(governor.key(id: budgeted.key!.id)?.spend ?? 0, 0.02015, accuracy: 1e-12)
    }

    func testKeysWithoutABudgetAndOpenGatewaysMayUseUnpricedModels() throws {
        let (fixture, governor) = try fixture()
        let unlimited = try caller(governor, ["name": "free"])
        fixture.transport.script("listed", Replies.completion("ok"))
        for principal in [unlimited, Principal.open] {
            let events = fixture.chat(
                ["model": "b/listed", "messages": []], context: RequestContext(face: "http", principal: principal))
            XCTAssertNotNil(events.last?.completionBody, "\(principal)")
        }
    }
}
