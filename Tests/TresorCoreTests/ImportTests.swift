import Foundation
import XCTest

@testable import TresorCore
@testable import TresorFrontEnd
@testable import TresorPlan
@testable import TresorState

/// `tresor import --from-az` over az CLI output (Fixtures/az, shaped as the CLI prints it):
/// manifests that validate, state that plans no changes, and what the model cannot express
/// named with its resource ID.
final class ImportTests: XCTestCase {
    private var directory: URL!
    private var out: String { directory.appendingPathComponent("estate").path }
    private var store: StateStore { StateStore(path: directory.appendingPathComponent("tresor.state.json").path) }
    static let subscription = "1f0c5c6e-0000-4000-8000-00000000b001"
    static let vaultID = "/subscriptions/\(subscription)/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/rsv-weu"

    private static var fixtures: [String] {
        [
            "vault-list.json", "backup-properties-rsv-weu.json", "policy-list-rsv-weu.json", "policy-list-rsv-weu-lrs.json",
            "item-list-rsv-weu.json", "item-list-rsv-weu-lrs.json", "vm-list.json", "nsg-list.json", "nsg-rule-list-nsg-db.json"
        ]
        .map { fixturesDirectory.appendingPathComponent("az/\($0)").path }
    }

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func runImport(_ files: [String] = fixtures) -> CommandOutput {
        ImportCommand(files: files, out: out, store: store).run()
    }

    /// Every written file, by path under --out, in path order.
    private func written() throws -> [(String, String)] {
        let paths = try FileManager.default.subpathsOfDirectory(atPath: out).filter { $0.hasSuffix(".yaml") }.sorted()
        return try paths.map { ($0, try String(contentsOfFile: out + "/" + $0, encoding: .utf8)) }
    }

    func testImportedManifestsValidateAndTheNextPlanHasNoChanges() async throws {
        let output = runImport()
        XCTAssertEqual(output.exitCode, ExitCode.success, output.stdout)
        XCTAssertTrue(
            output.stdout.contains(
                "Imported 2 vaults, 2 policies, 3 protected VMs, 5 security rules and 1 stopped protection (in state only) "
                    + "into 5 files under \(out); wrote serial 1 to \(store.description).\n"), output.stdout)
        let files = try written()
        XCTAssertEqual(
            files.map(\.0),
            [
                "\(Self.subscription)/westeurope/network.yaml", "\(Self.subscription)/westeurope/policies.yaml",
                "\(Self.subscription)/westeurope/protection.yaml", "\(Self.subscription)/westeurope/vaults.yaml",
                "\(Self.subscription)/westeurope/vms.yaml"
            ])
        try assertGolden(files.map { "==> \($0.0) <==\n\($0.1)" }.joined(separator: "\n"), "az/imported-estate.txt")

        let validated = Compiler().check(paths: [out])
        XCTAssertEqual(validated.report.diagnostics.filter { $0.severity == .error }, [])

        var plan = PlanCommand(paths: [out], store: store)
        plan.detailedExitCode = true
        let planned = await plan.run()
        XCTAssertEqual(planned.exitCode, ExitCode.success, planned.stdout)
        XCTAssertTrue(planned.stdout.hasSuffix("No changes: the state matches the manifests.\n"), planned.stdout)

        let state = try store.load().state
        let stopped = try XCTUnwrap(state.resources.first { $0.name == "db-01" })
        XCTAssertEqual(stopped.protectionState, .stopped)
        XCTAssertEqual(stopped.attributes["policy"], "weekly-12")
        XCTAssertFalse(files.contains { $0.1.contains("db-01") && $0.0.hasSuffix("protection.yaml") })
    }

