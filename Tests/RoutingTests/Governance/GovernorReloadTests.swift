import JSON
import XCTest

@testable import Routing

/// A `KeyStore` in memory standing in for a database that other processes share. Operations are queued and run,
/// each followed by its completion, in the order they were called (as the SQLite store's worker runs them) when
/// the test calls `run`; between the call and `run` the test plays the other processes by editing `stored`.
final class FakeKeyStore: KeyStore {
    /// The "database": every process's keys, with the spend written so far.
    var stored: [String: APIKey] = [:]
    /// This process's spend not written yet.
    var unwritten: [String: [SpendDelta]] = [:]
    var failReads = false
    private var queue: [() -> Void] = []

    init(_ keys: [APIKey] = []) {
        for key in keys { stored[key.id] = key }
    }

    func loadKeys() throws -> [APIKey] { stored.values.sorted { $0.id < $1.id } }

    func saveKey(_ key: APIKey, completion: @escaping (Error?) -> Void) {
        queue.append { [self] in
            var saved = key
            if let old = stored[key.id] {  // the counters are the store's
                saved.spend = old.spend
                saved.periodStart = old.periodStart
                saved.totalSpend = old.totalSpend
            }
            stored[key.id] = saved
            completion(nil)
        }
    }

    func deleteKey(id: String, completion: @escaping (Error?) -> Void) {
        queue.append { [self] in
            stored[id] = nil
            completion(nil)
        }
    }

    func recordSpend(keyID: String, cost: Double, periodStart: Double) {
        unwritten[keyID, default: []].append(SpendDelta(periodStart: periodStart, cost: cost))
    }

    func reloadKeys(completion: @escaping (Result<KeySnapshot, Error>) -> Void) {
        queue.append { [self] in
            if failReads { return completion(.failure(FakeStoreError())) }
            completion(.success(KeySnapshot(keys: try! loadKeys(), unwritten: unwritten)))
        }
    }

    /// Runs every queued operation and its completion, oldest first.
    func run() {
        while !queue.isEmpty { queue.removeFirst()() }
    }

    /// Adds the unwritten spend to the stored counters, as a spend batch does.
    func writeSpend() {
        for (id, deltas) in unwritten {
            for delta in deltas { stored[id]?.addSpend(delta) }
        }
        unwritten = [:]
    }

    struct FakeStoreError: Error {}
}

final class GovernorReloadTests: XCTestCase {
    /// Mid-month, so a monthly period does not roll during a test.
    private let clock = RoutingClock(now: { 100 }, wallTime: { 1_700_000_000 })
    private var month: Double { BudgetInterval.monthly.periodStart(containing: 1_700_000_000) }

    /// A stored key whose secret is `secret`.
    private func stored(_ secret: String, name: String? = nil, creditLimit: Double? = nil) -> APIKey {
        let hash = SHA256.hex(secret)
        return APIKey(id: APIKey.id(forHash: hash), secretHash: hash, name: name ?? secret, creditLimit: creditLimit)
    }

    private func reload(_ governor: Governor, _ store: FakeKeyStore) throws {
        var outcome: Error??
        governor.reload { outcome = $0 }
        store.run()
        let error = try XCTUnwrap(outcome, "the reload never completed")
        XCTAssertNil(error)
    }

    private func status(_ governor: Governor, _ secret: String) -> Int? {
        if case .failure(let error) = governor.authenticate(secret) { return error.status }
        return nil
    }

