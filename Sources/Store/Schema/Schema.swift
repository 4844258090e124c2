/// One step of the schema: applied once, in order, recorded in `PRAGMA user_version`.
struct Migration: Sendable {
    /// The `user_version` the database has after this step.
    let version: Int
    /// What the step adds, for the log line at startup.
    let summary: String
    /// One or more statements; they run inside the same transaction as the version bump.
    let sql: String
}

/// The database schema as a list of migrations. Add new tables by appending a migration;
/// never edit one that has shipped, because databases already past its version will not run it again.
enum Schema {
    static let migrations: [Migration] = [
        Migration(version: 1, summary: "usage, usage_tags and aliases tables", sql: usageAndAliases),
        Migration(version: 2, summary: "keys table", sql: keys),
        Migration(version: 3, summary: "usage.cache_write_tokens", sql: cacheWriteTokens),
    ]

    /// The newest version this build knows.
    static var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Brings the database to `latestVersion`; returns the version it found. Each migration and its version bump
    /// commit together (`user_version` lives in the file header and is transactional), so a crash half-way leaves
    /// the file at the previous version and the step runs again on the next start.
    @discardableResult
    static func migrate(_ database: SQLiteDatabase) throws -> Int {
        let found = try database.scalarInt("PRAGMA user_version") ?? 0
        guard found <= latestVersion else { throw SchemaTooNew(found: found, known: latestVersion) }
        for migration in migrations where migration.version > found {
            try database.transaction {
                // Re-read under the write lock: another process may have migrated since we looked.
                let current = try database.scalarInt("PRAGMA user_version") ?? 0
                guard current < migration.version else { return }
                try database.execute(migration.sql)
                // PRAGMA takes no bound parameters; the version is our own integer.
                try database.execute("PRAGMA user_version = \(migration.version)")
            }
        }
        return found
    }

    /// Version 1. `usage` has one row per routed request; `tags` and `attempts` are JSON arrays kept with the row
    /// so a single read returns the whole record, and `usage_tags` repeats the tags one per row so summaries can
    /// group by tag with an index. Numeric REAL columns stay nullable: SQLite stores a NaN as NULL, and a NOT NULL
    /// there would make one bad value fail its whole batch on every retry.
    static let usageAndAliases = """
        CREATE TABLE usage (
            id TEXT PRIMARY KEY NOT NULL,
            created_at REAL,
            key_id TEXT,
            face TEXT NOT NULL,
            requested_model TEXT NOT NULL,
            resolved_model TEXT,
            provider TEXT,
            prompt_tokens INT NOT NULL DEFAULT 0,
            completion_tokens INT NOT NULL DEFAULT 0,
            cached_tokens INT NOT NULL DEFAULT 0,
            reasoning_tokens INT NOT NULL DEFAULT 0,
            cost REAL,
            latency_ms REAL,
            ttft_ms REAL,
            stream INT NOT NULL DEFAULT 0,
            status TEXT NOT NULL,
            http_status INT NOT NULL,
            error TEXT,
            tags TEXT NOT NULL DEFAULT '[]',
            attempts TEXT NOT NULL DEFAULT '[]'
        );
        CREATE INDEX usage_created_at ON usage (created_at);
        CREATE INDEX usage_key_id ON usage (key_id, created_at);
        CREATE TABLE usage_tags (
            usage_id TEXT NOT NULL REFERENCES usage (id) ON DELETE CASCADE,
            tag TEXT NOT NULL,
            PRIMARY KEY (usage_id, tag)
        ) WITHOUT ROWID;
        CREATE INDEX usage_tags_tag ON usage_tags (tag);
        CREATE TABLE aliases (
            name TEXT PRIMARY KEY NOT NULL,
            definition TEXT NOT NULL,
            updated_at REAL NOT NULL
        );
        """
}

extension Schema {
    /// Version 2. One row per API key: only the secret's SHA-256 (hex) is stored, never the secret. The list
    /// fields are JSON arrays of strings; a NULL limit means unlimited. As in `usage`, the REAL columns stay
    /// nullable (a NaN is stored as NULL) and read back as 0, so one bad figure cannot fail every spend write.
    static let keys = """
        CREATE TABLE keys (
            id TEXT PRIMARY KEY NOT NULL,
            secret_hash TEXT UNIQUE NOT NULL,
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            credit_limit REAL,
            reset_interval TEXT NOT NULL,
            allowed_models TEXT NOT NULL DEFAULT '[]',
            rpm_limit INT,
            tpm_limit INT,
            max_in_flight INT,
            expires_at REAL,
            tags TEXT NOT NULL DEFAULT '[]',
            allowed_servers TEXT NOT NULL DEFAULT '[]',
            allowed_tools TEXT NOT NULL DEFAULT '[]',
            disabled INT NOT NULL DEFAULT 0,
            created_at REAL,
            spend REAL,
            period_start REAL,
            total_spend REAL
        );
        """
}

extension Schema {
    /// Version 3. Prompt tokens written to the provider's cache (Anthropic's `cache_creation_input_tokens`), counted
    /// inside `prompt_tokens` like `cached_tokens`; rows written before are 0.
    static let cacheWriteTokens = """
        ALTER TABLE usage ADD COLUMN cache_write_tokens INT NOT NULL DEFAULT 0;
        """
}

/// The file was migrated by a newer Switchyard: this build does not know its tables.
struct SchemaTooNew: Error, CustomStringConvertible {
    let found: Int
    let known: Int

    var description: String {
        "the database schema is version \(found), newer than this build knows (\(known)); it was written by a newer Switchyard"
    }
}
