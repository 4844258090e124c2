import FoundationEssentials
import JSON
import JSONRPC
import Logging
import Loop
import MCP

/// Keeps the Hub in step with `servers.d/`: loads it at start, reloads when a file is added, changed or removed
/// (debounced, since editors write files in several steps), and performs `servers_add` / `servers_remove`.
final class ServerRegistry {
    let directory: ServersDirectory
    private let loop: EventLoop
    private let hub: Hub
    private let logger: Logger
    /// The directory itself (files added, changed, removed) …
    private var watcher: FileWatcher?
    /// … and its parent, which sees the directory created, removed or replaced (a deploy tool renaming a new
    /// directory into place): the directory watcher follows an inode, so it is re-armed on the new one.
    private var parentWatcher: DirectoryEntryWatcher?
    /// The inode the directory watcher follows.
    private var watchedInode: UInt64?
    private var debounce: Loop.Timer?
    private(set) var issues: [ConfigIssue] = []

    init(directory: ServersDirectory, loop: EventLoop, hub: Hub, logger: Logger) {
        self.directory = directory
        self.loop = loop
        self.hub = hub
        self.logger = logger
    }

    /// Loads the directory, applies it, and starts watching it.
    func start() {
        reload()
        watch()
    }

    /// SIGHUP: reload now, watching the directory again if it was created or replaced meanwhile.
    func refresh() {
        armDirectoryWatcher()
        reload()
    }

    func reload() {
        let loaded = directory.load()
        issues = loaded.issues
        for issue in loaded.issues { logger.error("invalid server configuration", metadata: ["problem": "\(issue)"]) }
        hub.apply(loaded.servers)
    }

    private func watch() {
        do {
            if debounce == nil { debounce = try Loop.Timer(loop: loop) }
            if parentWatcher == nil {
                let url = URL(fileURLWithPath: directory.path)
                let name = url.lastPathComponent
                parentWatcher = try DirectoryEntryWatcher(loop: loop, path: url.deletingLastPathComponent().path) {
                    [unowned self] file in
                    if file == nil || file == name { self.changed() }
                }
            }
        } catch {
            logger.warning(
                "cannot watch the parent of the servers directory; a directory created or replaced later is noticed on SIGHUP or restart",
                metadata: ["error": "\(error)"])
        }
        armDirectoryWatcher()
    }

    /// Watches the directory now at the path, unless that is the one already watched.
    private func armDirectoryWatcher() {
        let inode = currentInode()
        if watcher != nil, inode == watchedInode { return }
        watcher?.close()
        watcher = nil
        watchedInode = nil
        guard let inode else { return }  // missing: the parent watcher says when it appears
        do {
            watcher = try FileWatcher(loop: loop, path: directory.path) { [unowned self] _ in self.changed() }
            watchedInode = inode
        } catch {
            logger.warning(
                "cannot watch the servers directory; edits apply after SIGHUP or a restart",
                metadata: ["error": "\(error)"])
        }
    }

    /// The directory's inode, or nil when it does not exist (or is not a directory).
    private func currentInode() -> UInt64? {
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory else {
            return nil
        }
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: directory.path)
            switch attributes[.systemFileNumber] {
            case let number as UInt64: return number
            case let number as UInt: return UInt64(number)
            case let number as Int: return UInt64(truncatingIfNeeded: number)
            default: return 0  // no inode reported: the watcher is then re-armed only when the directory vanishes
            }
        } catch {
            logger.warning("cannot read the servers directory", metadata: ["error": "\(error)"])
            return nil
        }
    }

    private func changed() {
        debounce?.start(after: 150) { [unowned self] in
            self.logger.info("servers directory changed; reloading", metadata: ["dir": "\(self.directory.path)"])
            self.armDirectoryWatcher()
            self.reload()
        }
    }

    /// Validates `entry` and writes it as `<name>.json` (atomically), then applies it. Returns the file path.
    func add(name: String, entry: JSON, replace: Bool) throws -> String {
        // The name becomes a file name: nothing the loader skips (dot files) or that leaves the directory.
        guard !name.isEmpty, !name.hasPrefix("."), !name.contains("/"), !name.contains("\0"), name.utf8.count <= 100
        else {
            throw JSONRPCError.invalidParams(
                "servers_add: name \"\(name)\" cannot be a file name in servers.d (no leading dot, no \"/\", at most "
                    + "100 bytes); letters, digits, \"-\" and \"_\" are safest")
        }
        let file = URL(fileURLWithPath: directory.path).appendingPathComponent("\(name).json").path
        let parser = ServerEntryParser(environment: directory.environment)
        _ = try parser.parse(name: name, entry: entry, file: file)
        let existing = hub.statuses.first(where: { $0.name == name })
        if !replace, existing != nil || FileManager.default.fileExists(atPath: file) {
            throw JSONRPCError.invalidParams(
                "servers_add: a server named \(name) already exists; pass \"replace\": true to overwrite it")
        }
        if let source = existing?.sourceFile, source != file {
            // Writing <name>.json beside it would only be reported as a duplicate and ignored.
            throw JSONRPCError.invalidParams(
                "servers_add: \(name) is defined in \(source) with other servers; edit it there, or servers_remove "
                    + "it first and add it again")
        }
        try FileManager.default.createDirectory(atPath: directory.path, withIntermediateDirectories: true)
        let data = Data((entry.prettyString() + "\n").utf8)
        try data.write(to: URL(fileURLWithPath: file), options: .atomic)
        reload()
        watch()
        return file
    }

    /// Deletes the server's entry: its own file, or its key in a multi-server (`mcpServers`) file.
    func remove(name: String) throws -> String {
        guard let status = hub.statuses.first(where: { $0.name == name }), let file = status.sourceFile else {
            throw JSONRPCError.invalidParams(
                "servers_remove: no server named \(name); servers_list shows the registered ones")
        }
        let entries = try ServersDirectory.entries(in: file, fileName: URL(fileURLWithPath: file).lastPathComponent)
        if entries.count <= 1 {
            try FileManager.default.removeItem(atPath: file)
        } else {
            let json = try JSON.parse(Array(try Data(contentsOf: URL(fileURLWithPath: file))))
            var object = json.objectValue ?? JSONObject()
            let key = object["mcpServers"] != nil ? "mcpServers" : "servers"
            var servers = object[key]?.objectValue ?? JSONObject()
            servers[name] = nil
            object[key] = .object(servers)
            try Data((JSON.object(object).prettyString() + "\n").utf8).write(
                to: URL(fileURLWithPath: file), options: .atomic)
        }
        reload()
        return file
    }

    func close() {
        watcher?.close(); watcher = nil
        parentWatcher?.close(); parentWatcher = nil
        debounce?.close(); debounce = nil
    }
}
