// swift-tools-version:6.0
import PackageDescription

/// Switchyard: one MCP server in front of many (the Hub), and one routing core for model calls.
/// Targets follow DESIGN.md §2 from the bottom up; only the C wrapper targets touch C.
let package = Package(
    name: "Switchyard",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "switchyard", targets: ["switchyard"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // C libraries, module maps and typed shims only.
        .systemLibrary(name: "CLibUV", pkgConfig: "libuv", providers: [.apt(["libuv1-dev"])]),
        // Headers only: libcurl itself is loaded on first use (see Sources/CCurl/shim.h).
        .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CHTTPParser", providers: [.apt(["libhttp-parser-dev"])]),

        .target(name: "Loop", dependencies: ["CLibUV"]),
        .target(name: "JSON"),
        .target(name: "HTTPServer", dependencies: ["Loop", "CHTTPParser"]),
        .target(name: "HTTPClient", dependencies: ["Loop", "CCurl"]),
        .target(name: "JSONRPC", dependencies: ["JSON"]),
        // Shell-style globs shared by tool filters (MCP) and key permissions (Routing), and small text helpers.
        .target(name: "Patterns"),
        // The text/event-stream parser shared by the MCP client transport and the provider stream decoders.
        .target(name: "ServerSentEvents"),
        .target(
            name: "Routing", dependencies: ["JSON", "Patterns", "ServerSentEvents"],
            resources: [.embedInCode("Catalog/catalog.json")]),
        .target(
            name: "Store",
            dependencies: [
                "CSQLite", "Loop", "Routing", "JSON", .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "MCP",
            dependencies: [
                "JSONRPC", "Patterns", "JSON", "Loop", "HTTPServer", "HTTPClient", "ServerSentEvents",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "Gateway",
            dependencies: [
                "MCP", "JSONRPC", "JSON", "Loop", "HTTPServer", "HTTPClient", "Patterns", "Routing", "Store",
                .product(name: "Logging", package: "swift-log"),
            ]),
        // Linked with the Swift runtime and FoundationEssentials inside: one binary that needs no Swift runtime on
        // the host, and ~3 MB less resident memory than the shared libraries (only the pages used are loaded).
        .executableTarget(
            name: "switchyard",
            dependencies: [
                "Gateway", "Loop",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ], linkerSettings: [.unsafeFlags(["-static-stdlib", "-l_FoundationCollections", "-l_FoundationCShims"])]),
        // Test support: a fake LLM provider speaking the OpenAI, Anthropic and Gemini wire formats on loopback.
        .target(name: "FakeProvider", dependencies: ["Loop", "HTTPServer", "JSON"]),
        .executableTarget(
            name: "fake-provider",
            dependencies: [
                "FakeProvider", "Loop", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // Benchmarks: blocking clients, timing and child processes shared by both programs live in BenchSupport.
        .target(name: "BenchSupport", path: "Benchmarks/BenchSupport"),
        .executableTarget(
            name: "switchyard-bench", dependencies: ["BenchSupport", "JSON"], path: "Benchmarks/switchyard-bench"),
        .executableTarget(
            name: "switchyard-router-bench", dependencies: ["BenchSupport", "JSON"], path: "Benchmarks/router-bench"),
        .executableTarget(name: "switchyard-core-bench", dependencies: ["Routing", "JSON"], path: "Benchmarks/core-bench"),
        .executableTarget(name: "bench-echo-server", dependencies: ["JSON"], path: "Benchmarks/echo-server"),

        // Shared by the test targets: running a loop until a condition holds, never sleeping.
        .target(name: "LoopTestSupport", dependencies: ["Loop"], path: "Tests/LoopTestSupport"),
        .testTarget(name: "LoopTests", dependencies: ["Loop", "LoopTestSupport"]),
        .testTarget(name: "PatternsTests", dependencies: ["Patterns"]),
        .testTarget(name: "ServerSentEventsTests", dependencies: ["ServerSentEvents"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["LoopTestSupport", "HTTPServer", "Loop"]),
        .testTarget(name: "HTTPClientTests", dependencies: ["LoopTestSupport", "HTTPClient", "Loop"]),
        .testTarget(name: "JSONRPCTests", dependencies: ["JSONRPC", "JSON"]),
        .testTarget(
            name: "MCPTests",
            dependencies: ["LoopTestSupport", "MCP", "JSONRPC", "JSON", "Loop", "HTTPServer", "HTTPClient"]),
        .testTarget(name: "RoutingTests", dependencies: ["Routing", "JSON"]),
        .testTarget(name: "StoreTests", dependencies: ["LoopTestSupport", "Store", "Routing", "Loop", "JSON"]),
        .testTarget(
            name: "FakeProviderTests", dependencies: ["LoopTestSupport", "FakeProvider", "HTTPClient", "Loop", "JSON"]),
        .testTarget(
            name: "GatewayTests",
            dependencies: ["LoopTestSupport", "Gateway", "MCP", "JSON", "Loop", "Routing", "Store", "FakeProvider"]),
    ]
)
