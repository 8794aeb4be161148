// swift-tools-version:6.0
import PackageDescription

// One direction of flow: CYAML -> TresorCore -> (TresorAzure, TresorPostgres) -> tresor.
// TresorCore keeps no network or database dependency; the Azure provider and the PostgreSQL
// backend implement its `Provider` and `StateBackend` protocols and are injected by the CLI.
let package = Package(
    name: "tresor",
    products: [
        .executable(name: "tresor", targets: ["tresor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // libyaml from the system: `apt-get install libyaml-dev`.
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        // The compiler: sources, YAML loading, model, rules, state, plan, apply, renderers.
        .target(
            name: "TresorCore",
            dependencies: ["CYAML"]
        ),
        // The Azure Resource Manager provider: sign-in, requests, long-running operations,
        // throttling. HTTP through the toolchain's FoundationNetworking (libcurl): no package
        // to build, so `validate` in a pre-commit hook does not wait for a TLS stack.
        .target(
            name: "TresorAzure",
            dependencies: ["TresorCore"]
        ),
        // The PostgreSQL state backend. libpq is loaded when the backend is used, so building
        // tresor needs no database headers.
        .target(
            name: "TresorPostgres",
            dependencies: ["TresorCore"]
        ),
        // The command line: parses arguments, picks the provider and backend, calls TresorCore.
        .executableTarget(
            name: "tresor",
            dependencies: [
                "TresorCore",
                "TresorAzure",
                "TresorPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "TresorCoreTests",
            dependencies: ["TresorCore"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "TresorAzureTests",
            dependencies: ["TresorAzure", "TresorCore"]
        ),
        .testTarget(
            name: "TresorPostgresTests",
            dependencies: ["TresorPostgres", "TresorCore"]
        ),
        .testTarget(
            name: "tresorTests",
            dependencies: ["tresor", "TresorCore"],
            // Help goldens, read from the source tree by path.
            exclude: ["Golden"]
        ),
    ]
)