    /// build-01's NSG is on its NIC's subnet only: `az network nsg list` names the subnet, not the
    /// NIC. `az network nic list` (the NIC's subnet), `az network vnet subnet list` or `az network
    /// vnet list` (the subnet's IP configurations) links them, as the online import does.
    func testAnNSGOnTheSubnetOfAVMsNICIsImportedWithTheVM() async throws {
        let subnetNSG = "\(Self.subscription)/westeurope/network.yaml"
        for linking in ["nic-list.json", "vnet-subnet-list.json", "vnet-list.json"] {
            try? FileManager.default.removeItem(at: directory)
            directory = try makeTemporaryDirectory()
            let extra = ["nsg-list-subnet.json", linking].map { fixturesDirectory.appendingPathComponent("az/\($0)").path }
            let output = runImport(Self.fixtures + extra)
            XCTAssertEqual(output.exitCode, ExitCode.success, "\(linking): \(output.stdout)")
            let files = Dictionary(uniqueKeysWithValues: try written())
            let vms = try XCTUnwrap(files["\(Self.subscription)/westeurope/vms.yaml"])
            let buildVM = try XCTUnwrap(vms.components(separatedBy: "---\n").first { $0.contains("name: build-01\n") })
            XCTAssertTrue(buildVM.contains("networkSecurityGroups: [rg-net/nsg-build-subnet]\n"), "\(linking): \(buildVM)")
            let network = try XCTUnwrap(files[subnetNSG])
            XCTAssertTrue(network.contains("name: nsg-build-subnet\n"), linking)
            // The plural fields of the rule, as az prints them.
            XCTAssertTrue(network.contains("source: [\"10.20.0.0/24\", \"10.21.0.0/24\"]\n"), network)
            XCTAssertTrue(network.contains("destinationPorts: [\"22\", \"8080-8090\"]\n"), network)
            // Other VMs keep exactly their NIC's NSGs.
            XCTAssertEqual(vms.components(separatedBy: "nsg-build-subnet").count, 2, vms)

            XCTAssertEqual(Compiler().check(paths: [out]).report.diagnostics.filter { $0.severity == .error }, [])
            var plan = PlanCommand(paths: [out], store: store)
            plan.detailedExitCode = true
            let planned = await plan.run()
            XCTAssertEqual(planned.exitCode, ExitCode.success, planned.stdout)
        }
    }

    func testWhatTheModelCannotExpressIsNamedWithItsResourceID() throws {
        let output = runImport()
        let vaults = "/subscriptions/\(Self.subscription)/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/"
        let items = "/backupFabrics/Azure/protectionContainers/"
        let nsgs = "/subscriptions/\(Self.subscription)/resourceGroups/rg-net/providers/Microsoft.Network/networkSecurityGroups/"
        let expected = [
            "not imported: \(vaults)rsv-weu-lrs: vault setting immutability: Unlocked: tresor does not manage it; it stays as it is in Azure",
            "not imported: \(vaults)rsv-zrs: storage redundancy ZoneRedundant has no manifest form (GRS or LRS), so the vault is left out with everything in it",
            "not imported: \(vaults)rsv-weu/backupPolicies/hourly-4h: an Enhanced policy (policyType V2), which the model lacks",
            "not imported: \(vaults)rsv-weu/backupPolicies/archive-monthly: tiering to the archive tier (ArchivedRP), which the model lacks",
            "not imported: \(vaults)rsv-weu\(items)"
                + "IaasVMContainer;iaasvmcontainerv2;rg-old;old-01/protectedItems/VM;iaasvmcontainerv2;rg-old;old-01: "
                + "soft-deleted (isScheduledForDeferredDelete): it protects nothing, and Azure still counts it in its vault",
            "not imported: \(vaults)rsv-weu\(items)IaasVMContainer;iaasvmcontainerv2;rg-app;app-01/protectedItems/VM;iaasvmcontainerv2;rg-app;app-01: "
                + "its policy hourly-4h is left out (an Enhanced policy (policyType V2), which the model lacks)",
            "not imported: \(vaults)rsv-weu\(items)IaasVMContainer;iaasvmcontainerv2;rg-gone;gone-01/protectedItems/VM;iaasvmcontainerv2;rg-gone;gone-01: "
                + "its VM /subscriptions/\(Self.subscription)/resourceGroups/rg-gone/providers/Microsoft.Compute/virtualMachines/gone-01 "
                + "is not in the exported VM list (`az vm list --show-details`)",
            "not imported: \(nsgs)nsg-web/securityRules/Allow_App_From_ASG: its addresses are application security groups, which the model cannot express",
            "not imported: \(nsgs)nsg-db/securityRules/Allow_Reporting: its addresses are application security groups, which the model cannot express"
        ]
        let reported = output.stdout.split(separator: "\n").compactMap { line -> String? in
            guard let range = line.range(of: "warning[TR607]: ") else { return nil }
            return String(line[range.upperBound...])
        }
        XCTAssertEqual(Set(reported), Set(expected), output.stdout)
        XCTAssertEqual(reported.count, expected.count)
        // System policies are the vault's own, as the model's built-in DefaultPolicy: neither
        // imported nor reported.
        XCTAssertFalse(output.stdout.contains("EnhancedPolicy") || output.stdout.contains("HourlyLogBackup"))
        XCTAssertTrue(output.stdout.contains("9 things not imported (TR607 above)."), output.stdout)
        // Each points into the az file that holds it.
        XCTAssertTrue(output.stdout.contains("item-list-rsv-weu.json:"), output.stdout)
    }

