import Foundation
import XCTest

@testable import TresorCore
@testable import TresorFrontEnd
@testable import TresorModel

/// `--inventory`: az CLI JSON (fixtures shaped exactly like `az vm list --show-details -o json`
/// and `az network nsg list -o json`) as observed VMs and NSGs.
final class InventoryTests: XCTestCase {
    private static let vmList = "inventory/az-vm-list.json"
    private static let nsgList = "inventory/az-network-nsg-list.json"

    private func fixture(_ name: String) throws -> (path: String, text: String) {
        (name, try String(contentsOf: fixturesDirectory.appendingPathComponent(name), encoding: .utf8))
    }

    private func check(_ manifests: [(String, String)], inventories: [String]) throws -> Compiler.Result {
        Compiler().check(sources: manifests.map { (path: $0.0, text: $0.1) }, inventories: try inventories.map(fixture))
    }

    /// Codes of the front end (TR000–TR012): what reading and merging report, whatever the rules add.
    private func frontEnd(_ result: Compiler.Result) -> [String] {
        positions(result).filter { position in
            guard let code = position.split(separator: " ").last, let number = Int(code.dropFirst(2)) else { return false }
            return number <= 12
        }
    }

    /// The first line of a fixture that contains `text` (after the first that contains `start`).
    private func line(of text: String, in file: String, after start: String? = nil) throws -> Int32 {
        let lines = try fixture(file).text.split(separator: "\n", omittingEmptySubsequences: false)
        let from = try start.map { start in try XCTUnwrap(lines.firstIndex { $0.contains(start) }) } ?? 0
        return Int32(try XCTUnwrap(lines[from...].firstIndex { $0.contains(text) }) + 1)
    }

    func testVirtualMachinesFromAzVMList() throws {
        let result = try check([], inventories: [Self.vmList])
        XCTAssertEqual(frontEnd(result), [])
        let vms = result.estate.virtualMachines
        XCTAssertEqual(vms.map(\.name.value), ["web-01", "db-01", "legacy-01", "app-02"])
        XCTAssertEqual(vms.map(\.subscription.value), Array(repeating: "1f0c5c6e-0000-4000-8000-00000000a001", count: 4))
        XCTAssertEqual(vms.map(\.resourceGroup.value), ["RG-WEB", "RG-DB", "RG-LEGACY", "RG-WEB"])
        XCTAssertEqual(vms.map(\.region.value), Array(repeating: "westeurope", count: 4))
        XCTAssertEqual(vms.map(\.os.type.value), [.Windows, .Linux, .Windows, .Linux])
        XCTAssertEqual(
            vms.map(\.os.version.value),
            [
                "2019", "Ubuntu 22.04", "2012 R2",
                "/subscriptions/1f0c5c6e-0000-4000-8000-00000000a001/resourceGroups/rg-images/providers/Microsoft.Compute/galleries/gallery_prod/images/app-base/versions/2025.3.1"
            ])
        XCTAssertEqual(vms.map { $0.disks?.managed?.value }, [true, true, false, true])
        XCTAssertEqual(vms.map { $0.disks?.data?.value }, [1, 2, 0, 1])
        XCTAssertEqual(vms.map { $0.powerState?.value }, [.running, .deallocated, .stopped, .running])
        XCTAssertTrue(vms.allSatisfy { $0.agent == nil && $0.deployment == nil && $0.networkSecurityGroups.isEmpty })
        // Positions point into the JSON.
        let web = vms[0]
        XCTAssertEqual(result.report.path(of: web.name.range), Self.vmList)
        XCTAssertEqual(web.name.range.line, try line(of: "\"name\": \"web-01\"", in: Self.vmList))
        XCTAssertEqual(web.powerState?.range.line, try line(of: "\"powerState\": \"VM running\"", in: Self.vmList))
    }

