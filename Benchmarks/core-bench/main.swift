import Foundation
import JSON
import Routing

// switchyard-core-bench: the routing core in-process (resolution, adapter, fallback executor, health, usage row)
// with an instant upstream, open vs. with an API key (authentication by SHA-256, permissions, rpm/tpm/in-flight
// limits, budget reservation and settlement). Rounds alternate so machine noise hits both sides alike.

let arguments = CommandLine.arguments
func option(_ name: String, _ fallback: Int) -> Int {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let value = Int(arguments[index + 1])
    else {
        return fallback
    }
    return value
}
let requestsPerRound = option("--requests", 20_000)
let rounds = option("--rounds", 10)

let provider = ProviderConfig(id: "fake", kind: .openai, baseURL: "http://127.0.0.1:9/v1", apiKey: nil)
let settings = RoutingSettings(providers: ["fake": provider])
let catalog = LiveCatalog(
    Catalog(models: [
        ModelInfo(
            id: ModelID("fake/bench")!, contextLength: 128_000, maxOutputTokens: 4096,
            pricing: Pricing(input: 0.15, output: 0.6))
    ]))

/// A typical ~1.5 KB chat request, parsed once; each request copies it (as a face would after parsing).
let requestText = """
    {"model": "fake/bench", "max_tokens": 256, "temperature": 0.2, "messages": [
      {"role": "system", "content": "\(String(repeating: "You are a careful assistant that answers briefly. ", count: 12))"},
      {"role": "user", "content": "What does the routing core do?"},
      {"role": "assistant", "content": "\(String(repeating: "It resolves models and fails over. ", count: 8))"},
      {"role": "user", "content": "hello"}]}
    """
let requestBody = try JSON.parse(requestText).objectValue!
let requestBytes = requestText.utf8.count

@MainActor func makeRouter(governed: Bool) throws -> (Router, InstantUpstream, Governor?, String?) {
    let upstream = InstantUpstream()
    let router = try Router(
        settings: settings, models: catalog, adapter: providerAdapter(for:), transport: upstream,
        usage: CountingUsage())
    guard governed else { return (router, upstream, nil, nil) }
    let governor = try Governor(adminSecret: "bench-admin", store: MemoryKeys())
    router.governor = governor
    var secret: String?
    governor.createKey([
        "name": "bench", "credit_limit": 1_000_000, "reset_budget_interval": "monthly",
        "allowed_models": ["fake/*"], "rpm_limit": 100_000_000, "tpm_limit": 1_000_000_000_000,
        "max_in_flight": 1000, "tags": ["bench"],
    ]) { result in
        switch result {
        case .success(let created): secret = created.secret
        case .failure(let error): print("could not create the benchmark key: \(error)")
        }
    }
    guard let secret else { throw BenchFailure("could not create the benchmark key") }
    return (router, upstream, governor, secret)
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs `count` requests; returns microseconds per request.
@MainActor func run(_ router: Router, _ upstream: InstantUpstream, _ governor: Governor?, _ secret: String?, count: Int)
    throws -> Double
{
    var completed = 0
    var failures = 0
    let start = ProcessInfo.processInfo.systemUptime
    for _ in 0..<count {
        var principal = Principal.open
        if let governor {
            // What each HTTP request does for its bearer token.
            switch governor.authenticate(secret) {
            case .success(let who): principal = who
            case .failure: failures += 1; continue
            }
        }
        router.chat(
            ChatRequest(body: requestBody, sizeHint: requestBytes),
            context: RequestContext(face: "http", principal: principal)
        ) { event in
            switch event {
            case .completion: completed += 1
            case .failed: failures += 1
            default: break
            }
        }
        upstream.drain()
    }
    let elapsed = ProcessInfo.processInfo.systemUptime - start
    guard failures == 0, completed == count else {
        throw BenchFailure("\(failures) requests failed, \(completed) of \(count) completed")
    }
    return elapsed / Double(count) * 1_000_000
}

let open = try makeRouter(governed: false)
let governed = try makeRouter(governed: true)
_ = try run(open.0, open.1, nil, nil, count: 2_000)  // warm-up
_ = try run(governed.0, governed.1, governed.2, governed.3, count: 2_000)
var openTimes: [Double] = []
var governedTimes: [Double] = []
for round in 0..<rounds {
    // Alternate which side goes first, so drift affects both.
    if round % 2 == 0 {
        openTimes.append(try run(open.0, open.1, nil, nil, count: requestsPerRound))
        governedTimes.append(try run(governed.0, governed.1, governed.2, governed.3, count: requestsPerRound))
    } else {
        governedTimes.append(try run(governed.0, governed.1, governed.2, governed.3, count: requestsPerRound))
        openTimes.append(try run(open.0, open.1, nil, nil, count: requestsPerRound))
    }
}
func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
let openMedian = median(openTimes)
let governedMedian = median(governedTimes)
let added = governedMedian - openMedian
func format(_ value: Double) -> String { String(format: "%.2f µs", value) }
print(
    "switchyard-core-bench: the routing core in-process with an instant upstream, \(rounds) alternating rounds of \(requestsPerRound) requests"
)
print(
    "  open (no keys)            \(format(openMedian)) per request (\(Int(1_000_000 / openMedian)) requests/s on one core)")
print(
    "  with an API key           \(format(governedMedian)) per request (authenticate, permissions, rpm/tpm/in-flight, budget reserve + settle)"
)
print("  added by the key checks   \(format(added))   target < 10 µs: \(added < 10 ? "PASS" : "MISS")")
