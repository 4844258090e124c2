import Loop
import LoopTestSupport
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// A spawned child with its stdout and stderr collected until EOF.
private final class Child {
    let process: ChildProcess
    var stdout: [UInt8] = []
    var stderr: [UInt8] = []
    /// `.some(nil)` once the pipe reached EOF.
    var stdoutEnd: UVError??
    var stderrEnd: UVError??
    /// How many times the exit callback ran.
    private let exits: Counter

    init(
        loop: EventLoop, _ executable: String, _ arguments: [String] = [], environment: [String: String] = [:],
        workingDirectory: String? = nil
    ) throws {
        let exits = Counter()
        self.exits = exits
        process = try ChildProcess(
            loop: loop,
            options: ProcessOptions(
                executable: executable, arguments: arguments,
                environment: environment,
                workingDirectory: workingDirectory)
        ) { _ in exits.value += 1 }
        try process.stdout.startReading(
            onRead: { [unowned self] in self.stdout += $0 }, onEnd: { [unowned self] in self.stdoutEnd = $0 })
        try process.stderr.startReading(
            onRead: { [unowned self] in self.stderr += $0 }, onEnd: { [unowned self] in self.stderrEnd = $0 })
    }

    /// Exited and both output pipes at EOF.
    var finished: Bool { exits.value > 0 && stdoutEnd != nil && stderrEnd != nil }
    var exitStatus: ExitStatus? {
        XCTAssertLessThanOrEqual(exits.value, 1, "the exit callback ran more than once")
        return process.exitStatus
    }
}

private final class Counter {
    var value = 0
}

final class ChildProcessTests: LoopTestCase {
    func testEchoStdoutIsCaptured() throws {
        let child = try Child(loop: loop, "/bin/echo", ["hello", "world"])
        XCTAssertGreaterThan(child.process.pid, 0)
        runLoop(loop, until: { child.finished }, timeout: 10_000)
        XCTAssertEqual(child.stdout.text, "hello world\n")
        XCTAssertEqual(child.stderr, [])
        XCTAssertEqual(child.exitStatus?.description, "exited with status 0")
        XCTAssertEqual(child.stdoutEnd, .some(nil), "stdout ends with EOF")
        child.process.closeAll()
        try closeLoop()
    }

    func testExitCallbackRunsOnceWithTheStatus() throws {
        var statuses: [ExitStatus] = []
        let process = try ChildProcess(
            loop: loop,
            options: ProcessOptions(
                executable: "/bin/sh", arguments: ["-c", "exit 7"],
                environment: [:])
        ) { statuses.append($0) }
        runLoop(loop, until: { !statuses.isEmpty }, timeout: 10_000)
        XCTAssertEqual(statuses.map(\.code), [7])
        XCTAssertEqual(statuses.map(\.signal), [0])
        XCTAssertEqual(process.exitStatus, statuses.first)
        XCTAssertEqual(statuses.first?.description, "exited with status 7")
        process.closeAll()
        try closeLoop()
    }

    func testCatEchoesStdinAndExitsZeroWhenStdinCloses() throws {
        let child = try Child(loop: loop, "/bin/cat")
        var writes: [UVError?] = []
        child.process.stdin.write(Array("line one\n".utf8)) { writes.append($0) }
        runLoop(loop, until: { child.stdout.text == "line one\n" }, timeout: 10_000)
        child.process.stdin.write(Array("line two\n".utf8)) { writes.append($0) }
        runLoop(loop, until: { child.stdout.text == "line one\nline two\n" }, timeout: 10_000)
        XCTAssertNil(child.exitStatus, "cat keeps running while its stdin is open")
        child.process.stdin.close()
        runLoop(loop, until: { child.finished }, timeout: 10_000)
        XCTAssertEqual(writes, [nil, nil])
        XCTAssertEqual(child.exitStatus?.description, "exited with status 0")
        XCTAssertEqual(child.stdoutEnd, .some(nil))
        child.process.closeAll()
        try closeLoop()
    }