    func testNetworkSecurityGroupsFromAzNSGListAndTheirNetworkInterfaces() throws {
        let result = try check([], inventories: [Self.vmList, Self.nsgList])
        XCTAssertEqual(frontEnd(result), [])
        let nsgs = result.estate.networkSecurityGroups
        XCTAssertEqual(nsgs.map(\.name.value), ["nsg-web", "nsg-db"])
        // Default rules are Azure's; the rule on an application security group cannot be evaluated.
        XCTAssertEqual(
            nsgs.map { $0.rules.map(\.name.value) },
            [["allow-azure-backup", "Deny_All_Outbound", "Allow_HTTPS_Inbound"], ["Allow_SQL_From_Apps"]])
        let backup = nsgs[0].rules[0]
        XCTAssertEqual(
            [backup.direction.value.rawValue, backup.access.value.rawValue, String(backup.priority.value), backup.protocol.value],
            ["Outbound", "Allow", "900", "Tcp"])
        XCTAssertEqual(backup.destinations.map(\.value), ["Storage.westeurope"])
        XCTAssertEqual(backup.destinationPorts.map(\.value), ["443", "8443"])
        XCTAssertEqual(backup.description?.value, "Managed by tresor")
        XCTAssertEqual(nsgs[1].rules[0].sources.map(\.value), ["10.40.1.0/24", "10.40.2.0/24"])
        // NIC-level NSGs: az network nsg list names the NICs, az vm list names each VM's NICs.
        let vms = result.estate.virtualMachines
        XCTAssertEqual(vms.map(\.nsgIndices), [[0], [1], [], []])
        XCTAssertEqual(
            vms[0].networkSecurityGroups.first?.range.line,
            try line(of: "networkInterfaces/web-01-nic\"", in: Self.nsgList))
    }

    func testRulesThatTresorOwnsAreNotObservedFacts() throws {
        let rule = """
            apiVersion: tresor/v1
            kind: NetworkRule
            name: allow-azure-backup
            nsg: nsg-web
            direction: Outbound
            access: Allow
            priority: 900
            protocol: Tcp
            source: VirtualNetwork
            sourcePorts: "*"
            destination: Storage.westeurope
            destinationPorts: ["443", "8443"]
            """
        let result = try check([("network.yaml", rule)], inventories: [Self.nsgList])
        XCTAssertEqual(frontEnd(result), [])
        XCTAssertEqual(result.estate.networkRules.first?.nsgIndex, 0)
        XCTAssertEqual(result.estate.networkSecurityGroups[0].rules.map(\.name.value), ["Deny_All_Outbound", "Allow_HTTPS_Inbound"])
    }

    private static let webVM = """
        apiVersion: tresor/v1
        kind: VirtualMachine
        name: web-01
        subscription: 1f0c5c6e-0000-4000-8000-00000000a001
        resourceGroup: rg-web
        region: westeurope
        os: {type: Windows, version: Windows Server 2019 Datacenter}
        agent: {installed: true, version: "2.7.41491.1102"}
        """

    func testAManifestVMTakesTheFactsItLeavesOutFromTheInventory() throws {
        let result = try check([("vms.yaml", Self.webVM)], inventories: [Self.vmList, Self.nsgList])
        XCTAssertEqual(frontEnd(result), [])
        let vms = result.estate.virtualMachines
        XCTAssertEqual(vms.count, 4)
        let web = vms[0]
        XCTAssertEqual(result.report.path(of: web.name.range), "vms.yaml")
        XCTAssertEqual(web.agent?.version?.value, "2.7.41491.1102")
        XCTAssertEqual(web.powerState?.value, .running)
        XCTAssertEqual(web.disks?.managed?.value, true)
        XCTAssertEqual(web.disks?.data?.value, 1)
        XCTAssertEqual(web.nsgIndices, [0])
    }

    func testEveryDisagreementIsReportedAtBothPlaces() throws {
        let manifest =
            Self.webVM
            .replacingOccurrences(of: "region: westeurope", with: "region: northeurope")
            .replacingOccurrences(of: "Windows Server 2019 Datacenter", with: "2012")
            + "\ndisks: {managed: false, data: 3}\npowerState: deallocated\ndeployment: Classic\n"
        let result = try check([("vms.yaml", manifest)], inventories: [Self.vmList])
        let disagreements = result.report.diagnostics.filter { $0.code == "TR011" }
        XCTAssertEqual(disagreements.map { "\($0.range!.line):\($0.range!.column)" }, ["6:9", "7:30", "9:18", "9:31", "10:13", "11:13"])
        let notes = try disagreements.map { try XCTUnwrap($0.notes.first?.range) }
        XCTAssertTrue(notes.allSatisfy { result.report.path(of: $0) == Self.vmList })
        XCTAssertEqual(
            notes.map(\.line),
            [
                try line(of: "\"location\": \"westeurope\"", in: Self.vmList),
                try line(of: "\"sku\": \"2019-Datacenter\"", in: Self.vmList),
                try line(of: "\"managedDisk\": {", in: Self.vmList, after: "\"osDisk\": {"),
                try line(of: "\"dataDisks\": [", in: Self.vmList),
                try line(of: "\"powerState\": \"VM running\"", in: Self.vmList),
                try line(of: "\"type\": \"Microsoft.Compute/virtualMachines\"", in: Self.vmList)
            ])
        try assertGolden(
            TextRenderer(colored: false).render(DiagnosticReport(sources: result.report.sources, diagnostics: disagreements)),
            "inventory/disagreements.txt")
    }

