import Foundation
import XCTest

@testable import TresorAzure
@testable import TresorCore
@testable import TresorFrontEnd
@testable import TresorPlan
@testable import TresorState
@testable import TresorSupport

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Refresh and import against the ARM emulator: an estate made out of band is imported, validates
/// and plans no changes; drift made out of band is planned exactly and applied back; refresh
/// costs requests per vault, NSG and page, not per VM.
final class RefreshEmulatorTests: XCTestCase {
    static let subscription = "1f0c5c6e-0000-4000-8000-00000000c001"
    static let vaultID = "/subscriptions/\(subscription)/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/rsv-weu"
    static let nsgID = "/subscriptions/\(subscription)/resourceGroups/rg-net/providers/Microsoft.Network/networkSecurityGroups/nsg-web"

    private var emulator: EmulatorProcess!
    private var directory: URL!
    private var store: StateStore { StateStore(path: directory.appendingPathComponent("tresor.state.json").path) }
    private var out: String { directory.appendingPathComponent("estate").path }

    override func setUpWithError() throws {
        emulator = try EmulatorProcess(emulatorArguments: ["--operation-seconds", "0.2", "--retry-after", "0"])
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tresor-refresh-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        emulator.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    private var environment: [String: String] { emulator.signInEnvironment }

    private var settings: AzureSettings { AzureSettings(cloud: AzureCloud.all[0], timeout: 120) }

    private func connect() async throws -> AzureProvider {
        switch await AzureProvider.connect(settings: settings, environment: environment) {
        case .success(let provider): return provider
        case .failure(let failure): throw XCTSkip("cannot sign in to the emulator: \(failure.diagnostic.message)")
        }
    }

    private func post(_ path: String, _ body: JSON) async throws {
        _ = try await emulator.json(path, method: "POST", body: body.rendered(pretty: false))
    }

    private func seed(_ resources: [(String, JSON)]) async throws {
        try await post(
            "/_emulator/seed", .object([("resources", .array(resources.map { .object([("id", .string($0.0)), ("body", $0.1)]) }))]))
    }

    private func json(_ text: String) -> JSON { try! JSONReader.parse(text) }

    static func vm(_ resourceGroup: String, _ name: String) -> String {
        "/subscriptions/\(subscription)/resourceGroups/\(resourceGroup)/providers/Microsoft.Compute/virtualMachines/\(name)"
    }

    static func item(_ vault: String, _ resourceGroup: String, _ vm: String) -> String {
        "\(vault)/backupFabrics/Azure/protectionContainers/IaasVMContainer;iaasvmcontainerv2;\(resourceGroup);\(vm)/protectedItems/VM;iaasvmcontainerv2;\(resourceGroup);\(vm)"
    }

    private func vmBody(_ resourceGroup: String, _ name: String) -> JSON {
        json(
            """
            {"location": "westeurope", "properties": {
              "hardwareProfile": {"vmSize": "Standard_D2s_v5"},
              "storageProfile": {"imageReference": {"publisher": "Canonical", "offer": "0001-com-ubuntu-server-jammy", "sku": "22_04-lts-gen2", "version": "latest"},
                                 "osDisk": {"osType": "Linux", "name": "\(name)-os", "createOption": "FromImage", "managedDisk": {"storageAccountType": "Premium_LRS"}},
                                 "dataDisks": []},
              "networkProfile": {"networkInterfaces": [{"id": "/subscriptions/\(Self.subscription)/resourceGroups/\(resourceGroup)/providers/Microsoft.Network/networkInterfaces/\(name)-nic"}]},
              "provisioningState": "Succeeded"}}
            """)
    }

    private func nicBody(attachedToNSG: Bool) -> JSON {
        json(
            #"{"location": "westeurope", "properties": {"#
                + (attachedToNSG ? #""networkSecurityGroup": {"id": "\#(Self.nsgID)"}, "# : "")
                + #""ipConfigurations": [{"name": "ipconfig1", "properties": {"privateIPAddress": "10.10.1.4"}}]}}"#)
    }

    private let dailyPolicy = """
        {"properties": {"backupManagementType": "AzureIaasVM",
          "schedulePolicy": {"schedulePolicyType": "SimpleSchedulePolicy", "scheduleRunFrequency": "Daily", "scheduleRunTimes": ["2026-10-01T02:00:00Z"]},
          "retentionPolicy": {"retentionPolicyType": "LongTermRetentionPolicy",
            "dailySchedule": {"retentionTimes": ["2026-10-01T02:00:00Z"], "retentionDuration": {"count": 30, "durationType": "Days"}},
            "weeklySchedule": {"daysOfTheWeek": ["Sunday"], "retentionTimes": ["2026-10-01T02:00:00Z"], "retentionDuration": {"count": 12, "durationType": "Weeks"}},
            "monthlySchedule": {"retentionScheduleFormatType": "Weekly", "retentionScheduleWeekly": {"daysOfTheWeek": ["Sunday"], "weeksOfTheMonth": ["First"]},
                                "retentionTimes": ["2026-10-01T02:00:00Z"], "retentionDuration": {"count": 12, "durationType": "Months"}},
            "yearlySchedule": {"retentionScheduleFormatType": "Daily", "monthsOfYear": ["January", "July"],
                               "retentionScheduleDaily": {"daysOfTheMonth": [{"date": 1, "isLast": false}, {"date": 0, "isLast": true}]},
                               "retentionTimes": ["2026-10-01T02:00:00Z"], "retentionDuration": {"count": 7, "durationType": "Years"}}},
          "instantRpRetentionRangeInDays": 2, "timeZone": "W. Europe Standard Time"}}
        """

    /// A vault with a policy, two protected VMs (one on DefaultPolicy), a soft-deleted item, the
    /// VMs, their NICs and the NSG on one of them with two rules.
    private func seedEstate() async throws {
        let items = [("rg-web", "web-01", "daily-30"), ("rg-web", "web-02", "DefaultPolicy")]
        var resources: [(String, JSON)] = [
            (
                Self.vaultID,
                json(
                    #"{"location": "West Europe", "tags": {"env": "prod"}, "properties": {"redundancySettings": {"standardTierStorageRedundancy": "GeoRedundant", "crossRegionRestore": "Enabled"}}}"#
                )
            ),
            (Self.vaultID + "/backupPolicies/daily-30", json(dailyPolicy)),
            (
                Self.nsgID,
                json(
                    """
                    {"location": "westeurope", "properties": {"securityRules": [
                      {"name": "allow-backup", "properties": {"protocol": "Tcp", "sourceAddressPrefix": "VirtualNetwork", "sourcePortRange": "*",
                       "destinationAddressPrefix": "Storage.westeurope", "destinationPortRanges": ["443", "8443"], "access": "Allow", "priority": 900, "direction": "Outbound"}},
                      {"name": "deny-out", "properties": {"protocol": "*", "sourceAddressPrefix": "*", "sourcePortRange": "*",
                       "destinationAddressPrefix": "*", "destinationPortRange": "*", "access": "Deny", "priority": 4000, "direction": "Outbound"}}]}}
                    """)
            )
        ]
        for (resourceGroup, name, policy) in items {
            resources.append((Self.vm(resourceGroup, name), vmBody(resourceGroup, name)))
            resources.append(
                (
                    "/subscriptions/\(Self.subscription)/resourceGroups/\(resourceGroup)/providers/Microsoft.Network/networkInterfaces/\(name)-nic",
                    nicBody(attachedToNSG: name == "web-01")
                ))
            resources.append(
                (
                    Self.item(Self.vaultID, resourceGroup, name),
                    json(
                        """
                        {"properties": {"protectedItemType": "Microsoft.Compute/virtualMachines", "sourceResourceId": "\(Self.vm(resourceGroup, name))",
                         "policyId": "\(Self.vaultID)/backupPolicies/\(policy)", "protectionState": "Protected"}}
                        """)
                ))
        }
        resources.append(
            (
                Self.item(Self.vaultID, "rg-old", "old-01"),
                json(
                    """
                    {"properties": {"protectedItemType": "Microsoft.Compute/virtualMachines", "sourceResourceId": "\(Self.vm("rg-old", "old-01"))",
                     "isScheduledForDeferredDelete": true, "protectionState": "ProtectionStopped"}}
                    """)
            ))
        try await seed(resources)
    }

    /// `tresor import --subscription` of the emulator's estate, vaults of rg-backup.
    private func importEstate() async throws -> CommandOutput {
        let exported = await AzureImport.export(
            subscription: Self.subscription, resourceGroups: ["rg-backup"], settings: settings,
            environment: environment)
        var importing = ImportCommand(files: [], out: out, store: store)
        importing.exported = try exported.get()
        return importing.run()
    }

    /// The ARM requests the emulator has logged. The log carries fractional times, which only
    /// Foundation's reader takes.
    private func armRequests() async throws -> [JSON] {
        let (data, _) = try await URLSession.shared.data(from: URL(string: emulator.baseURL + "/_emulator/requests")!)
        return ResponseJSON.parse([UInt8](data))?.arrayValue?.filter { $0["kind"] == "arm" } ?? []
    }

    private func plan(_ provider: AzureProvider) async -> CommandOutput {
        var command = PlanCommand(paths: [out], store: store)
        command.refresher = { @Sendable in .success(provider) }
        command.detailedExitCode = true
        return await command.run()
    }

    func testAnEstateMadeOutOfBandImportsValidatesAndPlansNoChangesThenDriftIsPlannedAndApplied() async throws {
        try await seedEstate()
        let imported = try await importEstate()
        XCTAssertEqual(imported.exitCode, ExitCode.success, imported.stdout)
        XCTAssertTrue(imported.stdout.contains("Imported 1 vault, 1 policy, 2 protected VMs, 2 security rules"), imported.stdout)
        XCTAssertTrue(imported.stdout.contains("soft-deleted"), imported.stdout)
        let vms = try String(contentsOfFile: out + "/\(Self.subscription)/westeurope/vms.yaml", encoding: .utf8)
        XCTAssertTrue(vms.contains("name: web-01\n") && vms.contains("networkSecurityGroups: [rg-net/nsg-web]"), vms)

        XCTAssertEqual(Compiler().check(paths: [out]).report.diagnostics.filter { $0.severity == .error }, [])
        let provider = try await connect()
        let clean = await plan(provider)
        XCTAssertEqual(clean.exitCode, ExitCode.success, clean.stdout)
        XCTAssertTrue(clean.stdout.hasSuffix("No changes: the state matches the manifests.\n"), clean.stdout)

        // Drift: the policy's daily retention changed in the portal, a rule deleted in an incident.
        try await post(
            "/_emulator/mutate",
            json(
                #"{"id": "\#(Self.vaultID)/backupPolicies/daily-30", "merge": {"properties": {"retentionPolicy": {"dailySchedule": {"retentionDuration": {"count": 14}}}}}}"#
            ))
        try await post("/_emulator/mutate", json(#"{"id": "\#(Self.nsgID)/securityRules/allow-backup", "delete": true}"#))
        let drifted = await plan(provider)
        XCTAssertEqual(drifted.exitCode, ExitCode.changes, drifted.stdout)
        XCTAssertTrue(
            drifted.stdout.contains("Plan: 1 to create, 1 to update, 0 to replace, 0 to delete, 0 to stop protection."), drifted.stdout)
        XCTAssertTrue(drifted.stdout.contains("~ BackupPolicy daily-30 (changed outside tresor; 1 field changed)\n"), drifted.stdout)
        XCTAssertTrue(
            drifted.stdout.contains("    retention.daily: 14 (in Azure, changed outside tresor) -> 30 (in the manifests)\n"), drifted.stdout
        )
        XCTAssertTrue(drifted.stdout.contains("+ NetworkRule allow-backup (deleted outside tresor; created again)\n"), drifted.stdout)

        var apply = ApplyCommand(paths: [out], planFile: nil, store: store, provider: provider)
        apply.autoApprove = true
        let applied = await apply.run(ApplyConsole(show: { _ in }, confirm: nil, progress: nil))
        XCTAssertEqual(applied.exitCode, ExitCode.success, applied.stdout)
        let restored = await plan(provider)
        XCTAssertEqual(restored.exitCode, ExitCode.success, restored.stdout)
        let violations = try await emulator.json("/_emulator/violations")
        XCTAssertEqual(violations.arrayValue?.count, 0, violations.rendered())
    }

    /// Every list in pages of one entry (vaults, policies, items, VMs, NSGs, security rules):
    /// import and refresh follow each nextLink and read the same estate.
    func testEveryListReadPageByPageGivesTheSameEstate() async throws {
        try await seedEstate()
        try await post("/_emulator/config", json(#"{"page_size": 1}"#))
        let imported = try await importEstate()
        XCTAssertEqual(imported.exitCode, ExitCode.success, imported.stdout)
        XCTAssertTrue(imported.stdout.contains("Imported 1 vault, 1 policy, 2 protected VMs, 2 security rules"), imported.stdout)
        let clean = await plan(try await connect())
        XCTAssertTrue(clean.stdout.hasSuffix("No changes: the state matches the manifests.\n"), clean.stdout)
    }

    func testAzuresDefaultsAndFailingBackupsReadAsTheModelHasThem() async throws {
        let policy = Self.vaultID + "/backupPolicies/weekly"
        try await seed([
            (
                Self.vaultID,
                json(
                    #"{"location": "westeurope", "properties": {"redundancySettings": {"standardTierStorageRedundancy": "LocallyRedundant", "crossRegionRestore": "Disabled"}}}"#
                )
            ),
            (
                policy,
                json(
                    """
                    {"properties": {"backupManagementType": "AzureIaasVM",
                      "schedulePolicy": {"schedulePolicyType": "SimpleSchedulePolicy", "scheduleRunFrequency": "Weekly", "scheduleRunDays": ["Sunday"], "scheduleRunTimes": ["2026-10-01T02:00:00Z"]},
                      "retentionPolicy": {"retentionPolicyType": "LongTermRetentionPolicy",
                        "weeklySchedule": {"daysOfTheWeek": ["Sunday"], "retentionTimes": ["2026-10-01T02:00:00Z"], "retentionDuration": {"count": 4, "durationType": "Weeks"}}}}}
                    """)
            ),
            (
                Self.item(Self.vaultID, "rg-web", "web-01"),
                json(
                    """
                    {"properties": {"sourceResourceId": "\(Self.vm("rg-web", "web-01"))", "policyId": "\(policy)", "protectionState": "ProtectionError"}}
                    """)
            )
        ])
        let live = try await connect().refresh(RefreshScope(vaults: [Self.vaultID], networkSecurityGroups: []))
        XCTAssertEqual(live?.vaults.first?.attributes["replication"], "LRS")
        XCTAssertEqual(live?.policies.first { $0.name == "weekly" }?.attributes["instantRestoreDays"], .int(5))
        XCTAssertEqual(live?.items.first?.resource.attributes["protectionState"], "Protected")
        XCTAssertEqual(live?.items.first?.resource.name, "web-01")
    }

    func testRefreshCostsRequestsPerVaultNSGAndPageNotPerVM() async throws {
        // The emulator's default page is 200 entries, as Azure's.
        var resources: [(String, JSON)] = []
        let vaults = (1...2).map {
            "/subscriptions/\(Self.subscription)/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/rsv-\($0)"
        }
        for vault in vaults {
            resources.append(
                (
                    vault,
                    json(
                        #"{"location": "westeurope", "properties": {"redundancySettings": {"standardTierStorageRedundancy": "GeoRedundant", "crossRegionRestore": "Disabled"}}}"#
                    )
                ))
        }
        try await seed(resources)
        resources = []
        for (index, vault) in vaults.enumerated() {
            for number in 0..<450 {
                let name = "vm-\(index)-\(number)"
                resources.append(
                    (
                        Self.item(vault, "rg-vms", name),
                        json(
                            """
                            {"properties": {"protectedItemType": "Microsoft.Compute/virtualMachines", "sourceResourceId": "\(Self.vm("rg-vms", name))",
                             "policyId": "\(vault)/backupPolicies/DefaultPolicy", "protectionState": "Protected"}}
                            """)
                    ))
            }
        }
        resources.append((Self.nsgID, json(#"{"location": "westeurope", "properties": {"securityRules": []}}"#)))
        try await seed(resources)
        let provider = try await connect()
        let before = try await armRequests().count
        let live = try await provider.refresh(RefreshScope(vaults: vaults, networkSecurityGroups: [Self.nsgID]))
        let requests = try await armRequests().dropFirst(before)
        XCTAssertEqual(live?.items.count, 900)
        XCTAssertEqual(live?.vaults.count, 2)
        // Per vault: the vault, one page of policies, three pages of 450 items; one NSG list.
        XCTAssertEqual(requests.count, 2 * (1 + 1 + 3) + 1, requests.map { $0.rendered(pretty: false) }.joined(separator: "\n"))
        XCTAssertTrue(requests.allSatisfy { $0["method"] == "GET" })
    }

    /// A first plan reads the vault the manifests declare (3 requests, each a 404: the usual case,
    /// neither drift nor an error) and plans its creation; once the vault exists in Azure, with
    /// an item tresor does not manage, the plan refuses to create it over Azure's (TR608) and
    /// counts the item for TR104.
    func testAFirstPlanReadsTheDeclaredVaultAndRefusesToCreateOneAzureHolds() async throws {
        let vaultID = "/subscriptions/\(Self.subscription)/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/rsv-new"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let manifest = [
            "apiVersion: tresor/v1", "kind: Vault", "name: rsv-new", "subscription: \(Self.subscription)",
            "resourceGroup: rg-backup", "region: westeurope", "replication: LRS", ""
        ].joined(separator: "\n")
        try manifest.write(toFile: out + "/vaults.yaml", atomically: true, encoding: .utf8)
        let provider = try await connect()
        let before = try await armRequests().count
        let first = await plan(provider)
        XCTAssertEqual(first.exitCode, ExitCode.changes, first.stdout)
        XCTAssertTrue(first.stdout.contains("+ Vault rsv-new (declared in the manifests, not in state)"), first.stdout)
        let requests = try await armRequests().dropFirst(before)
        XCTAssertEqual(
            requests.map { $0["status"] }, [.int(404), .int(404), .int(404)],
            requests.map { $0.rendered(pretty: false) }.joined(separator: "\n"))

        try await seed([
            (
                vaultID,
                json(
                    #"{"location": "westeurope", "properties": {"redundancySettings": {"standardTierStorageRedundancy": "GeoRedundant", "crossRegionRestore": "Disabled"}}}"#
                )
            ),
            (
                Self.item(vaultID, "rg-web", "web-09"),
                json(
                    """
                    {"properties": {"protectedItemType": "Microsoft.Compute/virtualMachines", "sourceResourceId": "\(Self.vm("rg-web", "web-09"))",
                     "policyId": "\(vaultID)/backupPolicies/DefaultPolicy", "protectionState": "Protected"}}
                    """)
            )
        ])
        let refused = await plan(provider)
        XCTAssertEqual(refused.exitCode, ExitCode.failure, refused.stdout)
        XCTAssertTrue(
            refused.stdout.contains("vaults.yaml:3:7: error[TR608]: vault rsv-new already exists in Azure but not in state"), refused.stdout
        )
        XCTAssertTrue(
            refused.stdout.contains(
                "error[TR104]: replication of vault rsv-new cannot change from GRS to LRS: it holds 1 backup item in Azure"),
            refused.stdout)
    }
}