    func testKeysChangedByOtherProcessesTakeEffect() throws {
        let store = FakeKeyStore([stored("sk-a"), stored("sk-b"), stored("sk-c", creditLimit: 5)])
        let governor = try Governor(adminSecret: "admin", store: store, clock: clock)
        let revokedElsewhere = try governor.authenticate("sk-b").get()
        let inFlight = try governor.admit(revokedElsewhere, names: ["m"], estimate: 0.5).get()
        store.stored[stored("sk-a").id]?.disabled = true
        store.stored[stored("sk-b").id] = nil
        store.stored[stored("sk-c").id]?.creditLimit = 7
        store.stored[stored("sk-d").id] = stored("sk-d")
        XCTAssertNil(status(governor, "sk-a"), "nothing changes before a reload")
        XCTAssertEqual(status(governor, "sk-d"), 401)

        try reload(governor, store)
        XCTAssertEqual(status(governor, "sk-a"), 401, "disabled elsewhere")
        XCTAssertEqual(status(governor, "sk-b"), 401, "revoked elsewhere")
        XCTAssertEqual(
            governor.admit(revokedElsewhere, names: ["m"], estimate: 0).refusalStatus, 401,
            "a principal authenticated before the reload is refused too")
        XCTAssertEqual(governor.key(id: stored("sk-c").id)?.creditLimit, 7, "changed elsewhere")
        XCTAssertNil(status(governor, "sk-d"), "created elsewhere")
        XCTAssertEqual(governor.keys.map(\.name), ["sk-a", "sk-c", "sk-d"])
        XCTAssertEqual(governor.requestsInFlight(keyID: stored("sk-b").id), 0, "a gone key's limits are dropped")
        governor.settle(inFlight, cost: 1, tokens: 10)
        XCTAssertEqual(store.unwritten, [:], "a request of a key revoked meanwhile is not charged")
        XCTAssertEqual(governor.requestsInFlight(keyID: stored("sk-b").id), 0)
    }

    func testChangesMadeHereWhileAReloadRunsKeepTheirState() throws {
        let store = FakeKeyStore([stored("sk-a"), stored("sk-b")])
        let governor = try Governor(adminSecret: "admin", store: store, clock: clock)
        // Created before the reload is submitted: its save runs first, so the read finds it.
        var early: Result<(secret: String, key: APIKey), RoutingError>?
        governor.createKey(["name": "early"]) { early = $0 }

        var outcome: Error??
        governor.reload { outcome = $0 }
        // Changed here after the read was submitted: the read cannot see these.
        var late: Result<(secret: String, key: APIKey), RoutingError>?
        governor.createKey(["name": "late"]) { late = $0 }
        var changes: [Result<APIKey, RoutingError>] = []
        governor.revokeKey(id: stored("sk-a").id) { changes.append($0) }
        governor.updateKey(id: stored("sk-b").id, ["name": "renamed here"]) { changes.append($0) }
        // …while another process renamed b too, before the read.
        store.stored[stored("sk-b").id]?.name = "renamed elsewhere"
        store.run()
        XCTAssertNil(try XCTUnwrap(outcome))
        XCTAssertEqual(try changes.map { try $0.get().id }, [stored("sk-a").id, stored("sk-b").id])

        let lateSecret = try XCTUnwrap(late).get().secret
        let earlySecret = try XCTUnwrap(early).get().secret
        XCTAssertNil(status(governor, lateSecret), "a key just created here is not dropped")
        XCTAssertNil(status(governor, earlySecret), "a key created before the reload is in the store")
        XCTAssertEqual(status(governor, "sk-a"), 401, "a key just revoked here is not brought back")
        XCTAssertEqual(governor.key(id: stored("sk-b").id)?.name, "renamed here")

        // The saves have run since: the next reload agrees with what this process did.
        try reload(governor, store)
        XCTAssertEqual(governor.keys.map(\.name).sorted(), ["early", "late", "renamed here"])
        XCTAssertEqual(status(governor, "sk-a"), 401)
    }

