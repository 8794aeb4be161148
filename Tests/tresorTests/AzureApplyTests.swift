import Foundation
import Glibc
import XCTest

/// The built tresor against the ARM emulator, as a pipeline runs it (issue 9): the example estate
/// applied from empty state converges; a SIGKILL with operations in flight is followed by an apply
/// that converges without duplicates; a refusal leaves state holding exactly what Azure
/// confirmed; no credentials sends nothing; and no secret reaches any output.
final class AzureApplyTests: XCTestCase {
    private var directory: URL!
    private var emulator: EmulatorProcess!
    private let secret = "planted-secret-\(UUID().uuidString)"
    private var statePath: String { directory.appendingPathComponent("tresor.state.json").path }
    private static let estate = EmulatorProcess.repositoryRoot.appendingPathComponent("Examples/estate").path

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tresor-azure-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        emulator = try EmulatorProcess(emulatorArguments: ["--operation-seconds", "1", "--retry-after", "1", "--client-secret", secret])
    }

    override func tearDownWithError() throws {
        emulator?.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    private var executable: String {
        Bundle.main.executableURL!.deletingLastPathComponent().appendingPathComponent("tresor").path
    }

    private var signIn: [String: String] {
        var environment = emulator.signInEnvironment
        environment["AZURE_CLIENT_SECRET"] = secret
        return environment
    }

    private struct Run {
        var status: Int32
        var output: String
    }

    /// Starts tresor with its output in a file (no pipe handlers: a killed child must not take a
    /// reader thread with it).
    private func start(_ arguments: [String], environment: [String: String]) throws -> (Process, URL) {
        let log = directory.appendingPathComponent("run-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var base = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("AZURE_") && !$0.key.hasPrefix("TRESOR_") && !$0.key.hasPrefix("ACTIONS_") && $0.key != "IDENTITY_ENDPOINT"
        }
        base["PATH"] = "/usr/bin:/bin"  // no az: the CLI source stays unconfigured
        process.environment = base.merging(environment) { $1 }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return (process, log)
    }

    private func tresor(_ arguments: [String], environment: [String: String]? = nil) throws -> Run {
        let (process, log) = try start(arguments, environment: environment ?? signIn)
        process.waitUntilExit()
        let output = try String(contentsOf: log, encoding: .utf8)
        XCTAssertFalse(output.contains(secret), "the client secret reached the output:\n\(output)")
        XCTAssertFalse(output.contains("Bearer"), "an Authorization header reached the output:\n\(output)")
        assertNoSanitizerReport(output)
        return Run(status: process.terminationStatus, output: output)
    }

    /// Under scripts/sanitize.sh tresor is built with the sanitizer too: a report from a run,
    /// killed ones included (they have no exit status to show it), fails the test.
    private func assertNoSanitizerReport(_ output: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(output.contains("Sanitizer"), output, file: file, line: line)
    }

    /// The NSGs the example's rules go into exist in Azure before tresor runs: they are observed.
    private func seedExampleNSGs(extraRules: [String: String] = [:]) async throws {
        var resources: [String] = []
        let files = FileManager.default.enumerator(atPath: Self.estate)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".yaml") }
        for file in files {
            let text = try String(contentsOfFile: Self.estate + "/" + file, encoding: .utf8)
            for document in text.components(separatedBy: "\n---") where document.contains("kind: NetworkSecurityGroup") {
                var fields: [String: String] = [:]
                for line in document.split(separator: "\n") {
                    let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    if parts.count == 2, !line.hasPrefix(" ") { fields[parts[0]] = parts[1] }
                }
                let id =
                    "/subscriptions/\(fields["subscription"]!)/resourceGroups/\(fields["resourceGroup"]!)"
                    + "/providers/Microsoft.Network/networkSecurityGroups/\(fields["name"]!)"
                let rules = extraRules[fields["name"]!].map { "[\($0)]" } ?? "[]"
                resources.append(#"{"id":"\#(id)","body":{"location":"\#(fields["region"]!)","properties":{"securityRules":\#(rules)}}}"#)
            }
        }
        XCTAssertFalse(resources.isEmpty)
        try await emulator.json("/_emulator/seed", method: "POST", body: #"{"resources":[\#(resources.joined(separator: ","))]}"#)
    }

    private func assertNoContractViolations(file: StaticString = #filePath, line: UInt = #line) async throws {
        let violations = try await emulator.json("/_emulator/violations")
        XCTAssertEqual(violations, .array([]), "requests outside the official REST specs", file: file, line: line)
    }

    /// Resources in the emulator whose (lower-cased) ID satisfies `matches`.
    private func count(_ matches: (String) -> Bool) async throws -> Int {
        guard case .object(let resources) = try await emulator.json("/_emulator/resources") else { return -1 }
        return resources.count { matches($0.0) }
    }

    private func count(_ segment: String) async throws -> Int {
        try await count { $0.contains(segment) }
    }

    private func isVault(_ id: String) -> Bool {
        id.split(separator: "/").count == 8 && id.contains("/microsoft.recoveryservices/vaults/")
    }

    private func storedResources() throws -> Int {
        let run = try tresor(["show", "--state", statePath, "--format", "json"])
        struct Shown: Decodable { var resources: [[String: String?]]? }
        let json = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any]
        return (json?["resources"] as? [Any])?.count ?? -1
    }

    func testExampleEstateAppliedFromEmptyStateConvergesAndTheNextPlanHasNoChanges() async throws {
        try await seedExampleNSGs()
        let applied = try tresor(["apply", Self.estate, "--auto-approve", "--state", statePath, "--verbose"])
        XCTAssertEqual(applied.status, 0, applied.output)
        XCTAssertTrue(applied.output.contains("Apply complete: 58 created"), applied.output)
        XCTAssertTrue(applied.output.contains("client secret"), "--verbose names the credential:\n\(applied.output)")
        XCTAssertTrue(applied.output.contains("Vault rsv-prod-weu: created after"), applied.output)
        let counted1 = try await count("/protecteditems/")

        XCTAssertEqual(counted1, 38)

        // The next plan refreshes from Azure and finds nothing to do.
        let planned = try tresor([
            "plan", Self.estate, "--state", statePath, "--detailed-exitcode", "--out", directory.appendingPathComponent("next.plan").path
        ])
        XCTAssertEqual(planned.status, 0, planned.output)
        let saved = try String(contentsOf: directory.appendingPathComponent("next.plan"), encoding: .utf8)
        XCTAssertFalse(saved.contains(secret))
        let state = try String(contentsOfFile: statePath, encoding: .utf8)
        XCTAssertFalse(state.contains(secret))
        try await assertNoContractViolations()
    }

    /// Waits (up to two minutes) until the emulator runs a protected item's operation for `process`.
    private func waitForItemOperationsInFlight(of process: Process, file: StaticString = #filePath, line: UInt = #line) async throws {
        let deadline = Date().addingTimeInterval(120)
        var inFlight = 0
        while Date() < deadline, inFlight == 0, process.isRunning {
            guard case .array(let operations) = try await emulator.json("/_emulator/operations") else { break }
            inFlight = operations.count { $0["kind"]?.stringValue == "item" && $0["status"]?.stringValue == "InProgress" }
            if inFlight == 0 { try await Task.sleep(nanoseconds: 50_000_000) }
        }
        XCTAssertGreaterThan(inFlight, 0, "no item operation was seen in flight", file: file, line: line)
    }

    func testKillingAnApplyWithOperationsInFlightThenApplyingAgainConvergesWithoutDuplicates() async throws {
        try await seedExampleNSGs()
        try await emulator.json("/_emulator/config", method: "POST", body: #"{"operation_seconds": 3}"#)
        let (process, log) = try start(["apply", Self.estate, "--auto-approve", "--state", statePath], environment: signIn)
        // Wait until protected items are being configured, then kill tresor mid-operation.
        try await waitForItemOperationsInFlight(of: process)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)
        assertNoSanitizerReport(try String(contentsOf: log, encoding: .utf8))

        let again = try tresor(["apply", Self.estate, "--auto-approve", "--state", statePath])
        XCTAssertEqual(again.status, 0, again.output)
        let counted2 = try await count("/protecteditems/")

        XCTAssertEqual(counted2, 38, "one item per protected VM, no duplicate")
        let counted3 = try await count("/backuppolicies/")

        XCTAssertEqual(counted3, 4 * 2 + 11, "each vault's two system policies and the eleven declared ones, once each")
        XCTAssertEqual(try storedResources(), 58)
        let planned = try tresor(["plan", Self.estate, "--state", statePath, "--detailed-exitcode"])
        XCTAssertEqual(planned.status, 0, planned.output)
        try await assertNoContractViolations()
    }

    /// The first SIGINT stops new changes, lets those in flight finish and writes state; apply
    /// again does the rest.
    func testAnInterruptedApplyFinishesWhatIsInFlightWritesStateAndApplyingAgainConverges() async throws {
        try await seedExampleNSGs()
        try await emulator.json("/_emulator/config", method: "POST", body: #"{"operation_seconds": 2}"#)
        let (process, log) = try start(["apply", Self.estate, "--auto-approve", "--state", statePath], environment: signIn)
        try await waitForItemOperationsInFlight(of: process)
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        let output = try String(contentsOf: log, encoding: .utf8)
        XCTAssertEqual(process.terminationStatus, 1, output)
        XCTAssertTrue(output.contains("interrupted"), output)
        XCTAssertTrue(output.contains("apply interrupted after"), output)
        assertNoSanitizerReport(output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: statePath + ".journal"), "the state was written: " + output)
        let stored = try storedResources()
        XCTAssertGreaterThan(stored, 0)
        XCTAssertLessThan(stored, 58)
        let items = try await count("/protecteditems/")
        XCTAssertGreaterThanOrEqual(items, stored - 20, "what was in flight finished")

        let again = try tresor(["apply", Self.estate, "--auto-approve", "--state", statePath])
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertEqual(try storedResources(), 58)
        let itemsAfter = try await count("/protecteditems/")
        XCTAssertEqual(itemsAfter, 38)
        try await assertNoContractViolations()
    }

    func testARefusalIsReportedWithAzuresAnswerAndStateHoldsWhatAzureConfirmed() async throws {
        // An unmanaged rule already holds the priority and direction of a managed one.
        try await seedExampleNSGs(extraRules: [
            "nsg-snet-data-weu": #"""
            {"name":"legacy-deny","properties":{"priority":900,"direction":"Outbound","access":"Deny","protocol":"*",
             "sourceAddressPrefix":"*","destinationAddressPrefix":"*","sourcePortRange":"*","destinationPortRange":"*"}}
            """#
        ])
        let failed = try tresor(["apply", Self.estate, "--auto-approve", "--state", statePath])
        XCTAssertEqual(failed.status, 1, failed.output)
        XCTAssertTrue(
            failed.output.contains("error[TR605]: cannot create NetworkRule allow-azure-backup-storage: SecurityRuleConflict"),
            failed.output)
        XCTAssertTrue(failed.output.contains("(HTTP 400)"), failed.output)
        XCTAssertTrue(failed.output.contains("declared at "), failed.output)
        XCTAssertTrue(failed.output.contains("x-ms-correlation-request-id: "), failed.output)

        // State holds exactly what Azure confirmed.
        let shown = try tresor(["show", "--state", statePath, "--format", "json"])
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(shown.output.utf8)) as? [String: Any])
        let kinds = (document["resources"] as? [[String: Any]] ?? []).map { $0["kind"] as? String ?? "" }
        let (vaults, items, rules) = (try await count(isVault), try await count("/protecteditems/"), try await count("/securityrules/"))
        XCTAssertEqual(kinds.count { $0 == "Vault" }, vaults)
        XCTAssertEqual(kinds.count { $0 == "ProtectedItem" }, items)
        XCTAssertEqual(kinds.count { $0 == "NetworkRule" }, rules - 1, "the seeded rule is not tresor's")
        XCTAssertLessThan(kinds.count, 58, "the changes after the refusal did not start")

        // Once the conflicting rule is gone, applying again does the rest.
        let legacy =
            "/subscriptions/1f0c5c6e-0000-4000-8000-00000000a001/resourceGroups/rg-net-prod-weu/providers/Microsoft.Network"
            + "/networkSecurityGroups/nsg-snet-data-weu/securityRules/legacy-deny"
        try await emulator.json("/_emulator/mutate", method: "POST", body: #"{"id":"\#(legacy)","delete":true}"#)
        let again = try tresor(["apply", Self.estate, "--auto-approve", "--state", statePath])
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertEqual(try storedResources(), 58)
        try await assertNoContractViolations()
    }

    func testWithoutCredentialsNothingIsSentAndNothingWritten() async throws {
        var environment = signIn
        for name in ["AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"] { environment[name] = nil }
        let before = try await emulator.json("/_emulator/requests?kind=arm&kind=token")
        let run = try tresor(["apply", Self.estate, "--auto-approve", "--state", statePath], environment: environment)
        XCTAssertEqual(run.status, 1, run.output)
        XCTAssertTrue(run.output.contains("error[TR606]: cannot sign in to Azure"), run.output)
        XCTAssertTrue(run.output.contains("tried client secret"), run.output)
        XCTAssertTrue(run.output.contains("tried Azure CLI"), run.output)
        let after = try await emulator.json("/_emulator/requests?kind=arm&kind=token")
        XCTAssertEqual(after, before, "no request reached Azure or its authority")
        XCTAssertFalse(FileManager.default.fileExists(atPath: statePath))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("tresor.state") }, [])
    }
}
