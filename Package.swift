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

// Fuzz targets, built only with TRESOR_FUZZ=1 (scripts/fuzz.sh builds them into .build-fuzz):
// one libFuzzer executable per parser of outside input, under Fuzz/. TresorCore is instrumented
// for coverage and AddressSanitizer with them, and built with -enable-testing so that the
// targets reach its internal decoders. On this toolchain gold crashes linking libFuzzer: lld.
if Context.environment["TRESOR_FUZZ"] == "1" {
    let sanitizers = ["-sanitize=fuzzer,address"]
    for target in package.targets where target.name == "TresorCore" {
        target.swiftSettings = [.unsafeFlags(sanitizers + ["-enable-testing"])]
    }
    package.targets.append(.target(
        name: "FuzzSupport",
        dependencies: ["TresorCore"],
        path: "Fuzz/Support",
        swiftSettings: [.unsafeFlags(sanitizers)]
    ))
    for name in ["Manifests", "Configuration", "Inventory", "State", "Journal", "Plan"] {
        package.targets.append(.executableTarget(
            name: "Fuzz\(name)",
            dependencies: ["TresorCore", "FuzzSupport"],
            path: "Fuzz/\(name)",
            swiftSettings: [.unsafeFlags(sanitizers)],
            linkerSettings: [.unsafeFlags(sanitizers + ["-use-ld=lld"])]
        ))
    }
}
