import FoundationEssentials

/// File-path helpers for the loader: the working directory and `HOME` come in as values rather than from the
/// process, so tests can use temporary directories and fake environments.
enum SettingsPaths {
    /// `path` made absolute: `~/…` against `home`, a relative path against `directory`. SQLite's `:memory:` is
    /// not a file and stays as it is.
    static func resolve(_ path: String, in directory: String, home: String?) -> String {
        if path == ":memory:" || path.hasPrefix("/") { return path }
        if let home, !home.isEmpty, path == "~" || path.hasPrefix("~/") {
            return URL(fileURLWithPath: home).appendingPathComponent(String(path.dropFirst(2))).standardized.path
        }
        return URL(fileURLWithPath: directory, isDirectory: true).appendingPathComponent(path).standardized.path
    }

    /// The directory holding the file at the absolute `path`.
    static func directory(of path: String) -> String {
        URL(fileURLWithPath: path).deletingLastPathComponent().path
    }

    static func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path)
    }

    /// Whether `path` exists and is not a directory.
    static func isFile(_ path: String) -> Bool {
        var isDirectory = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory
    }
}
