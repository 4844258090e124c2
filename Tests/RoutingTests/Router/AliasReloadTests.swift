import XCTest

@testable import Routing

/// Run-time aliases other processes saved are picked up by a reload; a reload read before a change made here is
/// dropped rather than undoing that change.
final class AliasReloadTests: XCTestCase {
    /// An alias store whose saves succeed at once and whose reloads wait for the test to answer them.
    final class ManualAliasStore: AliasStore {
        var saved: [AliasDefinition] = []
        var pendingReloads: [(Result<[AliasDefinition], Error>) -> Void] = []
        func loadAliases() throws -> [AliasDefinition] { saved }
        func reloadAliases(completion: @escaping (Result<[AliasDefinition], Error>) -> Void) {
            pendingReloads.append(completion)
        }
        func saveAlias(_ alias: AliasDefinition, completion: @escaping (Error?) -> Void) {
            saved.removeAll { $0.name == alias.name }
            saved.append(alias)
            completion(nil)
        }
        func deleteAlias(named name: String, completion: @escaping (Error?) -> Void) {
            saved.removeAll { $0.name == name }
            completion(nil)
        }
    }

    private func router(_ store: ManualAliasStore, settingsAliases: [AliasDefinition] = []) throws -> Router {
        let providers = ["a": ProviderConfig(id: "a", kind: .openai, baseURL: "http://a.test/v1")]
        return try Router(
            settings: RoutingSettings(providers: providers, aliases: settingsAliases), models: DictionaryModels(),
            adapter: { _ in TestAdapter() }, transport: ScriptedTransport(), usage: RecordingUsage(), aliasStore: store)
    }

    private func alias(_ name: String, _ model: String) -> AliasDefinition {
        AliasDefinition(name: name, strategy: .priority, targets: [AliasTarget(model: id(model))])
    }

    func testAliasesSavedOrDeletedElsewhereApplyAfterAReload() throws {
        let store = ManualAliasStore()
        let router = try router(store, settingsAliases: [alias("fast", "a/settings")])
        var failure: Error?
        router.reloadAliases { failure = $0 }
        store.pendingReloads.removeFirst()(.success([alias("team", "a/elsewhere"), alias("fast", "a/override")]))
        XCTAssertNil(failure)
        XCTAssertEqual(router.alias(named: "team")?.allTargets.map(\.model), [id("a/elsewhere")])
        XCTAssertEqual(router.alias(named: "fast")?.allTargets.map(\.model), [id("a/override")])
        // Deleted elsewhere: the run-time one goes, and the settings file's alias of that name is back.
        router.reloadAliases { _ in }
        store.pendingReloads.removeFirst()(.success([]))
        XCTAssertNil(router.alias(named: "team"))
        XCTAssertEqual(router.alias(named: "fast")?.allTargets.map(\.model), [id("a/settings")])
    }

    func testAReloadReadBeforeALocalChangeDoesNotUndoIt() throws {
        let store = ManualAliasStore()
        let router = try router(store)
        router.reloadAliases { _ in }  // read in flight …
        var saved: Result<Void, RoutingError>?
        router.setAlias(alias("mine", "a/new")) { saved = $0 }  // … while this is set here
        XCTAssertNotNil(try saved?.get())
        store.pendingReloads.removeFirst()(.success([]))  // the stale read, from before the save
        XCTAssertEqual(router.alias(named: "mine")?.allTargets.map(\.model), [id("a/new")])
        router.reloadAliases { _ in }
        store.pendingReloads.removeFirst()(.success(store.saved))
        XCTAssertEqual(router.alias(named: "mine")?.allTargets.map(\.model), [id("a/new")])
    }
}
