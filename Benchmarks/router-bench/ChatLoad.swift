// The load: N clients, each a keep-alive connection on its own thread sending one request after another.

import BenchSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One side's measurement of one mode at one client count.
struct ChatRun: Mergeable {
    /// Requests, wall time, latency to the whole answer, and Switchyard's CPU over the run.
    var run: Run
    /// For streams, latency to the first event carrying content (ns); empty for plain answers.
    var firstContent: [UInt64]
    /// The fake provider's CPU over the run: what the upstream itself costs per request, for scale.
    var upstreamCPUNanos: UInt64?
    /// This process's CPU over the run: the load generator's share of the cores (sending, reading, checking).
    var clientCPUNanos: UInt64

    func merged(with other: ChatRun?) -> ChatRun {
        guard let other else { return self }
        return ChatRun(
            run: run.merged(with: other.run), firstContent: other.firstContent + firstContent,
            upstreamCPUNanos: upstreamCPUNanos.flatMap { mine in other.upstreamCPUNanos.map { mine + $0 } },
            clientCPUNanos: clientCPUNanos + other.clientCPUNanos)
    }

    /// Switchyard's CPU per request in µs.
    var gatewayCPUPerRequest: Double? { run.gatewayCPUPerCall }
    var upstreamCPUPerRequest: Double? { upstreamCPUNanos.map { Double($0) / 1000 / Double(run.calls) } }
    var clientCPUPerRequest: Double { Double(clientCPUNanos) / 1000 / Double(run.calls) }
}

/// The two processes whose CPU every run records.
struct Watched {
    var gateway: ChildProcess
    var upstream: ChildProcess
}

/// Collects what the client threads measured. Every access holds `lock`, which is what makes it Sendable.
private final class Collector: @unchecked Sendable {
    private let lock = NSLock()
    private var totals: [UInt64] = []
    private var firsts: [UInt64] = []
    private var errors: [String] = []

    func add(_ measured: (totals: [UInt64], firsts: [UInt64])) {
        lock.withLock {
            totals += measured.totals
            firsts += measured.firsts
        }
    }

    func fail(_ error: BenchError) { lock.withLock { errors.append(error.description) } }
    var result: (totals: [UInt64], firsts: [UInt64], errors: [String]) { lock.withLock { (totals, firsts, errors) } }
}

/// `count` requests on one connection, one after another.
private func clientLoop(
    _ connection: HTTPConnection, _ exchange: ChatExchange,
    count: Int
) throws(BenchError) -> (totals: [UInt64], firsts: [UInt64]) {
    var totals: [UInt64] = []
    var firsts: [UInt64] = []
    totals.reserveCapacity(count)
    firsts.reserveCapacity(exchange.mode == .stream ? count : 0)
    for _ in 0..<count {
        let (total, first) = try exchange.call(connection)
        totals.append(total)
        if exchange.mode == .stream {
            guard let first else { throw BenchError("\(exchange.label) stream: no event carried content") }
            firsts.append(first)
        }
    }
    return (totals, firsts)
}

/// Sends `requests` requests spread evenly over `connections`, one thread per connection, all at once (with one
/// connection it runs on the calling thread, so the sequential case pays no thread hand-off).
func runLoad(
    _ connections: [HTTPConnection], _ exchange: ChatExchange, requests: Int,
    watch: Watched
) throws(BenchError) -> ChatRun {
    let perConnection = max(1, requests / connections.count)
    let gatewayBefore = watch.gateway.cpuNanos()
    let upstreamBefore = watch.upstream.cpuNanos()
    let clientBefore = ownCPUNanos()
    let start = now()
    let collector = Collector()
    if connections.count == 1 {
        do throws(BenchError) {
            collector.add(try clientLoop(connections[0], exchange, count: perConnection))
        } catch {
            collector.fail(error)
        }
    } else {
        let group = DispatchGroup()
        for connection in connections {
            group.enter()
            Thread {
                do throws(BenchError) {
                    collector.add(try clientLoop(connection, exchange, count: perConnection))
                } catch {
                    collector.fail(error)
                }
                group.leave()
            }.start()
        }
        group.wait()
    }
    let elapsed = now() - start
    let clientCPU = ownCPUNanos() - clientBefore
    let (totals, firsts, errors) = collector.result
    if let first = errors.first {
        throw BenchError("\(errors.count) of \(connections.count) clients failed; first: \(first)")
    }
    let run = Run(
        calls: totals.count, elapsedNanos: elapsed, latencies: totals,
        gatewayCPUNanos: cpuDelta(watch.gateway, gatewayBefore))
    return ChatRun(
        run: run, firstContent: firsts, upstreamCPUNanos: cpuDelta(watch.upstream, upstreamBefore),
        clientCPUNanos: clientCPU)
}

/// CPU time of this whole process (every thread) in nanoseconds.
private func ownCPUNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Samples a process's VmRSS every 50 ms on its own thread while a load runs, keeping the largest value: the
/// resident size *under* the load, which a reading after it (when buffers may already be freed) would miss.
/// Reads only /proc/<pid>/status, which does not walk the page tables, so sampling does not slow the gateway.
final class ResidentSampler: @unchecked Sendable {
    // `lock` guards `largest` and `running`; `pid` is immutable. That makes the @unchecked Sendable safe.
    private let lock = NSLock()
    private let pid: Int32
    private var largest = 0
    private var running = true
    private let finished = DispatchSemaphore(value: 0)

    init(pid: Int32) {
        self.pid = pid
        Thread { [self] in
            while lock.withLock({ running }) {
                if let rss = Self.residentKilobytes(pid: pid) { lock.withLock { largest = max(largest, rss) } }
                usleep(50_000)
            }
            finished.signal()
        }.start()
    }

    /// Stops sampling and returns the largest VmRSS seen, in kB.
    func stop() -> Int {
        lock.withLock { running = false }
        finished.wait()
        if let rss = Self.residentKilobytes(pid: pid) { lock.withLock { largest = max(largest, rss) } }
        return lock.withLock { largest }
    }

    static func residentKilobytes(pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }
}
