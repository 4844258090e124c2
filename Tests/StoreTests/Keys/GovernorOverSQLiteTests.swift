import JSON
import Routing
import XCTest

@testable import Store

/// The routing core's `Governor` on the real key store: what it creates, charges and revokes survives a restart.
final class GovernorOverSQLiteTests: StoreTestCase {
    /// A fixed wall clock in the middle of a month, so the budget period does not roll during the test.
    private let clock = RoutingClock(now: { 100 }, wallTime: { 1_700_000_000 })

    private func governor(_ store: Store) throws -> Governor {
        try Governor(adminSecret: "admin-secret", store: store.keys, clock: clock)
    }

    /// One admitted and settled model call costing `cost`.
    private func charge(_ governor: Governor, _ principal: Principal, cost: Double) throws {
        let admission = try governor.admit(principal, names: ["openai/gpt-4o-mini"], estimate: 0.5).get()
        governor.settle(admission, cost: cost, tokens: 100)
    }

    func testKeysAndSpendSurviveARestartAndRevokingIsPermanent() throws {
        let store = try openStore(options: StoreOptions(flushDelayMilliseconds: 600_000))
        let first = try governor(store)
        let fields: JSONObject = [
            "name": "app", "credit_limit": 5, "reset_budget_interval": "monthly",
            "allowed_models": ["openai/*"], "tags": ["team-a"], "rpm_limit": 100,
        ]
        let created = try XCTUnwrap(wait { first.createKey(fields, completion: $0) }).get()
        let principal = try first.authenticate(created.secret).get()
        try charge(first, principal, cost: 0.125)
        try charge(first, principal, cost: 0.25)
        XCTAssertEqual(first.key(id: created.key.id)?.spend, 0.375)
        // Closing (as on SIGTERM) writes the settled spend; nothing was flushed before.
        close(store)

        let reopened = try openStore()
        let second = try governor(reopened)
        let key = try XCTUnwrap(second.authenticate(created.secret).get().key, "the same secret still works")
        XCTAssertEqual(key.id, created.key.id)
        XCTAssertEqual(key.spend, 0.375)
        XCTAssertEqual(key.totalSpend, 0.375)
        XCTAssertEqual(key.periodStart, BudgetInterval.monthly.periodStart(containing: 1_700_000_000))
        XCTAssertEqual(key.allowedModels, ["openai/*"])
        XCTAssertEqual(key.tags, ["team-a"])
        XCTAssertEqual(second.remainingBudget(keyID: key.id), 4.625)
        XCTAssertEqual(second.authenticate("sk-sy-not-a-key").failureStatus, 401)

        // An update is stored too.
        let updated = try XCTUnwrap(
            wait { second.updateKey(id: key.id, ["rpm_limit": .null, "disabled": true], completion: $0) }
        ).get()
        XCTAssertNil(updated.rpmLimit)
        close(reopened)
        let third = try openStore()
        let afterUpdate = try governor(third)
        XCTAssertEqual(afterUpdate.key(id: key.id)?.rpmLimit, nil)
        XCTAssertEqual(afterUpdate.key(id: key.id)?.disabled, true)
        XCTAssertEqual(afterUpdate.key(id: key.id)?.spend, 0.375)
        XCTAssertEqual(afterUpdate.authenticate(created.secret).failureStatus, 401, "disabled")

        let revoked = try XCTUnwrap(wait { afterUpdate.revokeKey(id: key.id, completion: $0) }).get()
        XCTAssertEqual(revoked.id, key.id)
        close(third)
        let fourth = try openStore()
        let afterRevoke = try governor(fourth)
        XCTAssertTrue(afterRevoke.keys.isEmpty)
        XCTAssertEqual(afterRevoke.authenticate(created.secret).failureStatus, 401)
        close(fourth)
        try closeLoop()
    }

    private func reload(_ governor: Governor, file: StaticString = #filePath, line: UInt = #line) {
        let error = wait(file: file, line: line) { governor.reload(completion: $0) }
        XCTAssertNil(error ?? StoreError("timed out"), file: file, line: line)
    }

    func testTwoGovernorsOnOneFileShareKeysAndOneBudget() throws {
        // `switchyard serve` and a `switchyard stdio` session on one database: two stores, two governors.
        let serveStore = try openStore(options: StoreOptions(flushDelayMilliseconds: 600_000))
        let stdioStore = try openStore(options: StoreOptions(flushDelayMilliseconds: 600_000))
        let serve = try governor(serveStore)
        let stdio = try governor(stdioStore)
        let created = try XCTUnwrap(wait { serve.createKey(["name": "shared", "credit_limit": 1], completion: $0) }).get()
        let id = created.key.id
        XCTAssertEqual(stdio.authenticate(created.secret).failureStatus, 401, "not reloaded yet")
        reload(stdio)
        let onServe = try serve.authenticate(created.secret).get()
        let onStdio = try stdio.authenticate(created.secret).get()

        try charge(serve, onServe, cost: 0.375)
        try charge(stdio, onStdio, cost: 0.25)
        flushSpend(serveStore)
        reload(stdio)
        XCTAssertEqual(stdio.key(id: id)?.spend, 0.625, "the other's written spend plus its own unwritten spend")
        reload(serve)
        XCTAssertEqual(serve.key(id: id)?.spend, 0.375, "the other's spend counts once it is written")
        flushSpend(stdioStore)
        reload(serve)
        XCTAssertEqual(serve.key(id: id)?.spend, 0.625)
        XCTAssertEqual(serve.key(id: id)?.totalSpend, 0.625)

        // The budget is one budget: spent on one side, refused on the other.
        try charge(serve, onServe, cost: 0.5)
        flushSpend(serveStore)
        reload(stdio)
        XCTAssertEqual(stdio.admit(onStdio, names: ["openai/gpt-4o-mini"], estimate: 0.5).failureStatus, 402)
        XCTAssertEqual(try storedSpend(id)?[0], 1.125)

        // Revoked on one side, refused on the other after its next reload.
        let revoked = try XCTUnwrap(wait { stdio.revokeKey(id: id, completion: $0) }).get()
        XCTAssertEqual(revoked.id, id)
        XCTAssertEqual(serve.authenticate(created.secret).failureStatus, nil)
        reload(serve)
        XCTAssertEqual(serve.authenticate(created.secret).failureStatus, 401)
        XCTAssertNil(try storedSpend(id))
        close(serveStore)
        close(stdioStore)
        try closeLoop()
    }

    func testABadFieldStoresNothing() throws {
        let store = try openStore()
        let governor = try governor(store)
        let result = try XCTUnwrap(wait { governor.createKey(["name": "x", "rpm_limit": 0], completion: $0) })
        guard case .failure(let error) = result else { return XCTFail("created a key with rpm_limit 0") }
        XCTAssertEqual(error.status, 400)
        XCTAssertTrue(error.message.hasPrefix("rpm_limit"), error.message)
        XCTAssertEqual(try store.keys.loadKeys(), [])
        close(store)
        try closeLoop()
    }
}

extension Result where Failure == RoutingError {
    /// The HTTP status of a failure, nil on success.
    var failureStatus: Int? {
        if case .failure(let error) = self { return error.status }
        return nil
    }
}
