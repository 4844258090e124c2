import Foundation
import Loop
import LoopTestSupport
import XCTest

private enum Message: Sendable, Equatable {
    case value(thread: Int, sequence: Int)
    case done(thread: Int)
}

final class MailboxTests: LoopTestCase {
    func testMessagesFromFourThreadsAllArriveInPerThreadOrder() throws {
        let threadCount = 4
        let perThread = 2_000
        var received: [[Int]] = Array(repeating: [], count: threadCount)
        var done = Set<Int>()
        var deliveredOffLoop = false
        let loopThread = Thread.current
        let mailbox = try Mailbox<Message>(loop: loop) { message in
            if Thread.current != loopThread { deliveredOffLoop = true }
            switch message {
            case let .value(thread, sequence): received[thread].append(sequence)
            case let .done(thread): done.insert(thread)
            }
        }
        let sender = mailbox.sender
        for index in 0..<threadCount {
            let thread = Thread {
                for sequence in 0..<perThread {
                    if !sender.post(.value(thread: index, sequence: sequence)) { return }
                }
                sender.post(.done(thread: index))
            }
            thread.start()
        }
        // Each thread's last message is `done`, so once all four arrived every thread has posted everything.
        runLoop(loop, until: { done.count == threadCount }, timeout: 30_000)
        XCTAssertFalse(deliveredOffLoop, "the handler runs on the loop thread")
        for index in 0..<threadCount {
            XCTAssertEqual(received[index].count, perThread, "thread \(index)")
            XCTAssertTrue(received[index] == Array(0..<perThread), "thread \(index)'s messages arrived out of order")
        }
        mailbox.close()
        try closeLoop()
    }

    func testPostFromTheLoopThreadIsDeliveredOnALaterTurn() throws {
        var received: [Int] = []
        let mailbox = try Mailbox<Int>(loop: loop) { received.append($0) }
        XCTAssertTrue(mailbox.sender.post(1))
        XCTAssertTrue(mailbox.sender.post(2))
        XCTAssertEqual(received, [], "post never runs the handler inside the caller")
        runLoop(loop, until: { received.count == 2 }, timeout: 5_000)
        XCTAssertEqual(received, [1, 2])
        mailbox.close()
        try closeLoop()
    }

    func testPostingAfterCloseReturnsFalseAndNothingIsDelivered() throws {
        var received: [Int] = []
        let mailbox = try Mailbox<Int>(loop: loop) { received.append($0) }
        let sender = mailbox.sender
        XCTAssertTrue(sender.post(1), "queued before close")
        mailbox.close()
        XCTAssertFalse(sender.post(2))
        // From another thread too.
        let result = OtherThreadResult()
        let thread = Thread { result.set(sender.post(3)) }
        thread.start()
        XCTAssertTrue(result.wait(seconds: 5))
        XCTAssertEqual(result.value, false)
        runLoop(loop, for: 20)
        XCTAssertEqual(received, [], "a closed mailbox drops what it had not delivered")
        try closeLoop()
    }
}

/// A value produced on another thread, waited for with a deadline.
private final class OtherThreadResult: @unchecked Sendable {
    // @unchecked: `storage` is only touched while holding `condition`.
    private let condition = NSCondition()
    private var storage: Bool?

    func set(_ value: Bool) {
        condition.lock()
        storage = value
        condition.broadcast()
        condition.unlock()
    }

    func wait(seconds: TimeInterval) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        condition.lock()
        defer { condition.unlock() }
        while storage == nil {
            if !condition.wait(until: deadline) { return storage != nil }
        }
        return true
    }

    var value: Bool? {
        condition.lock()
        defer { condition.unlock() }
        return storage
    }
}
