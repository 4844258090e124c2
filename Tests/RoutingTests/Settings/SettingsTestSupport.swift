import Foundation
import XCTest

@testable import Routing

/// A fresh directory under the system temporary directory, removed when the test ends.
final class SettingsTempDirectory {
    let path: String

    init() throws {
        path =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("switchyard-settings-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `text` to `name` (which may hold subdirectories) and returns the file's absolute path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = URL(fileURLWithPath: path).appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
        return file.path
    }

    func remove() throws {
        try FileManager.default.removeItem(atPath: path)
    }
}

/// The message of the `SettingsError` `body` throws, or `nil` (and a test failure) when it throws none.
func settingsErrorMessage(
    file: StaticString = #filePath, line: UInt = #line,
    _ body: () throws(SettingsError) -> Void
) -> String? {
    do {
        try body()
        XCTFail("expected a settings error", file: file, line: line)
        return nil
    } catch {
        return error.message
    }
}

/// Settings read from `text` as if it were `switchyard.json` in `/srv/switchyard`.
func parseSettings(_ text: String, environment: [String: String] = [:]) throws(SettingsError) -> RoutingSettings {
    try SettingsLoader.parse(
        Array(text.utf8), source: "switchyard.json", directory: "/srv/switchyard",
        environment: environment)
}

/// The message of the error reading `text` as settings gives.
func settingsFileError(
    _ text: String, environment: [String: String] = [:], file: StaticString = #filePath,
    line: UInt = #line
) -> String? {
    settingsErrorMessage(file: file, line: line) { () throws(SettingsError) in
        _ = try parseSettings(text, environment: environment)
    }
}
