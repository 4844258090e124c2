import JSON
import JSONRPC
import Logging
import Loop

#if canImport(Glibc)
    import Glibc
#endif

/// A downstream MCP server run as a child process, spoken to over its stdin/stdout (newline-delimited JSON).
/// Its stderr is logged line by line; non-JSON lines on its stdout are reported, not fatal.
public final class ChildProcessTransport: MCPClientTransport {
    public var onMessage: ((JSONRPCMessage) -> Void)?
    public var onClose: ((String) -> Void)?
    public var onDiagnostic: ((String) -> Void)?

    private let loop: EventLoop
    private let options: ProcessOptions
    private let logger: Logger
    private var process: ChildProcess?
    private var stdoutFramer: LineFramer
    private var stderrFramer = LineFramer(maxLineBytes: 16 * 1024)
    private var stopTimer: Timer?
    /// Armed when stdout ends while the child runs: an exit usually follows at once (and says why).
    private var stdoutEndTimer: Timer?
    private var stopCompletions: [() -> Void] = []
    private var closedReason: String?
    private var garbageLines = 0

    /// How long a child gets after its stdin closes before SIGTERM, and after SIGTERM before SIGKILL.
    public var gracePeriodMilliseconds: UInt64 = 2000

    public init(loop: EventLoop, options: ProcessOptions, maxLineBytes: Int = 16 << 20, logger: Logger) {
        self.loop = loop
        self.options = options
        self.logger = logger
        stdoutFramer = LineFramer(maxLineBytes: maxLineBytes)
    }

    /// The child's pid while it runs.
    public var pid: Int32? { process?.exitStatus == nil ? process?.pid : nil }

    public func start() throws {
        // The callbacks hold the transport strongly on purpose: it must outlive its owner until the child has
        // exited and its handles are closed (the cycle ends when `exited` closes them and drops the callbacks).
        let child = try ChildProcess(loop: loop, options: options) { status in self.exited(status) }
        process = child
        try child.stdout.startReading(onRead: { bytes in self.stdoutBytes(bytes) }, onEnd: { _ in self.stdoutEnded() })
        try child.stderr.startReading(onRead: { bytes in self.stderrBytes(bytes) }, onEnd: { _ in })
    }

    public func send(_ message: JSONRPCMessage) {
        guard let process, process.exitStatus == nil, !process.stdin.closed else { return }
        var bytes = message.serialized()
        bytes.append(0x0A)
        process.stdin.write(bytes) { [weak self] error in
            if let error, !error.isDisconnect {
                self?.logger.warning("write to child failed", metadata: ["error": "\(error)"])
            }
        }
    }

    public func setProtocolVersion(_ version: String) {}

    private func stdoutBytes(_ bytes: ArraySlice<UInt8>) {
        for frame in stdoutFramer.feed(bytes) {
            switch frame {
            case .line(let line):
                do {
                    onMessage?(try JSONRPCMessage.decode(line))
                } catch {
                    garbageLines += 1
                    let preview = String(decoding: line.prefix(120), as: UTF8.self)
                    onDiagnostic?("non-JSON-RPC output on stdout (\(garbageLines) line(s) so far), e.g. \"\(preview)\"")
                }
            case .tooLong(let size):
                onDiagnostic?("dropped a \(size)-byte line on stdout (over the \(stdoutFramer.maxLineBytes)-byte limit)")
            }
        }
    }

    /// A child without stdout can never answer again. Its exit normally follows within moments and tells why (exit
    /// status, signal); one still running after that is reported as ended, and stopped, so its calls fail now
    /// rather than at their timeouts.
    private func stdoutEnded() {
        guard closedReason == nil, let process, process.exitStatus == nil else { return }
        do {
            let timer = try Timer(loop: loop)
            stdoutEndTimer = timer
            timer.start(after: Self.stdoutEndGraceMilliseconds) { [weak self] in self?.stdoutEndedWhileRunning() }
        } catch {
            stdoutEndedWhileRunning()
        }
    }

    private func stdoutEndedWhileRunning() {
        stdoutEndTimer?.close()
        stdoutEndTimer = nil
        guard closedReason == nil, let process, process.exitStatus == nil else { return }
        stop {}  // stdin closed, then SIGTERM, then SIGKILL; the exit completes later stops
        finish("closed its stdout while still running (pid \(process.pid)); it can no longer answer")
    }

    static let stdoutEndGraceMilliseconds: UInt64 = 250

    private func stderrBytes(_ bytes: ArraySlice<UInt8>) {
        for frame in stderrFramer.feed(bytes) {
            if case .line(let line) = frame {
                logger.debug("child stderr", metadata: ["line": "\(String(decoding: line, as: UTF8.self))"])
            }
        }
    }

    private func exited(_ status: ExitStatus) {
        stopTimer?.close()
        stopTimer = nil
        stdoutEndTimer?.close()
        stdoutEndTimer = nil
        process?.closeAll()
        let reason = closedReason ?? "process \(status)"
        finish(reason)
    }

    private func finish(_ reason: String) {
        if closedReason == nil { closedReason = reason }
        let handler = onClose
        onClose = nil
        handler?(reason)
        let completions = stopCompletions
        stopCompletions = []
        completions.forEach { $0() }
    }

    /// Closes stdin; after the grace period SIGTERM; after another, SIGKILL (DESIGN.md §6).
    public func stop(_ completion: @escaping () -> Void) {
        guard let process, process.exitStatus == nil else {
            if let process, !process.closed { process.closeAll() }
            completion()
            return
        }
        stopCompletions.append(completion)
        guard closedReason == nil else { return }
        closedReason = "stopped by the gateway"
        process.stdin.close()
        do {
            let timer = try Timer(loop: loop)
            stopTimer = timer
            timer.start(after: gracePeriodMilliseconds) { [weak self] in
                guard let self else { return }
                self.process?.kill(SIGTERM)
                timer.start(after: self.gracePeriodMilliseconds) { [weak self] in
                    self?.process?.kill(SIGKILL)
                }
            }
        } catch {
            logger.error("cannot arm the stop timer; killing the child now", metadata: ["error": "\(error)"])
            process.kill(SIGKILL)
        }
    }

    /// Kills the child at once (SIGKILL), e.g. when it hangs.
    public func kill() {
        process?.kill(SIGKILL)
    }
}
