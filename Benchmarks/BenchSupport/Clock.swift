// Time, statistics and small helpers shared by every measurement, in both benchmark programs.

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Monotonic nanoseconds. Inlinable because it brackets every measured call, from another module.
@inlinable
public func now() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// One measured run: how many calls, how long the whole run took and each call's latency.
public struct Run: Mergeable, Sendable {
    public var calls: Int
    public var elapsedNanos: UInt64
    /// Per-call round-trip latencies in nanoseconds, unsorted.
    public var latencies: [UInt64]
    /// Gateway CPU (user + system) spent during the run, when a gateway process was watched.
    public var gatewayCPUNanos: UInt64?

    public init(calls: Int, elapsedNanos: UInt64, latencies: [UInt64], gatewayCPUNanos: UInt64? = nil) {
        self.calls = calls
        self.elapsedNanos = elapsedNanos
        self.latencies = latencies
        self.gatewayCPUNanos = gatewayCPUNanos
    }

    public var callsPerSecond: Double { Double(calls) / (Double(elapsedNanos) / 1e9) }
    public var p50: Double { percentile(0.50) }
    public var p99: Double { percentile(0.99) }

    /// The latency at quantile `q` in microseconds (nearest rank).
    public func percentile(_ q: Double) -> Double { BenchSupport.percentile(q, of: latencies) }

    /// Gateway CPU per call in microseconds.
    public var gatewayCPUPerCall: Double? { gatewayCPUNanos.map { Double($0) / 1000 / Double(calls) } }

    /// This run and `other` as one: calls, time and latencies added up.
    public func merged(with other: Run?) -> Run {
        guard let other else { return self }
        let cpu: UInt64? = gatewayCPUNanos.flatMap { mine in other.gatewayCPUNanos.map { mine + $0 } }
        return Run(
            calls: calls + other.calls, elapsedNanos: elapsedNanos + other.elapsedNanos,
            latencies: other.latencies + latencies, gatewayCPUNanos: cpu)
    }
}

/// The value at quantile `q` of `nanoseconds`, in microseconds (nearest rank); NaN when there are none.
public func percentile(_ q: Double, of nanoseconds: [UInt64]) -> Double {
    guard !nanoseconds.isEmpty else { return .nan }
    let sorted = nanoseconds.sorted()
    let rank = min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))
    return Double(sorted[rank]) / 1000
}

/// A measurement that several rounds add up into one (what `alternate` needs).
public protocol Mergeable {
    /// This measurement and `other` (the rounds so far, if any) as one.
    func merged(with other: Self?) -> Self
}

/// Runs the baseline and the gateway in alternating rounds of `calls / rounds` calls, so a burst of load from other
/// processes on the machine falls on both about equally; returns each side's rounds merged.
public func alternate<M: Mergeable>(
    rounds: Int, calls: Int, baseline: (Int) throws -> M,
    gateway: (Int) throws -> M
) throws -> (M, M) {
    var base: M?
    var gate: M?
    for round in 0..<rounds {
        let chunk = calls / rounds + (round < calls % rounds ? 1 : 0)
        base = try baseline(chunk).merged(with: base)
        gate = try gateway(chunk).merged(with: gate)
    }
    return (base!, gate!)
}

/// A fatal benchmark error: printed and the program exits non-zero.
public struct BenchError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Prints to stderr (progress lines; the table goes to stdout).
public func progress(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Writes all of `bytes` to `fd`, retrying on short writes and EINTR.
public func writeAll(fd: Int32, _ bytes: [UInt8]) throws(BenchError) {
    let failure: Int32? = bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += n
        }
        return nil
    }
    if let failure { throw BenchError("write failed: \(String(cString: strerror(failure)))") }
}

/// Appends the decimal digits of `value` (non-negative) to `buffer`.
@inlinable
public func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
    if value == 0 { buffer.append(UInt8(ascii: "0")); return }
    var digits:
        (
            UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
            UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
        ) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var count = 0
    var rest = value
    withUnsafeMutableBytes(of: &digits) { raw in
        while rest > 0 {
            raw[count] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
            count += 1
        }
        for index in stride(from: count - 1, through: 0, by: -1) { buffer.append(raw[index]) }
    }
}