    func testDeclaredNSGRulesMustMatchTheInventory() throws {
        let nsg = """
            apiVersion: tresor/v1
            kind: NetworkSecurityGroup
            name: nsg-web
            subscription: 1f0c5c6e-0000-4000-8000-00000000a001
            resourceGroup: rg-net
            region: westeurope
            rules:
              - {name: Deny_All_Outbound, direction: Outbound, access: Deny, priority: 4000,
                 protocol: "*", source: "*", sourcePorts: "*", destination: "*", destinationPorts: "*"}
              - {name: allow_https_inbound, direction: Inbound, access: Allow, priority: 200,
                 protocol: tcp, source: Internet, sourcePorts: "*", destination: "10.40.1.0/24", destinationPorts: ["443", "80"]}
              - {name: Old_Rule, direction: Outbound, access: Deny, priority: 4001,
                 protocol: "*", source: "*", sourcePorts: "*", destination: "*", destinationPorts: "*"}
            """
        let result = try check([("network.yaml", nsg)], inventories: [Self.nsgList])
        XCTAssertEqual(
            frontEnd(result),
            [
                "network.yaml:8:3 TR011",  // the inventory's allow-azure-backup, which no NetworkRule owns here
                "network.yaml:8:76 TR011",  // priority 4000 vs 1000
                "network.yaml:11:105 TR011",  // ports 443, 80 vs 443
                "network.yaml:12:12 TR011"  // Old_Rule is not in the inventory
            ])
        XCTAssertEqual(result.estate.networkSecurityGroups[0].rules.map(\.priority.value), [4000, 200, 4001])

        let unlisted = try check([("network.yaml", nsg.components(separatedBy: "\nrules:")[0])], inventories: [Self.nsgList])
        XCTAssertEqual(frontEnd(unlisted), [])
        XCTAssertEqual(unlisted.estate.networkSecurityGroups[0].rules.count, 3)
    }

    func testBrokenInventoriesAreDiagnosedInTheJSON() {
        func problems(_ json: String) -> [String] {
            positions(Compiler().check(sources: [], inventories: [("inventory.json", json)]))
        }
        XCTAssertEqual(problems("[{\"id\": \"x\"]"), ["inventory.json:1:12 TR001"])
        XCTAssertEqual(problems("\"vm\""), ["inventory.json:1:1 TR007"])
        XCTAssertEqual(problems("[1]"), ["inventory.json:1:2 TR007"])
        XCTAssertEqual(problems("[{\"name\": \"web-01\"}]"), ["inventory.json:1:2 TR006"])
        XCTAssertEqual(
            problems("[{\"id\": \"/subscriptions/prod/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/a\"}]"),
            ["inventory.json:1:9 TR008"])
        let id = "/subscriptions/1f0c5c6e-0000-4000-8000-00000000a001/resourceGroups/rg/providers"
        XCTAssertEqual(
            problems("[{\"id\": \"\(id)/Microsoft.Compute/disks/d\", \"type\": \"Microsoft.Compute/disks\"}]"),
            ["inventory.json:1:126 TR008"])
        XCTAssertEqual(
            problems(
                """
                [{"id": "\(id)/Microsoft.Compute/virtualMachines/a", "name": "a", "location": "westeurope",
                  "storageProfile": {"osDisk": {"osType": "BeOS"}}}]
                """), ["inventory.json:2:43 TR008"])
        XCTAssertEqual(
            problems(
                """
                [{"id": "\(id)/Microsoft.Network/networkSecurityGroups/n", "name": "n", "location": "westeurope",
                  "securityRules": [{"name": "r", "direction": "Sideways", "access": "Allow", "priority": "high", "protocol": "*",
                                     "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*",
                                     "destinationPortRange": "*"}]}]
                """), ["inventory.json:2:48 TR008", "inventory.json:2:91 TR008"])
    }

    func testTheNodeLimitCountsEachEntryOfTheArrayOnItsOwn() throws {
        // The four VMs have 222–313 nodes each, 1080 together.
        var compiler = Compiler()
        compiler.limits.maxDocumentNodes = 400
        let inventory = try fixture(Self.vmList)
        let streamed = compiler.check(sources: [], inventories: [inventory])
        XCTAssertEqual(frontEnd(streamed), [])
        XCTAssertEqual(streamed.estate.virtualMachines.count, 4)
        compiler.limits.maxDocumentNodes = 300
        XCTAssertEqual(frontEnd(compiler.check(sources: [], inventories: [inventory])), ["inventory/az-vm-list.json:338:5 TR003"])
    }

