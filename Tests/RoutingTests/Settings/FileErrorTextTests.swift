import Foundation
import Routing
import XCTest

/// File errors read as words a user can act on, not as a dump of Foundation's error dictionary.
final class FileErrorTextTests: XCTestCase {
    func testMissingFilesAndDirectories() {
        XCTAssertEqual(
            describe { _ = try Data(contentsOf: URL(fileURLWithPath: "/nonexistent/switchyard.json")) },
            "no such file or directory")
        XCTAssertEqual(
            describe { _ = try FileManager.default.contentsOfDirectory(atPath: "/nonexistent/servers.d") },
            "no such file or directory")
    }

    func testPOSIXErrorsAndOtherErrors() {
        XCTAssertEqual(FileErrorText.describe(POSIXError(.EACCES)), "permission denied")
        XCTAssertEqual(FileErrorText.describe(CocoaError(.fileWriteOutOfSpace)), "no space left on device")
        struct Custom: Error, CustomStringConvertible { var description: String { "custom text" } }
        XCTAssertEqual(FileErrorText.describe(Custom()), "custom text")
    }

    private func describe(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return FileErrorText.describe(error)
        }
    }
}
