import XCTest

@testable import Routing

final class HealthTests: XCTestCase {
    func testCircuitOpensAfterRepeatedFailuresThenProbesAndCloses() {
        let fixture = RouterFixture(health: HealthSettings(failureThreshold: 3, cooldownSeconds: 10, smoothing: 0.5))
        fixture.transport.script("x", Replies.error(500, "down"))
        fixture.transport.script("y", Replies.completion("backup"))
        for _ in 0..<3 { _ = fixture.chat(["model": "a/x", "models": ["b/y"], "messages": []]) }
        XCTAssertEqual(fixture.transport.sent.filter { $0.model == "x" }.count, 3)
        // Open: x is skipped without a request.
        _ = fixture.chat(["model": "a/x", "models": ["b/y"], "messages": []])
        XCTAssertEqual(fixture.transport.sent.filter { $0.model == "x" }.count, 3)
        let alone = fixture.chat(["model": "a/x", "messages": []]).first?.failure
        XCTAssertEqual(alone?.status, 503)
        XCTAssertEqual(alone?.code, "no_available_candidates")
        XCTAssertNotNil(alone?.retryAfterSeconds)
        // After the cooldown one probe goes; it succeeds and the circuit closes.
        fixture.clock.seconds += 11
        fixture.transport.script("x", Replies.completion("recovered"))
        XCTAssertEqual(fixture.chat(["model": "a/x", "messages": []]).first?.completionBody?["model"]?.stringValue, "a/x")
        XCTAssertEqual(fixture.router.health.availability(of: id("a/x")), .available)
    }

    func testAFailedProbeReopensTheCircuit() {
        var health = TargetHealth()
        let settings = HealthSettings(failureThreshold: 1, cooldownSeconds: 5)
        health.started(now: 0)
        health.failed(UpstreamFailure(.serverError, message: "x"), now: 0, settings: settings)
        XCTAssertFalse(health.availability(now: 1).allowsRequest)
        XCTAssertEqual(health.availability(now: 6), .probe)
        health.started(now: 6)
        XCTAssertEqual(health.circuit, .halfOpen)
        XCTAssertFalse(health.availability(now: 6).allowsRequest, "only one probe at a time")
        health.failed(UpstreamFailure(.timeout, message: "x"), now: 7, settings: settings)
        XCTAssertEqual(health.circuit, .open(until: 12))
    }

    func testRetryAfterIsHonoured() {
        let fixture = RouterFixture()
        fixture.transport.script("x", Replies.error(429, "slow down", retryAfter: "30"))
        fixture.transport.script("y", Replies.completion("ok"))
        _ = fixture.chat(["model": "a/x", "models": ["b/y"], "messages": []])
        _ = fixture.chat(["model": "a/x", "models": ["b/y"], "messages": []])
        XCTAssertEqual(fixture.transport.sent.map(\.model), ["x", "y", "y"], "x rests for its Retry-After")
        fixture.clock.seconds += 31
        _ = fixture.chat(["model": "a/x", "models": ["b/y"], "messages": []])
        XCTAssertEqual(fixture.transport.sent.suffix(2).map(\.model), ["x", "y"], "x is tried again after its Retry-After")
    }

    func testBadRequestsDoNotHurtHealth() {
        var health = TargetHealth()
        health.started(now: 0)
        health.failed(UpstreamFailure(.badRequest, message: "x"), now: 0, settings: HealthSettings(failureThreshold: 1))
        XCTAssertEqual(health.availability(now: 0), .available)
        XCTAssertEqual(health.errorRate, 0)
    }

    func testMovingAveragesAndThroughput() {
        var health = TargetHealth()
        for latency in [100.0, 200.0] {
            health.started(now: 0)
            health.succeeded(
                latencyMilliseconds: latency, timeToFirstTokenMilliseconds: nil, completionTokens: 10,
                totalTokens: 20, streamed: false, now: 0, smoothing: 0.5)
        }
        XCTAssertEqual(health.latencyMilliseconds, 150)
        health.started(now: 0)
        health.succeeded(
            latencyMilliseconds: 1100, timeToFirstTokenMilliseconds: 100, completionTokens: 100,
            totalTokens: 110, streamed: true, now: 0, smoothing: 0.5)
        XCTAssertEqual(health.latencyMilliseconds, 150, "streams do not feed whole-call latency")
        XCTAssertEqual(health.timeToFirstTokenMilliseconds!, 125, accuracy: 0.01)
        XCTAssertNotNil(health.tokensPerSecond)
        XCTAssertEqual(health.recentRequests(now: 30), 3)
    }

    func testProviderOutageStopsItsOtherModels() {
        let fixture = RouterFixture(health: HealthSettings(failureThreshold: 2, cooldownSeconds: 10))
        fixture.transport.script("x1", .failure(.connectFailed("refused")))
        fixture.transport.script("x2", .failure(.connectFailed("refused")))
        fixture.transport.script("y", Replies.completion("ok"))
        _ = fixture.chat(["model": "a/x1", "models": ["b/y"], "messages": []])
        _ = fixture.chat(["model": "a/x2", "models": ["b/y"], "messages": []])
        // Provider a's circuit is open now: a/x3 is not even tried.
        _ = fixture.chat(["model": "a/x3", "models": ["b/y"], "messages": []])
        XCTAssertFalse(fixture.transport.sent.contains { $0.model == "x3" })
    }
}
