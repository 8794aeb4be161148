import XCTest

@testable import TresorFrontEnd
@testable import TresorModel

final class DecoderTests: XCTestCase {
    func testBaseEstateIsCleanAndDefaultsApply() throws {
        let result = check(baseEstate)
        XCTAssertEqual(codes(result), [])
        let vault = try XCTUnwrap(result.estate.vaults.first)
        XCTAssertEqual(vault.effectiveReplication, .GRS)
        XCTAssertEqual(
            vault.id,
            "/subscriptions/1f0c5c6e-0000-4000-8000-00000000a001/resourceGroups/rg-backup-prod/providers/Microsoft.RecoveryServices/vaults/rsv-prod-weu"
        )
        let vm = try XCTUnwrap(result.estate.virtualMachines.first)
        XCTAssertEqual(vm.effectivePowerState, .running)
        XCTAssertEqual(vm.effectiveDeployment, .ResourceManager)
        XCTAssertEqual(vm.disks?.isManaged ?? true, true)
        XCTAssertEqual(result.estate.protections.first?.policyBinding, .declared(0))
        XCTAssertEqual(result.estate.protections.first?.vmIndices, [0])
    }

    func testWeeklyPolicyDefaultsToFiveInstantRestoreDays() throws {
        let result = check(
            """
            apiVersion: tresor/v1
            kind: BackupPolicy
            name: weekly
            vault: v
            schedule: {frequency: weekly, time: "19:00", days: [sunday]}
            """)
        // The vault reference fails, but decoding happened: enums matched case-insensitively.
        XCTAssertEqual(codes(result), ["TR010"])
    }

    func testEnumsAreCanonicalisedAndBooleansAreStrict() throws {
        let result = check(
            """
            apiVersion: tresor/v1
            kind: Vault
            name: v1
            subscription: 1F0C5C6E-0000-4000-8000-00000000A001
            resourceGroup: rg
            region: westeurope
            replication: lrs
            crossRegionRestore: True
            """)
        // TR106 is the note every LRS vault gets.
        XCTAssertEqual(positions(result), ["test.yaml:7:14 TR106", "test.yaml:8:21 TR008"])
        XCTAssertEqual(result.estate.vaults.first?.replication?.value, .LRS)
        XCTAssertEqual(result.estate.vaults.first?.subscription.value, "1f0c5c6e-0000-4000-8000-00000000a001")
    }

    func testEveryProblemInADocumentIsReported() {
        let result = check(
            """
            apiVersion: tresor/v1
            kind: VirtualMachine
            name: [web]
            subscription: nope
            resourceGroup: rg.
            regoin: westeurope
            os: {type: BeOS}
            disks: {data: many}
            """)
        XCTAssertEqual(
            positions(result),
            [
                "test.yaml:2:7 TR006",
                "test.yaml:3:7 TR007",
                "test.yaml:4:15 TR008",
                "test.yaml:5:16 TR008",
                "test.yaml:6:1 TR005",
                "test.yaml:7:1 TR006",
                "test.yaml:7:12 TR008",
                "test.yaml:8:15 TR008"
            ])
    }

    func testHeaderProblems() {
        XCTAssertEqual(
            positions(check("kind: Vault\nname: x\n")),
            ["test.yaml:1:1 TR004", "test.yaml:1:7 TR006", "test.yaml:1:7 TR006", "test.yaml:1:7 TR006"])
        XCTAssertEqual(positions(check("apiVersion: tresor/v1\nkind: Vualt\n")), ["test.yaml:2:7 TR004"])
        XCTAssertEqual(positions(check("- a\n- b\n")), ["test.yaml:1:1 TR007"])
        let unknown = check("apiVersion: tresor/v1\nkind: Vualt\n")
        XCTAssertEqual(unknown.report.diagnostics.first?.help, "did you mean \"Vault\"?")
    }