    func testSpendIsTheStoredSpendPlusTheUnwritten() throws {
        var key = stored("sk-a", creditLimit: 10)
        key.resetInterval = .monthly
        key.periodStart = month
        key.spend = 1
        key.totalSpend = 5
        let store = FakeKeyStore([key])
        let governor = try Governor(adminSecret: "admin", store: store, clock: clock)
        let caller = try governor.authenticate("sk-a").get()
        governor.settle(try governor.admit(caller, names: ["m"], estimate: 1).get(), cost: 0.5, tokens: 10)
        XCTAssertEqual(store.unwritten, [key.id: [SpendDelta(periodStart: month, cost: 0.5)]], "the delta is recorded")
        let open = try governor.admit(caller, names: ["m"], estimate: 2).get()
        store.stored[key.id]?.spend += 2  // written by another process
        store.stored[key.id]?.totalSpend += 2

        try reload(governor, store)
        XCTAssertEqual(governor.key(id: key.id)?.spend, 3.5)
        XCTAssertEqual(governor.key(id: key.id)?.totalSpend, 7.5)
        XCTAssertEqual(governor.requestsInFlight(keyID: key.id), 1, "requests in flight stay")
        XCTAssertEqual(governor.remainingBudget(keyID: key.id), 4.5, "and so do their reservations")
        store.writeSpend()
        try reload(governor, store)
        XCTAssertEqual(governor.key(id: key.id)?.spend, 3.5, "written spend is not counted twice")

        // The stored counters are of an older period than this process's unwritten spend: the new period starts
        // over from that spend, as the store's UPDATE will.
        governor.settle(open, cost: 0.25, tokens: 10)
        store.stored[key.id]?.periodStart = month - 86_400 * 31
        store.stored[key.id]?.spend = 8
        try reload(governor, store)
        XCTAssertEqual(governor.key(id: key.id)?.spend, 0.25)
        XCTAssertEqual(governor.key(id: key.id)?.periodStart, month)
        XCTAssertEqual(governor.key(id: key.id)?.totalSpend, 7.75)
    }

    func testSpendInAnOlderPeriodCountsOnlyInTheTotal() {
        var key = stored("sk-a")
        key.periodStart = 200
        key.spend = 3
        key.totalSpend = 10
        let merged = KeySnapshot(
            keys: [key],
            unwritten: [
                key.id: [
                    SpendDelta(periodStart: 100, cost: 1),
                    SpendDelta(periodStart: 200, cost: 0.5),
                ]
            ]
        )
        .keysWithUnwrittenSpend
        XCTAssertEqual(merged.map(\.spend), [3.5])
        XCTAssertEqual(merged.map(\.totalSpend), [11.5])
        XCTAssertEqual(merged.map(\.periodStart), [200])
    }

    func testAStoredPeriodThatHasEndedStartsOver() throws {
        var key = stored("sk-a", creditLimit: 1)
        key.resetInterval = .monthly
        key.periodStart = month - 86_400 * 31
        key.spend = 0.75
        let store = FakeKeyStore([key])
        let governor = try Governor(adminSecret: "admin", store: store, clock: clock)
        try reload(governor, store)
        XCTAssertEqual(governor.key(id: key.id)?.spend, 0, "last month's spend does not show as this month's")
        XCTAssertEqual(governor.key(id: key.id)?.periodStart, month)
        XCTAssertEqual(governor.remainingBudget(keyID: key.id), 1)
    }

    func testAFailedReloadChangesNothing() throws {
        let store = FakeKeyStore([stored("sk-a")])
        let governor = try Governor(adminSecret: "admin", store: store, clock: clock)
        store.stored = [:]
        store.failReads = true
        var outcome: Error??
        governor.reload { outcome = $0 }
        store.run()
        XCTAssertTrue(try XCTUnwrap(outcome) is FakeKeyStore.FakeStoreError)
        XCTAssertNil(status(governor, "sk-a"))
        // Without a store there is nothing to reload.
        outcome = nil
        try Governor(adminSecret: nil, store: nil).reload { outcome = $0 }
        XCTAssertNil(try XCTUnwrap(outcome))
    }
}

extension Result where Failure == RoutingError {
    /// The HTTP status of a refusal, nil on success.
    var refusalStatus: Int? {
        if case .failure(let error) = self { return error.status }
        return nil
    }
}
