// swift-tools-version:6.0
import PackageDescription

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
        // The command line: parses arguments and calls TresorCore, nothing else.
        .executableTarget(
            name: "tresor",
            dependencies: [
                "TresorCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "TresorCoreTests",
            dependencies: ["TresorCore"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "tresorTests",
            dependencies: ["tresor"],
            // Help goldens, read from the source tree by path.
            exclude: ["Golden"]
        ),
    ]
)