    func testNullValueOfRequiredFieldIsMissing() {
        XCTAssertEqual(
            positions(
                check(
                    """
                    apiVersion: tresor/v1
                    kind: Vault
                    name: v1
                    subscription: 1f0c5c6e-0000-4000-8000-00000000a001
                    resourceGroup: rg
                    region:
                    """)), ["test.yaml:6:1 TR006"])
    }

    func testPortsAndAddressesTakeAScalarOrAList() throws {
        let result = check(
            """
            apiVersion: tresor/v1
            kind: NetworkSecurityGroup
            name: nsg-web
            subscription: 1f0c5c6e-0000-4000-8000-00000000a001
            resourceGroup: rg-net
            region: westeurope
            rules:
              - {name: a, direction: Outbound, access: Deny, priority: 1000, protocol: "*",
                 source: "*", sourcePorts: "*", destination: "*", destinationPorts: [443, "8000-8443"]}
            """)
        XCTAssertEqual(codes(result), [])
        let rule = try XCTUnwrap(result.estate.networkSecurityGroups.first?.rules.first)
        XCTAssertEqual(rule.destinationPorts.map(\.value), ["443", "8000-8443"])
        XCTAssertEqual(rule.sourcePorts.map(\.value), ["*"])
    }

    func testIntegersMayBeNegativeOrHugeForTheirRangeRules() throws {
        func instantRestore(_ text: String) -> Compiler.Result {
            check(baseEstate.replacingOccurrences(of: "instantRestoreDays: 2", with: "instantRestoreDays: \(text)"))
        }
        XCTAssertEqual(instantRestore("-3").estate.policies.first?.instantRestoreDays?.value, -3)
        XCTAssertEqual(instantRestore("99999999999999999999").estate.policies.first?.instantRestoreDays?.value, Int.max)
        XCTAssertEqual(instantRestore("-99999999999999999999").estate.policies.first?.instantRestoreDays?.value, Int.min)
        XCTAssertEqual(instantRestore("9223372036854775807").estate.policies.first?.instantRestoreDays?.value, Int.max)
        XCTAssertEqual(instantRestore("9223372036854775808").estate.policies.first?.instantRestoreDays?.value, Int.max)
        XCTAssertEqual(instantRestore("-9223372036854775808").estate.policies.first?.instantRestoreDays?.value, Int.min)
        XCTAssertEqual(instantRestore("-0").estate.policies.first?.instantRestoreDays?.value, 0)
        XCTAssertEqual(instantRestore("007").estate.policies.first?.instantRestoreDays?.value, 7)
        for text in ["\"-\"", "+3", "1e3", "3.0", "0x10", "--3", "\"\""] {
            XCTAssertEqual(positions(instantRestore(text)), ["test.yaml:13:21 TR008"], text)
        }
    }

    func testCountsAreNotNegative() {
        let result = check(
            baseEstate.replacingOccurrences(
                of: "agent: {installed: true, version: \"2.7.41491.1102\"}",
                with: "agent: {installed: true, version: \"2.7.41491.1102\"}\ndisks: {data: -1}\nclassic: {endpoints: -2}"))
        XCTAssertEqual(positions(result), ["test.yaml:24:15 TR008", "test.yaml:25:22 TR008"])
    }

    func testMonthlyRetentionDaysOfMonth() {
        let result = check(
            baseEstate.replacingOccurrences(
                of: "retention: {daily: 30}",
                with: "retention: {daily: 30, monthly: {months: 12, daysOfMonth: [1, Last, 31]}}"))
        XCTAssertEqual(positions(result), ["test.yaml:14:69 TR008"])
    }
}