    func testEachFileIsRecognisedByItsShapeNotItsName() throws {
        let renamed = try Self.fixtures.enumerated().map { index, path in
            let copy = directory.appendingPathComponent("export-\(index).json").path
            try FileManager.default.copyItem(atPath: path, toPath: copy)
            return copy
        }
        let output = runImport(renamed.reversed())
        XCTAssertEqual(output.exitCode, ExitCode.success, output.stdout)
        XCTAssertTrue(output.stdout.contains("Imported 2 vaults, 2 policies, 3 protected VMs"), output.stdout)
    }

    func testWithoutBackupPropertiesTheVaultsOwnRedundancyIsUsed() throws {
        let output = runImport(Self.fixtures.filter { !$0.contains("backup-properties") })
        XCTAssertEqual(output.exitCode, ExitCode.success, output.stdout)
        let vaults = try XCTUnwrap(written().first { $0.0.hasSuffix("vaults.yaml") }?.1)
        XCTAssertTrue(
            vaults.contains(
                "name: rsv-weu\nsubscription: \(Self.subscription)\nresourceGroup: rg-backup\nregion: westeurope\n"
                    + "replication: GRS\ncrossRegionRestore: true\n"), vaults)
    }

    func testAVaultWhoseRedundancyIsUnknownIsLeftOutAndNamed() throws {
        let vaults = directory.appendingPathComponent("vaults.json").path
        var list = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.fixtures[0]))) as! [[String: Any]]
        var properties = list[1]["properties"] as! [String: Any]
        properties["redundancySettings"] = ["crossRegionRestore": "Disabled", "standardTierStorageRedundancy": "Invalid"]
        list[1]["properties"] = properties
        try JSONSerialization.data(withJSONObject: list).write(to: URL(fileURLWithPath: vaults))
        let output = runImport([vaults] + Self.fixtures.dropFirst())
        XCTAssertEqual(output.exitCode, ExitCode.success, output.stdout)
        XCTAssertTrue(
            output.stdout.contains(
                "vaults/rsv-weu-lrs: its storage redundancy is not in the export (give `az backup vault "
                    + "backup-properties show` for it), so the vault is left out with everything in it"), output.stdout)
        XCTAssertTrue(output.stdout.contains("Imported 1 vault, 2 policies, 2 protected VMs"), output.stdout)
    }

    func testSomethingImportDoesNotReadIsAnErrorAndNothingIsWritten() throws {
        let stranger = directory.appendingPathComponent("accounts.json").path
        try
            #"[{"id": "/subscriptions/1f0c5c6e-0000-4000-8000-00000000b001/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa", "type": "Microsoft.Storage/storageAccounts"}]"#
            .write(toFile: stranger, atomically: true, encoding: .utf8)
        let output = runImport(Self.fixtures + [stranger])
        XCTAssertEqual(output.exitCode, ExitCode.failure)
        XCTAssertTrue(
            output.stdout.contains(
                "error[TR008]: entry /subscriptions/1f0c5c6e-0000-4000-8000-00000000b001/resourceGroups/rg/providers/"
                    + "Microsoft.Storage/storageAccounts/sa is not something import reads"), output.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.path))
    }

    func testAVMWithoutItsFactsLeavesItsItemOutInsteadOfFailingTheImport() throws {
        let vms = directory.appendingPathComponent("vms.json").path
        try """
        [{"id": "/subscriptions/\(Self.subscription)/resourceGroups/rg-build/providers/Microsoft.Compute/virtualMachines/build-01",
          "name": "build-01", "location": "westeurope", "type": "Microsoft.Compute/virtualMachines", "resourceGroup": "rg-build"}]
        """.write(toFile: vms, atomically: true, encoding: .utf8)
        let files = Self.fixtures.filter { $0.hasSuffix("vault-list.json") || $0.hasSuffix("item-list-rsv-weu-lrs.json") } + [vms]
        let output = runImport(files)
        XCTAssertEqual(output.exitCode, ExitCode.success, output.stdout)
        XCTAssertTrue(
            output.stdout.contains(
                "VM;iaasvmcontainerv2;rg-build;build-01: its VM /subscriptions/\(Self.subscription)/resourceGroups/rg-build/"
                    + "providers/Microsoft.Compute/virtualMachines/build-01 is exported without storageProfile.osDisk.osType"),
            output.stdout)
        XCTAssertTrue(output.stdout.contains("Imported 2 vaults, 0 policies, 0 protected VMs"), output.stdout)
    }

    func testAnEstateThatBreaksARuleIsReportedAndNothingIsWritten() throws {
        // Without its storage rule, nsg-web's Deny_All_Outbound keeps web-01's backups from storage (TR401).
        let nsgs = directory.appendingPathComponent("nsgs.json").path
        var list = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.fixtures[7]))) as! [[String: Any]]
        list[0]["securityRules"] = (list[0]["securityRules"] as! [[String: Any]]).filter {
            $0["name"] as? String != "allow-azure-backup-storage"
        }
        try JSONSerialization.data(withJSONObject: list).write(to: URL(fileURLWithPath: nsgs))
        let output = runImport(Self.fixtures.filter { !$0.hasSuffix("nsg-list.json") } + [nsgs])
        XCTAssertEqual(output.exitCode, ExitCode.failure)
        XCTAssertTrue(output.stdout.contains("error[TR401]"), output.stdout)
        XCTAssertTrue(output.stdout.contains("nothing was written"), output.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.path))
    }

    func testImportNeverOverwrites() throws {
        XCTAssertEqual(runImport().exitCode, ExitCode.success)
        let before = try snapshot(directory)
        let again = runImport()
        XCTAssertEqual(again.exitCode, ExitCode.failure)
        XCTAssertTrue(again.stdout.contains("import writes new files and a new state only;"), again.stdout)
        XCTAssertEqual(try snapshot(directory), before)
    }

    func testScalarsThatYAMLWouldReadOtherwiseAreQuoted() {
        XCTAssertEqual(YAMLText.scalar("rg-web/web-01"), "rg-web/web-01")
        XCTAssertEqual(YAMLText.scalar("W. Europe Standard Time"), "W. Europe Standard Time")
        for text in ["02:00", "443", "no", "*", "10.0.0.0/24", "a: b", "#tag", "platform team ", "", "\"quoted\""] {
            let loaded = Compiler().check(sources: [
                (
                    path: "t.yaml",
                    text:
                        "apiVersion: tresor/v1\nkind: Vault\nname: v\nsubscription: 1f0c5c6e-0000-4000-8000-00000000b001\nresourceGroup: rg\nregion: westeurope\ntags: {k: \(YAMLText.scalar(text))}\n"
                )
            ])
            XCTAssertEqual(loaded.estate.vaults.first?.tags.first?.value.value, text, "\(text) -> \(YAMLText.scalar(text))")
        }
    }
}
