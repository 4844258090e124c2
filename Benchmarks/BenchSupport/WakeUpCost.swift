// What this machine charges for waking a sleeping process: the context a gateway's added latency is read in.

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Round trips of one byte over a pair of pipes between two threads, each blocked in `read` while the other works:
/// with both threads on one CPU, and with one thread on each of two CPUs. Every hop a gateway adds is at least one
/// such wake-up, so the "across CPUs" figure, measured in the same run, says how much of the added latency the
/// machine's scheduler and hypervisor take before any gateway code runs (on a 2-vCPU VM without halt polling it
/// is tens of microseconds; on bare metal a few).
public struct WakeUpCost {
    /// p50 round trip in microseconds with both threads pinned to CPU 0.
    public let sameCPU: Double
    /// p50 round trip in microseconds with the threads pinned to CPUs 0 and 1; nil on a one-CPU machine.
    public let acrossCPUs: Double?

    /// Measures both placements, `roundTrips` each (after a short warm-up).
    public static func measure(roundTrips: Int = 4_000) throws -> WakeUpCost {
        let cpus = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        let same = try pingPong(roundTrips: roundTrips, cpus: (0, 0))
        let across = cpus > 1 ? try pingPong(roundTrips: roundTrips, cpus: (0, 1)) : nil
        return WakeUpCost(sameCPU: same, acrossCPUs: across)
    }

    /// One line for a benchmark's header.
    public var summary: String {
        let same = String(format: "%.1f µs", sameCPU)
        guard let acrossCPUs else { return "pipe round trip between two threads: \(same) (one CPU online)" }
        return String(
            format: "pipe round trip between two threads: %@ on one CPU, %.1f µs across two CPUs "
                + "(≈ %.1f µs per cross-CPU wake-up)", same, acrossCPUs, acrossCPUs / 2)
    }

    /// p50 round trip (µs) between this thread pinned to `cpus.0` and a helper thread pinned to `cpus.1`.
    private static func pingPong(roundTrips: Int, cpus: (Int, Int)) throws -> Double {
        var there: [Int32] = [0, 0]
        var back: [Int32] = [0, 0]
        guard pipe(&there) == 0, pipe(&back) == 0 else {
            throw BenchError("pipe failed: \(String(cString: strerror(errno)))")
        }
        defer { for fd in there + back { close(fd) } }
        let warmUp = 200
        let total = roundTrips + warmUp
        let (input, output) = (there[0], back[1])
        let echo = Thread {
            pinCurrentThread(to: cpus.1)
            var byte: UInt8 = 0
            for _ in 0..<total {
                guard read(input, &byte, 1) == 1, write(output, &byte, 1) == 1 else { return }
            }
        }
        echo.start()
        let restore = currentAffinity()
        pinCurrentThread(to: cpus.0)
        defer { setCurrentAffinity(restore) }
        var latencies: [UInt64] = []
        latencies.reserveCapacity(roundTrips)
        var byte: UInt8 = 1
        for index in 0..<total {
            let start = now()
            guard write(there[1], &byte, 1) == 1, read(back[0], &byte, 1) == 1 else {
                throw BenchError("pipe ping-pong failed: \(String(cString: strerror(errno)))")
            }
            if index >= warmUp { latencies.append(now() - start) }
        }
        return percentile(0.5, of: latencies)
    }
}

/// Pins the calling thread to one CPU (best effort: a machine that refuses keeps the scheduler's placement, and the
/// figure then says so by being the same for both placements).
private func pinCurrentThread(to cpu: Int) {
    var set = cpu_set_t()
    withUnsafeMutableBytes(of: &set) { bytes in
        bytes[cpu / 8] |= UInt8(1) << UInt8(cpu % 8)
    }
    setCurrentAffinity(set)
}

// Glibc declares sched_{get,set}affinity only under _GNU_SOURCE, which Swift's Glibc module does not define: they are
// looked up by name instead (both exist in every glibc since 2.3).
private typealias AffinityCall = @convention(c) (pid_t, Int, UnsafeMutableRawPointer) -> Int32

private func affinityCall(_ name: String) -> AffinityCall? {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
    return unsafeBitCast(symbol, to: AffinityCall.self)
}

private func currentAffinity() -> cpu_set_t {
    var set = cpu_set_t()
    if let get = affinityCall("sched_getaffinity") {
        _ = withUnsafeMutableBytes(of: &set) { get(0, $0.count, $0.baseAddress!) }
    }
    return set
}

private func setCurrentAffinity(_ set: cpu_set_t) {
    var set = set
    guard let apply = affinityCall("sched_setaffinity") else { return }
    _ = withUnsafeMutableBytes(of: &set) { apply(0, $0.count, $0.baseAddress!) }
}