final class BinderTests: XCTestCase {
    func testVMReferencesByNameGroupAndID() throws {
        let estate =
            baseEstate.replacingOccurrences(
                of: "vms: [web-01]",
                with: """
                    vms:
                      - rg-web/web-01
                    """) + """
                ---
                apiVersion: tresor/v1
                kind: Protection
                vault: rsv-prod-weu
                vms: [/subscriptions/1f0c5c6e-0000-4000-8000-00000000a001/resourceGroups/RG-WEB/providers/Microsoft.Compute/virtualMachines/web-01]
                """
        let result = check(estate)
        XCTAssertEqual(result.estate.protections.map(\.vmIndices), [[0], [0]])
        XCTAssertEqual(result.estate.protections[1].policyBinding, .builtinDefault)
    }

    func testUnknownReferencesSuggestTheNearestName() throws {
        let result = check(
            baseEstate.replacingOccurrences(of: "vms: [web-01]", with: "vms: [web-1]")
                .replacingOccurrences(of: "policy: daily-30", with: "policy: daily-03"))
        // web-01 is left unprotected until the reference is fixed (TR501).
        XCTAssertEqual(positions(result), ["test.yaml:18:7 TR501", "test.yaml:28:9 TR010", "test.yaml:29:7 TR010"])
        XCTAssertEqual(
            result.report.diagnostics.dropFirst().map(\.help),
            ["did you mean \"daily-30\"?", "did you mean \"web-01\"?"])
    }

    func testAmbiguousVaultNamesNeedASubscription() {
        let second = """
            ---
            apiVersion: tresor/v1
            kind: Vault
            name: rsv-prod-weu
            subscription: 1f0c5c6e-0000-4000-8000-00000000a002
            resourceGroup: rg-backup-prod
            region: westeurope
            """
        let result = check(baseEstate + second)
        XCTAssertEqual(codes(result), ["TR010", "TR010"])
        XCTAssertEqual(result.report.diagnostics.first?.notes.count, 2)
        let disambiguated = check(
            baseEstate.replacingOccurrences(
                of: "vault: rsv-prod-weu\n", with: "vault: rsv-prod-weu\nsubscription: 1f0c5c6e-0000-4000-8000-00000000a001\n") + second)
        XCTAssertEqual(codes(disambiguated), [])
    }

    func testInterleavedDuplicatesAreEachReportedAndTheFirstsKeptInOrder() {
        func vm(_ name: String, group: String) -> String {
            """
            apiVersion: tresor/v1
            kind: VirtualMachine
            name: \(name)
            subscription: 1f0c5c6e-0000-4000-8000-00000000a001
            resourceGroup: \(group)
            region: westeurope
            os: {type: Linux, version: Ubuntu 22.04}
            """
        }
        let documents = [
            vm("a", group: "rg"), vm("A", group: "RG"), vm("b", group: "rg"), vm("a", group: "rg-other"),
            vm("b", group: "rg"), vm("c", group: "rg")
        ]
        let result = check(documents.joined(separator: "\n---\n"))
        XCTAssertEqual(result.report.diagnostics.filter { $0.code == "TR009" }.map { $0.range?.line }, [11, 35])
        XCTAssertEqual(
            result.estate.virtualMachines.map { "\($0.resourceGroup.value)/\($0.name.value)" },
            ["rg/a", "rg/b", "rg-other/a", "rg/c"])
    }

    func testDuplicateIdentityAcrossFilesPointsAtTheFirst() throws {
        let vault = """
            apiVersion: tresor/v1
            kind: Vault
            name: rsv-prod-weu
            subscription: 1f0c5c6e-0000-4000-8000-00000000a001
            resourceGroup: rg-backup-prod
            region: westeurope
            """
        let result = check([("a.yaml", vault), ("b.yaml", vault.replacingOccurrences(of: "rsv-prod-weu", with: "RSV-Prod-WEU"))])
        XCTAssertEqual(positions(result), ["b.yaml:3:7 TR009"])
        let note = try XCTUnwrap(result.report.diagnostics.first?.notes.first)
        XCTAssertEqual(result.report.path(of: note.range!), "a.yaml")
        XCTAssertEqual(result.estate.vaults.count, 1)
    }
}
