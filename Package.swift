// swift-tools-version:6.0
import PackageDescription

// One direction of flow, each stage a module that can only import the ones before it (CI builds
// with `--explicit-target-dependency-import-check error`, so a wrong-way import fails to build):
//   TresorSupport -> TresorModel -> TresorState -> TresorFrontEnd -> TresorPlan -> TresorCore -> tresor
// with CYAML under TresorFrontEnd, TresorPostgres on TresorState and TresorAzure on TresorPlan.
// The core has no network or database dependency; the Azure provider and the PostgreSQL
// backend implement its `Provider` and `StateBackend` protocols and are injected by the CLI.
// The core's modules, bottom to top: the CLI and the test targets use them all.
let coreModules = ["TresorSupport", "TresorModel", "TresorState", "TresorFrontEnd", "TresorPlan", "TresorCore"]
let core = coreModules.map { Target.Dependency(stringLiteral: $0) }

let package = Package(
    name: "tresor",
    products: [
        .executable(name: "tresor", targets: ["tresor"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: [
        // libyaml from the system: `apt-get install libyaml-dev`.
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        // What any stage may use, and nothing of tresor's: JSON writer and reader, files (mapped
        // input, atomic writes), parallel work, XXH64, source files and ranges, counts in text.
        .target(name: "TresorSupport"),
        // What every stage speaks: diagnostics and their renderers, the resource model, IDs.
        .target(name: "TresorModel", dependencies: ["TresorSupport"]),
        // Stored state: its model, the state file, journal and lock, the `StateBackend` seam
        // and the local store.
        .target(name: "TresorState", dependencies: ["TresorSupport", "TresorModel"]),
        // The compiler's front half: YAML, decoding, inventories, binding, the rules and their
        // catalog (state rules included: the catalog lists every code), tresor.yaml; `Compiler`.
        .target(name: "TresorFrontEnd", dependencies: ["CYAML", "TresorSupport", "TresorModel", "TresorState"]),
        // Plan, apply through the `Provider` seam, refresh, import, graphs.
        .target(name: "TresorPlan", dependencies: ["TresorSupport", "TresorModel", "TresorState", "TresorFrontEnd"]),
        // The commands the CLI runs, each returning its output.
        .target(
            name: "TresorCore",
            dependencies: ["TresorSupport", "TresorModel", "TresorState", "TresorFrontEnd", "TresorPlan"]
        ),
        // The Azure Resource Manager provider: sign-in, requests, long-running operations,
        // throttling. HTTP through the toolchain's FoundationNetworking (libcurl): no package
        // to build, so `validate` in a pre-commit hook does not wait for a TLS stack.
        .target(
            name: "TresorAzure",
            dependencies: ["TresorSupport", "TresorModel", "TresorState", "TresorPlan"]
        ),
        // The PostgreSQL state backend. libpq is loaded when the backend is used, so building
        // tresor needs no database headers.
        .target(
            name: "TresorPostgres",
            dependencies: ["TresorSupport", "TresorModel", "TresorState"]
        ),
        // The command line: parses arguments, picks the provider and backend, calls TresorCore.
        .executableTarget(
            name: "tresor",
            dependencies: core + [
                "TresorAzure",
                "TresorPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser")
            ]
        ),
        .testTarget(
            name: "TresorCoreTests",
            dependencies: core,
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "TresorAzureTests",
            dependencies: core + ["TresorAzure"]
        ),
        .testTarget(
            name: "TresorPostgresTests",
            dependencies: core + ["TresorPostgres"]
        ),
        .testTarget(
            name: "tresorTests",
            dependencies: core + ["tresor"],
            // Help goldens, read from the source tree by path.
            exclude: ["Golden"]
        )
    ]
)

// Fuzz targets, built only with TRESOR_FUZZ=1 (scripts/fuzz.sh builds them into .build-fuzz):
// one libFuzzer executable per parser of outside input, under Fuzz/. Every Tresor library
// target (whatever modules TresorCore is split into) is instrumented for coverage and
// AddressSanitizer with them, and built with -enable-testing so that the targets reach internal
// decoders. On this toolchain gold crashes linking libFuzzer: lld.
if Context.environment["TRESOR_FUZZ"] == "1" {
    let sanitizers = ["-sanitize=fuzzer,address"]
    let libraries = package.targets.filter { $0.type == .regular && $0.name.hasPrefix("Tresor") }
    for target in libraries {
        target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(sanitizers + ["-enable-testing"])]
    }
    let everyLibrary = libraries.map { Target.Dependency(stringLiteral: $0.name) }
    package.targets.append(
        .target(
            name: "FuzzSupport",
            dependencies: everyLibrary,
            path: "Fuzz/Support",
            swiftSettings: [.unsafeFlags(sanitizers)]
        ))
    for name in ["Manifests", "Configuration", "Inventory", "State", "Journal", "Plan", "Arm", "Postgres"] {
        package.targets.append(
            .executableTarget(
                name: "Fuzz\(name)",
                dependencies: everyLibrary + ["FuzzSupport"],
                path: "Fuzz/\(name)",
                swiftSettings: [.unsafeFlags(sanitizers)],
                linkerSettings: [.unsafeFlags(sanitizers + ["-use-ld=lld"])]
            ))
    }
}
