import Foundation
import XCTest
@testable import TresorCore

final class ManifestInputsTests: XCTestCase {
    private var root = ""

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "tresor-inputs-\(UUID().uuidString)"
        let files = ["b/vms.yaml", "a/vaults.yml", "a/notes.md", ".github/workflows/ci.yml", "tresor.yaml", "z.YAML"]
        for file in files {
            let url = URL(fileURLWithPath: root).appendingPathComponent(file)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try "a: 1\n".write(to: url, atomically: true, encoding: .utf8)
        }
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(atPath: root)
    }

    func testFoldersAreWalkedInOrderSkippingHiddenEntriesAndTheConfiguration() {
        let (files, diagnostics) = ManifestInputs.collect([root])
        XCTAssertEqual(diagnostics, [])
        XCTAssertEqual(files, ["\(root)/a/vaults.yml", "\(root)/b/vms.yaml", "\(root)/z.YAML"])
    }

    func testTheCurrentDirectoryIsListedWithoutADotPrefix() throws {
        let previous = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(root))
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        XCTAssertEqual(ManifestInputs.collect(["."]).files, ["a/vaults.yml", "b/vms.yaml", "z.YAML"])
    }

    func testMissingPathsAndEmptyFoldersAreTR000() throws {
        let empty = root + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let (files, diagnostics) = ManifestInputs.collect([root + "/missing", empty])
        XCTAssertEqual(files, [])
        XCTAssertEqual(diagnostics.map(\.code), ["TR000", "TR000"])
        XCTAssertTrue(diagnostics[1].message.contains("no *.yaml or *.yml manifests"))
    }
}
