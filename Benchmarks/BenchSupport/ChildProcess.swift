// Child processes for the benchmarks (gateway, echo server, fake provider), with pipes we read and write directly.

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A running child whose stdin and stdout (when piped) we drive with raw `read`/`write`.
public final class ChildProcess {
    public let process: Process
    private let stdinPipe: Foundation.Pipe?
    private let stdoutPipe: Foundation.Pipe?
    public let name: String

    /// Starts `path` with `arguments`. With `piped`, stdin/stdout are pipes to us; otherwise stdin is /dev/null and
    /// stdout goes to `logFile` like stderr does. stderr always goes to `logFile` (or is discarded).
    public init(name: String, path: String, arguments: [String], piped: Bool, logFile: String?) throws {
        self.name = name
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw BenchError("\(name): \(path) is not an executable; build it first (scripts/bench.sh does)")
        }
        process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let log: FileHandle
        if let logFile {
            _ = FileManager.default.createFile(atPath: logFile, contents: nil)
            log = FileHandle(forWritingAtPath: logFile) ?? FileHandle.nullDevice
        } else {
            log = FileHandle.nullDevice
        }
        process.standardError = log
        if piped {
            stdinPipe = Foundation.Pipe()
            stdoutPipe = Foundation.Pipe()
            process.standardInput = stdinPipe
            process.standardOutput = stdoutPipe
        } else {
            stdinPipe = nil
            stdoutPipe = nil
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = log
        }
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }
    /// Our end of the child's stdin.
    public var inputFD: Int32 { stdinPipe!.fileHandleForWriting.fileDescriptor }
    /// Our end of the child's stdout.
    public var outputFD: Int32 { stdoutPipe!.fileHandleForReading.fileDescriptor }

    /// Stops the child the way DESIGN.md §6 says: close its stdin, then SIGTERM, then SIGKILL.
    public func stop() {
        if let stdinPipe { try? stdinPipe.fileHandleForWriting.close() }
        if waitForExit(seconds: 3) { return }
        terminate()
    }

    /// SIGTERM, then SIGKILL if it is still running after 3 s: for servers that do not watch their stdin (the
    /// fake provider, `switchyard serve`), where closing it first would only add a 3 s wait.
    public func terminate() {
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        if waitForExit(seconds: 3) { return }
        kill(pid, SIGKILL)
        _ = waitForExit(seconds: 3)
    }

    private func waitForExit(seconds: Double) -> Bool {
        let deadline = now() + UInt64(seconds * 1e9)
        while process.isRunning && now() < deadline { usleep(10_000) }
        return !process.isRunning
    }

    /// Resident memory of the child from /proc/<pid>/status, in kB.
    public func memory() -> Memory? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        func field(_ name: String) -> Int? {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return nil }
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        guard let rss = field("VmRSS"), let peak = field("VmHWM") else { return nil }
        var memory = Memory(rss: rss, peak: peak, anonymous: field("RssAnon") ?? 0, file: field("RssFile") ?? 0)
        // Pages no other process maps (USS): what stopping the gateway would give back.
        if let rollup = try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8) {
            memory.unshared = rollup.split(separator: "\n")
                .filter { $0.hasPrefix("Private_Clean:") || $0.hasPrefix("Private_Dirty:") }
                .compactMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") }
                .reduce(0, +)
        }
        return memory
    }

    /// CPU time of the child (all its live threads) in nanoseconds: the sum of the first field of
    /// /proc/<pid>/task/*/schedstat (time on CPU, ns); /proc/<pid>/stat's 10 ms ticks when schedstat is missing.
    public func cpuNanos() -> UInt64? {
        if let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") {
            var total: UInt64 = 0
            var found = false
            for task in tasks {
                guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/schedstat", encoding: .utf8),
                    let first = text.split(separator: " ").first, let nanos = UInt64(first)
                else { continue }
                total += nanos
                found = true
            }
            if found { return total }
        }
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        // Fields after "(comm)": state is field 3, utime 14, stime 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = UInt64(fields[11]), let system = UInt64(fields[12]) else { return nil }
        let ticks = UInt64(sysconf(Int32(_SC_CLK_TCK)))
        return (user + system) * 1_000_000_000 / ticks
    }
}

/// CPU the watched process used since `before`.
public func cpuDelta(_ watch: ChildProcess?, _ before: UInt64?) -> UInt64? {
    guard let before, let after = watch?.cpuNanos() else { return nil }
    return after >= before ? after - before : nil
}

/// Resident memory in kB: VmRSS, VmHWM (peak), VmRSS split into anonymous and file-backed pages, and the pages
/// mapped by this process alone (private clean + dirty, from smaps_rollup).
public struct Memory: Sendable {
    public var rss: Int
    public var peak: Int
    public var anonymous: Int
    public var file: Int
    public var unshared: Int?
}

/// Reads newline-terminated lines from a file descriptor with blocking reads and one reusable buffer.
public struct LineReader {
    public let fd: Int32
    private var buffer: [UInt8] = []
    private var chunk = [UInt8](repeating: 0, count: 1 << 16)
    private var start = 0

    public init(fd: Int32) {
        self.fd = fd
        buffer.reserveCapacity(1 << 17)
    }

    /// The next line without its newline; the slice is valid until the next call.
    public mutating func nextLine() throws(BenchError) -> ArraySlice<UInt8> {
        var scanFrom = start
        while true {
            if let newline = buffer[scanFrom...].firstIndex(of: 0x0A) {
                let line = buffer[start..<newline]
                start = newline + 1
                return line
            }
            scanFrom = buffer.count
            if start > 0 && start == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                start = 0
                scanFrom = 0
            } else if start > 1 << 15 {
                buffer.removeSubrange(0..<start)
                scanFrom -= start
                start = 0
            }
            try fill()
        }
    }

    private mutating func fill() throws(BenchError) {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        if n < 0 && errno == EINTR { return }
        if n < 0 { throw BenchError("read failed: \(String(cString: strerror(errno)))") }
        if n == 0 { throw BenchError("the child closed its stdout") }
        buffer.append(contentsOf: chunk[0..<n])
    }
}
