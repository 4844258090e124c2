import CLibUV

#if canImport(Glibc)
    import Glibc
#endif

/// How a child process ended.
public struct ExitStatus: Equatable, Sendable, CustomStringConvertible {
    /// The exit code (0 when killed by a signal).
    public let code: Int64
    /// The terminating signal, or 0.
    public let signal: Int32

    public var description: String {
        signal != 0 ? "killed by signal \(signal)" : "exited with status \(code)"
    }
}

/// What to run: the executable is looked up in `PATH` when it has no slash.
public struct ProcessOptions: Sendable {
    public var executable: String
    public var arguments: [String]
    /// The complete environment of the child (merge the parent's yourself when wanted).
    public var environment: [String: String]
    public var workingDirectory: String?

    public init(executable: String, arguments: [String] = [], environment: [String: String], workingDirectory: String? = nil)
    {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
    }
}

/// A child process spawned with three pipes (stdin, stdout, stderr), via `uv_spawn`.
public final class ChildProcess: LoopHandle {
    /// Our writing end of the child's stdin.
    public let stdin: Pipe
    /// Our reading end of the child's stdout.
    public let stdout: Pipe
    /// Our reading end of the child's stderr.
    public let stderr: Pipe
    /// The child's process id.
    public private(set) var pid: Int32 = 0
    /// Set once the child has exited.
    public private(set) var exitStatus: ExitStatus?
    private var onExit: ((ExitStatus) -> Void)?

    /// Spawns the child. `onExit` runs once when it ends; close the process (and its pipes) afterwards.
    public init(loop: EventLoop, options: ProcessOptions, onExit: @escaping (ExitStatus) -> Void) throws(UVError) {
        stdin = try Pipe(loop: loop, forChild: ())
        do {
            stdout = try Pipe(loop: loop, forChild: ())
        } catch {
            stdin.close(); throw error
        }
        do {
            stderr = try Pipe(loop: loop, forChild: ())
        } catch {
            stdin.close(); stdout.close(); throw error
        }
        self.onExit = onExit
        super.init(loop: loop, byteCount: MemoryLayout<uv_process_t>.size)
        let result = spawn(options)
        if result < 0 {
            // uv_spawn initialised the handle before failing, so it is closed like any other.
            adopt()
            close()
            stdin.close(); stdout.close(); stderr.close()
            var operation = "spawn \(options.executable)"
            // uv_spawn reports a missing working directory as ENOENT too, which reads as a missing executable.
            if result == UV_ENOENT.rawValue, let cwd = options.workingDirectory, access(cwd, F_OK) != 0 {
                operation += " in working directory \(cwd), which does not exist"
            }
            throw UVError(code: result, operation: operation)
        }
        adopt()
        pid = uv_process_get_pid(process)
    }

    private var process: UnsafeMutablePointer<uv_process_t> {
        UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_process_t.self)
    }

    private func spawn(_ options: ProcessOptions) -> Int32 {
        let args = CStringArray([options.executable] + options.arguments)
        let env = CStringArray(options.environment.map { "\($0.key)=\($0.value)" })
        defer { args.free(); env.free() }
        var stdio = [uv_stdio_container_t](repeating: uv_stdio_container_t(), count: 3)
        let pipes = [stdin, stdout, stderr]
        for index in 0..<3 {
            // Flags are from the child's point of view: it reads stdin, writes stdout and stderr.
            let direction = index == 0 ? UV_READABLE_PIPE.rawValue : UV_WRITABLE_PIPE.rawValue
            stdio[index].flags = uv_stdio_flags(rawValue: UV_CREATE_PIPE.rawValue | direction)
            stdio[index].data.stream = pipes[index].stream
        }
        return stdio.withUnsafeMutableBufferPointer { stdioBuffer in
            withCStringOrNil(options.workingDirectory) { cwd in
                options.executable.withCString { file in
                    var uvOptions = uv_process_options_t()
                    uvOptions.exit_cb = { process, status, signal in
                        LoopHandle.object(process, as: ChildProcess.self).exited(code: status, signal: signal)
                    }
                    uvOptions.file = file
                    uvOptions.args = args.pointer
                    uvOptions.env = env.pointer
                    uvOptions.cwd = cwd
                    uvOptions.stdio_count = 3
                    uvOptions.stdio = stdioBuffer.baseAddress
                    return uv_spawn(loop.raw, process, &uvOptions)
                }
            }
        }
    }

    private func exited(code: Int64, signal: Int32) {
        let status = ExitStatus(code: code, signal: signal)
        exitStatus = status
        let handler = onExit
        onExit = nil
        handler?(status)
    }

    /// Sends `signal` (e.g. `SIGTERM`) to the child. Returns the error when the child is already gone.
    @discardableResult
    public func kill(_ signal: Int32) -> UVError? {
        loop.assertInLoop()
        guard !closed, exitStatus == nil else { return UVError(code: UV_ESRCH.rawValue, operation: "kill \(pid)") }
        let result = uv_process_kill(process, signal)
        return result < 0 ? UVError(code: result, operation: "kill \(pid) with signal \(signal)") : nil
    }

    /// Closes the process handle and all three pipes.
    public func closeAll() {
        stdin.close(); stdout.close(); stderr.close()
        close()
    }

    override func willClose() { onExit = nil }
}

/// A NULL-terminated `char **` built from Swift strings, freed explicitly after `uv_spawn` returns (the child has
/// its own copy after fork).
private struct CStringArray {
    let pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    let count: Int

    init(_ strings: [String]) {
        count = strings.count
        pointer = .allocate(capacity: strings.count + 1)
        for (index, string) in strings.enumerated() { pointer[index] = strdup(string) }
        pointer[strings.count] = nil
    }

    func free() {
        for index in 0..<count { Glibc.free(pointer[index]) }
        pointer.deallocate()
    }
}

private func withCStringOrNil<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let string else { return body(nil) }
    return string.withCString { body($0) }
}
