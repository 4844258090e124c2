import JSON
import XCTest

@testable import Routing

final class GovernorTests: XCTestCase {
    /// A router with priced models and a governed key store in memory.
    private func fixture(price: Pricing = Pricing(input: 1000, output: 1000)) -> (RouterFixture, Governor) {
        let fixture = RouterFixture(models: [
            ModelInfo(id: id("a/m"), maxOutputTokens: 100, pricing: price),
            ModelInfo(id: id("b/other"), pricing: price),
        ])
        let governor = try! Governor(adminSecret: "admin-secret", store: nil, clock: fixture.clock.routingClock)
        fixture.router.governor = governor
        return (fixture, governor)
    }

    private func create(_ governor: Governor, _ fields: JSONObject) throws -> (String, APIKey) {
        var created: Result<(secret: String, key: APIKey), RoutingError>?
        governor.createKey(fields) { created = $0 }
        return try XCTUnwrap(created).get()
    }

    private func principal(_ governor: Governor, _ secret: String) throws -> Principal {
        try governor.authenticate(secret).get()
    }

    func testAuthentication() throws {
        let (_, governor) = fixture()
        XCTAssertEqual(try principal(governor, "admin-secret"), .admin)
        let (secret, key) = try create(governor, ["name": "app"])
        XCTAssertTrue(secret.hasPrefix("sk-sy-"))
        XCTAssertEqual(key.secretHash, SHA256.hex(secret))
        XCTAssertEqual(try principal(governor, secret).key?.id, key.id)
        XCTAssertEqual(governor.authenticate(nil).failureStatus, 401)
        XCTAssertEqual(governor.authenticate("sk-sy-wrong").failureStatus, 401)
        let open = try Governor(adminSecret: nil, store: nil)
        XCTAssertEqual(try open.authenticate(nil).get(), .open)
    }

    func testConcurrentRequestsNeverOverspendByMoreThanOneEstimate() throws {
        let (fixture, governor) = fixture()
        // Estimate per request: (prompt ≈ 25 tokens + 100 output) × $1000/M ≈ $0.125; actual: 15 tokens = $0.015.
        let (secret, key) = try create(governor, ["name": "tight", "credit_limit": 1.5])
        let caller = try principal(governor, secret)
        fixture.transport.script("m", Replies.completion("ok", prompt: 10, completion: 5))
        var statuses: [Int] = []
        for _ in 0..<500 {
            fixture.router.chat(
                ChatRequest(body: ["model": "a/m", "max_tokens": 100, "messages": [["role": "user", "content": "hi"]]]),
                context: RequestContext(face: "http", principal: caller)
            ) { event in
                switch event {
                case .completion: statuses.append(200)
                case .failed(let error, _): statuses.append(error.status)
                default: break
                }
            }
        }
        fixture.transport.run()
        let estimate = fixture.router.estimate(
            ChatRequest(body: ["max_tokens": 100, "messages": [["role": "user", "content": "hi"]]]),
            RoutePlan(
                requested: "a/m",
                candidates: [
                    RouteCandidate(
                        model: id("a/m"), reason: "",
                        info: ModelInfo(id: id("a/m"), maxOutputTokens: 100, pricing: Pricing(input: 1000, output: 1000)))
                ], skipped: []))
        let admitted = statuses.filter { $0 == 200 }.count
        XCTAssertEqual(statuses.count, 500)
        XCTAssertEqual(statuses.filter { $0 == 402 }.count, 500 - admitted, "every other request gets 402")
        XCTAssertEqual(admitted, Int((1.5 / estimate).rounded(.up)), "admitted while budget was left, counting reservations")
        let spent = try XCTUnwrap(governor.key(id: key.id)).spend
        XCTAssertLessThanOrEqual(spent, 1.5 + estimate)
        let rowTotal = fixture.usage.rows.filter { $0.keyID == key.id }.reduce(0.0) { $0 + $1.cost }
        XCTAssertEqual(rowTotal, spent, "usage rows add up exactly to the spend counter")
        XCTAssertEqual(fixture.usage.rows.count, 500, "refusals are recorded too")
        XCTAssertEqual(fixture.usage.rows.filter { $0.httpStatus == 402 }.count, 500 - admitted)
        XCTAssertEqual(governor.requestsInFlight(keyID: key.id), 0)
        // Once settled, the budget left is used again: actual costs were far below the estimates.
        XCTAssertEqual(governor.remainingBudget(keyID: key.id)!, 1.5 - spent, accuracy: 1e-9)
    }

    func testRPMAdmitsExactlyTheLimitAndSaysWhenToRetry() throws {
        let (fixture, governor) = fixture(price: Pricing())
        let (secret, _) = try create(governor, ["name": "rpm", "rpm_limit": 5])
        let caller = try principal(governor, secret)
        fixture.transport.script("m", Replies.completion("ok"))
        var results: [RoutingError?] = []
        for second in 0..<8 {
            fixture.clock.seconds = 1000 + Double(second)
            let events = fixture.chat(
                ["model": "a/m", "messages": []], context: RequestContext(face: "http", principal: caller))
            results.append(events.first?.failure)
        }
        XCTAssertEqual(results.filter { $0 == nil }.count, 5)
        let refused = try XCTUnwrap(results[5])
        XCTAssertEqual(refused.status, 429)
        XCTAssertEqual(refused.retryAfterSeconds!, 55, accuracy: 0.001, "the first request leaves the window at 1060")
        fixture.clock.seconds = 1060.5
        XCTAssertNil(
            fixture.chat(["model": "a/m", "messages": []], context: RequestContext(face: "http", principal: caller)).first?
                .failure)
    }