    func testStderrIsCapturedSeparately() throws {
        let child = try Child(loop: loop, "/bin/sh", ["-c", "echo out; echo err >&2; exit 2"])
        runLoop(loop, until: { child.finished }, timeout: 10_000)
        XCTAssertEqual(child.stdout.text, "out\n")
        XCTAssertEqual(child.stderr.text, "err\n")
        XCTAssertEqual(child.exitStatus?.code, 2)
        child.process.closeAll()
        try closeLoop()
    }

    func testEnvironmentAndWorkingDirectoryAreApplied() throws {
        // The environment is exactly what we pass (nothing inherited); `sh` is found through that PATH.
        let child = try Child(
            loop: loop, "sh", ["-c", "echo \"$GREETING\"; pwd; echo \"${HOME:-unset}\""],
            environment: ["GREETING": "hi there", "PATH": "/usr/bin:/bin"], workingDirectory: "/")
        runLoop(loop, until: { child.finished }, timeout: 10_000)
        XCTAssertEqual(child.stdout.text, "hi there\n/\nunset\n")
        XCTAssertEqual(child.exitStatus?.description, "exited with status 0")
        child.process.closeAll()
        try closeLoop()
    }

    func testKillWithSIGTERMReportsTheSignal() throws {
        let child = try Child(loop: loop, "/bin/sleep", ["30"])
        XCTAssertNil(child.process.kill(SIGTERM))
        runLoop(loop, until: { child.finished }, timeout: 10_000)
        XCTAssertEqual(child.exitStatus?.signal, SIGTERM)
        XCTAssertEqual(child.exitStatus?.code, 0)
        XCTAssertEqual(child.exitStatus?.description, "killed by signal \(SIGTERM)")
        // A process that is gone cannot be signalled again.
        XCTAssertEqual(child.process.kill(SIGTERM)?.name, "ESRCH")
        child.process.closeAll()
        XCTAssertEqual(child.process.kill(SIGKILL)?.name, "ESRCH", "nor once closed")
        try closeLoop()
    }

    func testSpawningAMissingExecutableThrowsENOENTAndLeaksNothing() throws {
        for executable in ["/nonexistent/definitely-not-here", "definitely-not-a-command-on-path"] {
            XCTAssertThrowsError(
                try ChildProcess(
                    loop: loop,
                    options: ProcessOptions(
                        executable: executable,
                        environment: ["PATH": "/usr/bin:/bin"])
                ) { _ in
                    XCTFail("exit callback of a process that never started")
                }
            ) { error in
                XCTAssertEqual((error as? UVError)?.name, "ENOENT")
                XCTAssertTrue("\(error)".contains(executable), "the message names the executable: \(error)")
            }
        }
        // The failed spawn closed its process handle and its three pipes: the loop closes cleanly.
        try closeLoop()
    }

    func testAMissingWorkingDirectoryIsNamedNotMistakenForTheExecutable() throws {
        XCTAssertThrowsError(
            try ChildProcess(
                loop: loop,
                options: ProcessOptions(
                    executable: "/bin/sh", environment: [:], workingDirectory: "/nonexistent/work-dir")
            ) { _ in XCTFail("exit callback of a process that never started") }
        ) { error in
            XCTAssertEqual((error as? UVError)?.name, "ENOENT")
            XCTAssertTrue("\(error)".contains("working directory /nonexistent/work-dir, which does not exist"), "\(error)")
        }
        try closeLoop()
    }

    func testClosingARunningChildsHandlesIsClean() throws {
        // Closing the handles does not kill the child; stopping it is the owner's job, so kill and then close.
        let child = try Child(loop: loop, "/bin/cat")
        XCTAssertNil(child.process.kill(SIGKILL))
        runLoop(loop, until: { child.finished }, timeout: 10_000)
        XCTAssertEqual(child.exitStatus?.signal, SIGKILL)
        child.process.closeAll()
        try closeLoop()
    }
}
