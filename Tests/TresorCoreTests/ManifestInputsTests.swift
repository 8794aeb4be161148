import Foundation
import Synchronization
import XCTest

@testable import TresorCore
@testable import TresorFrontEnd
@testable import TresorSupport

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

    /// `ln -s . loop` made validate read the same files 41 times; `up -> ..` leads back too.
    func testSymbolicLinksBackIntoTheSearchAreNotFollowedAgain() throws {
        try FileManager.default.createSymbolicLink(atPath: root + "/loop", withDestinationPath: ".")
        try FileManager.default.createSymbolicLink(atPath: root + "/b/up", withDestinationPath: "..")
        try FileManager.default.createSymbolicLink(atPath: root + "/a/deeper", withDestinationPath: root + "/a")
        let (files, diagnostics) = ManifestInputs.collect([root])
        XCTAssertEqual(diagnostics, [])
        XCTAssertEqual(files, ["\(root)/a/vaults.yml", "\(root)/b/vms.yaml", "\(root)/z.YAML"])
    }

    func testAFileOrFolderReachedByTwoPathsIsListedOnce() throws {
        try FileManager.default.createSymbolicLink(atPath: root + "/a/alias.yaml", withDestinationPath: "../b/vms.yaml")
        try FileManager.default.createSymbolicLink(atPath: root + "/c", withDestinationPath: "b")
        let (files, diagnostics) = ManifestInputs.collect([root + "/b", root, root + "/a", root + "/z.YAML"])
        XCTAssertEqual(diagnostics, [])
        XCTAssertEqual(files, ["\(root)/b/vms.yaml", "\(root)/a/vaults.yml", "\(root)/z.YAML"])
    }

    /// The whole of validate over a folder with a loop: one file, no duplicate identities.
    func testValidateOverALoopReadsEachManifestOnce() throws {
        let folder = root + "/estate"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try baseEstate.write(toFile: folder + "/estate.yaml", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: folder + "/loop", withDestinationPath: ".")
        let output = ValidateCommand(paths: [folder]).run()
        XCTAssertEqual(output.exitCode, ExitCode.success, output.stdout)
        XCTAssertTrue(output.stdout.hasPrefix("valid: 1 file, 4 resources, 0 errors"), output.stdout)
    }

    /// Opening a FIFO waits for a writer unless asked not to: a FIFO named like a manifest hung validate.
    func testAFIFONamedLikeAManifestIsRefusedWithoutWaiting() throws {
        let fifo = root + "/pipe.yaml"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        XCTAssertTrue(ManifestInputs.collect([root]).files.contains(fifo))
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<Result<SourceFile, Files.ReadError>?>(nil)
        Thread.detachNewThread {
            let mapped = Files.map(fifo, limit: .max)
            result.withLock { $0 = mapped }
            done.signal()
        }
        XCTAssertEqual(done.wait(timeout: .now() + 10), .success, "opening the FIFO blocked")
        guard case .failure(.notAFile)? = result.withLock({ $0 }) else { return XCTFail("a FIFO is not a regular file") }
    }
}