    func testTPMCountsActualTokensInASlidingWindow() throws {
        let (fixture, governor) = fixture(price: Pricing())
        let (secret, _) = try create(governor, ["name": "tpm", "tpm_limit": 30])
        let caller = try principal(governor, secret)
        fixture.transport.script("m", Replies.completion("ok", prompt: 10, completion: 5))  // 15 tokens each
        let context = RequestContext(face: "http", principal: caller)
        XCTAssertNil(fixture.chat(["model": "a/m", "messages": []], context: context).first?.failure)
        fixture.clock.seconds += 10
        XCTAssertNil(fixture.chat(["model": "a/m", "messages": []], context: context).first?.failure)
        let refused = fixture.chat(["model": "a/m", "messages": []], context: context).first?.failure
        XCTAssertEqual(refused?.status, 429)
        XCTAssertEqual(refused?.retryAfterSeconds ?? 0, 50, accuracy: 0.001)
        fixture.clock.seconds += 51
        XCTAssertNil(fixture.chat(["model": "a/m", "messages": []], context: context).first?.failure)
    }

    func testInFlightLimit() throws {
        let (fixture, governor) = fixture(price: Pricing())
        let (secret, _) = try create(governor, ["name": "one", "max_in_flight": 1])
        let caller = try principal(governor, secret)
        fixture.transport.script("m", .hang)
        var second: RoutingError?
        fixture.router.chat(
            ChatRequest(body: ["model": "a/m", "messages": []]), context: RequestContext(face: "http", principal: caller)
        ) { _ in }
        fixture.router.chat(
            ChatRequest(body: ["model": "a/m", "messages": []]), context: RequestContext(face: "http", principal: caller)
        ) {
            second = $0.failure
        }
        XCTAssertEqual(second?.status, 429)
    }

    func testModelPermissionsProvisioningAndRevocation() throws {
        let (fixture, governor) = fixture(price: Pricing())
        fixture.transport.script("m", Replies.completion("ok"))
        let (secret, key) = try create(governor, ["name": "limited", "allowed_models": ["a/*"], "tags": ["team"]])
        let caller = try principal(governor, secret)
        XCTAssertNil(
            fixture.chat(["model": "a/m", "messages": []], context: RequestContext(face: "http", principal: caller)).first?
                .failure)
        XCTAssertEqual(fixture.usage.rows.last?.tags, ["team"])
        let denied = fixture.chat(
            ["model": "b/other", "messages": []], context: RequestContext(face: "http", principal: caller)
        ).first?.failure
        XCTAssertEqual(denied?.status, 403)
        XCTAssertEqual(fixture.usage.rows.last?.httpStatus, 403, "refusals are recorded with their reason")
        let viaFallback = fixture.chat(
            ["model": "a/m", "models": ["b/other"], "messages": []], context: RequestContext(face: "http", principal: caller)
        )
        XCTAssertEqual(viaFallback.first?.failure?.status, 403, "a disallowed fallback is refused too")

        let (provisioningSecret, _) = try create(governor, ["name": "ops", "kind": "provisioning"])
        let ops = try principal(governor, provisioningSecret)
        XCTAssertTrue(ops.canManageKeys)
        XCTAssertEqual(
            fixture.chat(["model": "a/m", "messages": []], context: RequestContext(face: "http", principal: ops)).first?
                .failure?.status, 403)

        var revoked: Result<APIKey, RoutingError>?
        governor.revokeKey(id: key.id) { revoked = $0 }
        XCTAssertNoThrow(try revoked?.get())
        XCTAssertEqual(governor.authenticate(secret).failureStatus, 401)
        XCTAssertEqual(
            fixture.chat(["model": "a/m", "messages": []], context: RequestContext(face: "http", principal: caller)).first?
                .failure?.status, 401,
            "a principal authenticated before the revocation is refused too")
    }

    func testDisabledExpiredAndBadFields() throws {
        let (fixture, governor) = fixture(price: Pricing())
        let (secret, key) = try create(
            governor, ["name": "temp", "expires_at": .double(fixture.clock.routingClock.wallTime() + 60)])
        XCTAssertNoThrow(try principal(governor, secret))
        fixture.clock.seconds += 61
        XCTAssertEqual(governor.authenticate(secret).failureStatus, 401)
        var updated: Result<APIKey, RoutingError>?
        governor.updateKey(id: key.id, ["expires_at": .null, "disabled": true]) { updated = $0 }
        XCTAssertEqual(try updated?.get().disabled, true)
        XCTAssertEqual(governor.authenticate(secret).failureStatus, 401)

        for (fields, field) in [
            (["name": "x", "rpm_limit": -1] as JSONObject, "rpm_limit"), (["name": "x", "kind": "admin"], "kind"),
            (["name": "x", "reset_budget_interval": "hourly"], "reset_budget_interval"), (["nam": "x"], "nam"),
            ([:], "name"), (["name": "x", "allowed_models": "a/*"], "allowed_models"),
        ] {
            var result: Result<(secret: String, key: APIKey), RoutingError>?
            governor.createKey(fields) { result = $0 }
            guard case .failure(let error)? = result else { XCTFail("\(fields) accepted"); continue }
            XCTAssertEqual(error.status, 400)
            XCTAssertTrue(error.message.hasPrefix(field), "\(error.message) should name \(field)")
        }
        let before = governor.keys.count
        governor.updateKey(id: key.id, ["rpm_limit": 5, "tpm_limit": "lots"]) { updated = $0 }
        XCTAssertNil(governor.key(id: key.id)?.rpmLimit, "nothing half-applied")
        XCTAssertEqual(governor.keys.count, before)
    }
}

extension Result where Success == Principal, Failure == RoutingError {
    var failureStatus: Int? { if case .failure(let error) = self { return error.status } else { return nil } }
}