    func testTheSameVMInTwoInventoriesIsDeclaredTwice() throws {
        let result = try check([], inventories: [Self.vmList, Self.vmList])
        XCTAssertEqual(frontEnd(result).filter { $0.hasSuffix("TR009") }.count, 4)
    }

    func testMarketplaceImagesNameTheirOperatingSystem() {
        let images: [(String, String, String, String?)] = [
            ("MicrosoftWindowsServer", "WindowsServer", "2019-Datacenter", "2019"),
            ("MicrosoftWindowsServer", "WindowsServer", "2012-R2-Datacenter", "2012 R2"),
            ("MicrosoftWindowsServer", "WindowsServer", "2008-R2-SP1", "2008 R2"),
            ("MicrosoftWindowsServer", "WindowsServer", "2022-datacenter-azure-edition", "2022"),
            ("MicrosoftWindowsServer", "WindowsServer", "datacenter-core-2004-with-containers-smalldisk", nil),
            ("MicrosoftWindowsDesktop", "Windows-11", "win11-23h2-pro", "Windows 11"),
            ("Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts-gen2", "Ubuntu 22.04"),
            ("Canonical", "UbuntuServer", "18.04-LTS", "Ubuntu 18.04"),
            ("Canonical", "ubuntu-24_04-lts", "server", "Ubuntu 24.04"),
            ("Debian", "debian-12", "12-gen2", "Debian 12"),
            ("RedHat", "RHEL", "8_6", "RHEL 8.6"),
            ("RedHat", "RHEL", "89-gen2", "RHEL 8.9"),
            ("RedHat", "RHEL", "9-lvm-gen2", "RHEL 9"),
            ("OpenLogic", "CentOS", "7_9", "CentOS 7.9"),
            ("SUSE", "sles-15-sp5", "gen2", "SLES 15 SP5"),
            ("Oracle", "Oracle-Linux", "ol89-lvm-gen2", "Oracle Linux 8.9"),
            ("almalinux", "almalinux-x86_64", "9-gen2", "AlmaLinux 9"),
            ("resf", "rockylinux-x86_64", "9-base", "Rocky Linux 9"),
            ("kinvolk", "flatcar-container-linux-free", "stable-gen2", "Flatcar Container Linux"),
            ("MicrosoftCBLMariner", "cbl-mariner", "cbl-mariner-2-gen2", "Azure Linux 2"),
            ("bitnami", "wordpress", "4-4", nil)
        ]
        for (publisher, offer, sku, expected) in images {
            XCTAssertEqual(
                MarketplaceImage.osVersion(publisher: publisher, offer: offer, sku: sku), expected, "\(publisher):\(offer):\(sku)")
        }
    }

    func testPowerStates() {
        XCTAssertEqual(
            ["VM running", "VM starting", "VM stopped", "VM stopping", "VM deallocated", "VM deallocating", "VM unknown", ""]
                .map(InventoryDecoder.powerState), [.running, .running, .stopped, .stopped, .deallocated, .deallocated, nil, nil])
    }

    func testVersionsAgreeOnTheirNumbers() {
        XCTAssertEqual(InventoryMerge.versionNumbers("Windows Server 2012 R2 Datacenter"), InventoryMerge.versionNumbers("2012 R2"))
        XCTAssertNotEqual(InventoryMerge.versionNumbers("2012"), InventoryMerge.versionNumbers("2012 R2"))
        XCTAssertEqual(InventoryMerge.versionNumbers("Ubuntu 22.04 LTS"), InventoryMerge.versionNumbers("ubuntu 22.04"))
        XCTAssertNotEqual(InventoryMerge.versionNumbers("CoreOS"), InventoryMerge.versionNumbers("Ubuntu 22.04"))
    }

    func testValidateTakesInventoryFiles() throws {
        var command = ValidateCommand(paths: [fixturesDirectory.appendingPathComponent("inventory/manifests").path])
        command.inventories = [Self.vmList, Self.nsgList].map { fixturesDirectory.appendingPathComponent($0).path }
        command.format = .json
        let output = command.run()
        struct Report: Decodable {
            struct Item: Decodable {
                var code: String
                var file: String?
                var line: Int?
            }
            var errorCount: Int
            var diagnostics: [Item]
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(output.stdout.utf8))
        let disagreement = try XCTUnwrap(report.diagnostics.first { $0.code == "TR011" })
        XCTAssertTrue(disagreement.file?.hasSuffix("inventory/manifests/vms.yaml") == true)
        XCTAssertEqual(output.exitCode, ExitCode.failure)
        XCTAssertEqual(report.diagnostics.filter { $0.code == "TR011" }.count, 1)
    }
}
