import Foundation
import XCTest

@testable import TresorFrontEnd
@testable import TresorModel

/// The JSON Schema and the decoder must agree: a document passes the schema exactly when tresor
/// reports no structural problem (TR004–TR008) for it. The schema is checked by python-jsonschema
/// on YAML loaded by PyYAML, as other people's pipelines check it.
final class SchemaTests: XCTestCase {
    private let schemaFile = repositoryRoot.appendingPathComponent("Schemas/tresor-v1.schema.json")
    private static let structuralCodes: Set<String> = ["TR004", "TR005", "TR006", "TR007", "TR008"]
    private static let syntaxCodes: Set<String> = ["TR001", "TR002", "TR003"]

    /// Where a YAML 1.1 reader and tresor read the same text differently, so the two cannot agree.
    private static let knownDifferences: [String: String] = [
        "TR008 triggering example 3": "YAML 1.1 reads `yes` as the boolean true; tresor reads the text \"yes\", which is not true or false"
    ]

    private struct LoadedSet: Decodable {
        struct Document: Decodable { var errors: [String] }
        var name: String
        var loadError: String?
        var documents: [Document]
    }

    private struct Variant: Decodable {
        var name: String
        var text: String
        var errors: [String]
    }

    func testCheckedInSchemaIsWhatTresorSchemaPrints() throws {
        if ProcessInfo.processInfo.environment["TRESOR_UPDATE_GOLDEN"] == "1" {
            try ManifestSchema.text.write(to: schemaFile, atomically: true, encoding: .utf8)
            return
        }
        XCTAssertEqual(
            try String(contentsOf: schemaFile, encoding: .utf8), ManifestSchema.text,
            "Schemas/tresor-v1.schema.json is stale: TRESOR_UPDATE_GOLDEN=1 swift test rewrites it")
    }

    func testEveryObjectTakesExactlyTheDecoderFields() throws {
        let schema = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(ManifestSchema.text.utf8)) as? [String: Any])
        let definitions = try XCTUnwrap(schema["$defs"] as? [String: Any])
        let decoderFields: [String: FieldSet] = [
            "Vault": ManifestDecoder.vaultFields, "BackupPolicy": ManifestDecoder.policyFields,
            "schedule": ManifestDecoder.scheduleFields, "retention": ManifestDecoder.retentionFields,
            "weeklyRetention": ManifestDecoder.weeklyFields, "monthlyRetention": ManifestDecoder.monthlyFields,
            "yearlyRetention": ManifestDecoder.yearlyFields, "Protection": ManifestDecoder.protectionFields,
            "NetworkRule": ManifestDecoder.networkRuleFields, "VirtualMachine": ManifestDecoder.vmFields,
            "os": ManifestDecoder.osFields, "agent": ManifestDecoder.agentFields, "disks": ManifestDecoder.disksFields,
            "classic": ManifestDecoder.classicFields, "egress": ManifestDecoder.egressFields,
            "NetworkSecurityGroup": ManifestDecoder.nsgFields, "securityRule": ManifestDecoder.securityRuleFields
        ]
        for (name, fields) in decoderFields {
            let definition = try XCTUnwrap(definitions[name] as? [String: Any], name)
            let properties = try XCTUnwrap(definition["properties"] as? [String: Any], name)
            XCTAssertEqual(Set(properties.keys), Set(fields.names), name)
            XCTAssertEqual(definition["additionalProperties"] as? Bool, false, name)
        }
        let kinds = try XCTUnwrap((definitions["kind"] as? [String: Any])?["enum"] as? [String])
        XCTAssertEqual(kinds, ResourceKind.allCases.map(\.rawValue))
    }

    func testStructurallyBrokenDocumentsFailBoth() throws {
        let vault = """
            apiVersion: tresor/v1
            kind: Vault
            name: rsv-prod-weu
            subscription: 1f0c5c6e-0000-4000-8000-00000000a001
            resourceGroup: rg-backup-prod
            region: westeurope
            """
        let broken: [(name: String, code: String, text: String)] = [
            ("unknown field", "TR005", vault + "\nreplicaton: LRS\n"),
            ("missing required field", "TR006", vault.replacingOccurrences(of: "region: westeurope", with: "")),
            ("wrong type", "TR007", vault.replacingOccurrences(of: "name: rsv-prod-weu", with: "name: [rsv-prod-weu]")),
            ("unknown kind", "TR004", vault.replacingOccurrences(of: "kind: Vault", with: "kind: Vualt")),
            ("wrong apiVersion", "TR004", vault.replacingOccurrences(of: "tresor/v1", with: "tresor/v2")),
            ("enum value", "TR008", vault + "\nreplication: ZRS\n")
        ]
        let results = try jsonSchemaCheck(
            "documents", ["schema": schemaFile.path, "sets": broken.map { ["name": $0.name, "text": $0.text] }],
            as: [LoadedSet].self)
        XCTAssertEqual(results.count, broken.count)
        for (document, result) in zip(broken, results) {
            XCTAssertTrue(codes(check(document.text)).contains(document.code), "tresor accepts the document with \(document.name)")
            XCTAssertFalse(result.documents.allSatisfy(\.errors.isEmpty), "the schema accepts the document with \(document.name)")
        }
        let valid = try jsonSchemaCheck(
            "documents", ["schema": schemaFile.path, "sets": [["name": "valid", "text": vault]]],
            as: [LoadedSet].self)
        XCTAssertEqual(valid.first?.documents.map(\.errors), [[]])
    }

    func testSchemaAndDecoderAgreeOnRuleExamplesAndEstates() throws {
        var sets: [(name: String, text: String)] = []
        for rule in RuleCatalog.descriptions {
            for (kind, examples) in [("triggering", rule.triggering.map(\.text)), ("non-triggering", rule.nonTriggering)] {
                sets += examples.enumerated().map { ("\(rule.code) \(kind) example \($0.offset + 1)", $0.element) }
            }
        }
        let examples = try manifests(under: repositoryRoot.appendingPathComponent("Examples"))
        XCTAssertGreaterThanOrEqual(examples.count, 20)
        sets += examples

        let generated = FileManager.default.temporaryDirectory.appendingPathComponent("tresor-estate-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: generated) }
        let (status, _, stderr) = try runProcess(
            [
                "python3", repositoryRoot.appendingPathComponent("Benchmarks/generate-estate.py").path,
                "--vms", "60", "--out", generated.path
            ])
        XCTAssertEqual(status, 0, stderr)
        let estate = try manifests(under: generated)
        XCTAssertFalse(estate.isEmpty)
        sets += estate

        let results = try jsonSchemaCheck(
            "documents", ["schema": schemaFile.path, "sets": sets.map { ["name": $0.name, "text": $0.text] }],
            as: [LoadedSet].self)
        XCTAssertEqual(results.map(\.name), sets.map(\.name))
        var compared = 0
        for (set, result) in zip(sets, results) {
            let reported = Set(codes(check(set.text, path: "example.yaml")))
            // Text that is not YAML says nothing about the schema.
            if !reported.isDisjoint(with: Self.syntaxCodes) { continue }
            compared += 1
            let schemaErrors = result.loadError.map { [$0] } ?? result.documents.flatMap(\.errors)
            let structural = reported.intersection(Self.structuralCodes).sorted()
            let agree = schemaErrors.isEmpty == structural.isEmpty
            if let reason = Self.knownDifferences[set.name] {
                XCTAssertFalse(agree, "\(set.name) is listed as a known difference (\(reason)) but now agrees: remove it")
            } else {
                XCTAssertTrue(agree, "\(set.name): tresor reports \(structural), the schema reports \(schemaErrors)")
            }
        }
        XCTAssertGreaterThan(compared, examples.count + estate.count)
    }

    func testSchemaAndDecoderAgreeOnBrokenVariantsOfEveryKind() throws {
        let results = try jsonSchemaCheck(
            "mutations", ["schema": schemaFile.path, "sets": Self.completeDocuments.map { ["name": $0.name, "text": $0.text] }],
            as: [Variant].self)
        XCTAssertGreaterThan(results.count, 500)
        var accepted = 0
        for variant in results {
            let structural = Set(codes(check(variant.text))).intersection(Self.structuralCodes).sorted()
            if variant.errors.isEmpty { accepted += 1 }
            XCTAssertEqual(
                variant.errors.isEmpty, structural.isEmpty,
                "\(variant.name): tresor reports \(structural), the schema reports \(variant.errors)\n\(variant.text)")
        }
        // Both outcomes occur: the comparison is not vacuous.
        XCTAssertGreaterThan(accepted, 50)
        XCTAssertGreaterThan(results.count - accepted, 300)
    }

    func testCompleteDocumentsAreValid() {
        for document in Self.completeDocuments {
            XCTAssertEqual(Set(codes(check(document.text))).intersection(Self.structuralCodes), [], document.name)
        }
    }

    private func manifests(under folder: URL) throws -> [(name: String, text: String)] {
        let paths = ManifestInputs.collect([folder.path]).files
        return try paths.map { path in
            (String(path.dropFirst(repositoryRoot.path.count)), try String(contentsOfFile: path, encoding: .utf8))
        }
    }

    /// One document of each kind with every field written, to break one field at a time.
    private static let completeDocuments: [(name: String, text: String)] = [
        (
            "Vault",
            """
            apiVersion: tresor/v1
            kind: Vault
            name: rsv-prod-weu
            subscription: 1f0c5c6e-0000-4000-8000-00000000a001
            resourceGroup: rg-backup-prod
            region: westeurope
            replication: GRS
            crossRegionRestore: true
            tags: {env: prod, owner: platform}
            """
        ),
        (
            "Weekly BackupPolicy",
            """
            apiVersion: tresor/v1
            kind: BackupPolicy
            name: weekly-52
            vault: rsv-prod-weu
            subscription: 1f0c5c6e-0000-4000-8000-00000000a001
            schedule: {frequency: Weekly, time: "04:00", days: [Sunday, Wednesday], timeZone: UTC}
            instantRestoreDays: 5
            retention:
              weekly: {weeks: 52, days: [Sunday]}
              monthly: {months: 12, week: First, days: [Sunday]}
              yearly: {years: 7, months: [January, July], daysOfMonth: [1, Last]}
            """
        ),
        (
            "Daily BackupPolicy",
            """
            apiVersion: tresor/v1
            kind: BackupPolicy
            name: daily-30
            vault: rsv-prod-weu
            schedule: {frequency: daily, time: "19:00"}
            retention:
              daily: 30
              monthly: {months: 12, daysOfMonth: [1, 15]}
              yearly: {years: 5, months: [December], week: Last, days: [Sunday]}
            """
        ),
        (
            "Protection",
            """
            apiVersion: tresor/v1
            kind: Protection
            vault: rsv-prod-weu
            subscription: 1f0c5c6e-0000-4000-8000-00000000a001
            policy: daily-30
            vms: [web-01, rg-web/web-02]
            """
        ),
        (
            "NetworkRule",
            """
            apiVersion: tresor/v1
            kind: NetworkRule
            name: allow-azure-backup
            nsg: nsg-web
            subscription: 1f0c5c6e-0000-4000-8000-00000000a001
            direction: Outbound
            access: Allow
            priority: 900
            protocol: Tcp
            source: VirtualNetwork
            sourcePorts: "*"
            destination: [Storage.westeurope]
            destinationPorts: ["443", "8443"]
            description: Azure Backup to storage
            """
        ),
        (
            "VirtualMachine",
            """
            apiVersion: tresor/v1
            kind: VirtualMachine
            name: web-01
            subscription: 1f0c5c6e-0000-4000-8000-00000000a001
            resourceGroup: rg-web
            region: westeurope
            os: {type: Windows, version: "2019"}
            agent: {installed: true, version: "2.7.41491.1102"}
            disks: {managed: false, encryptedStorage: true, data: 2}
            deployment: Classic
            classic: {reservedIp: false, endpoints: 1}
            powerState: running
            networkSecurityGroups: [nsg-web]
            egress: {via: proxy, proxy: "10.0.0.5"}
            """
        ),
        (
            "NetworkSecurityGroup",
            """
            apiVersion: tresor/v1
            kind: NetworkSecurityGroup
            name: nsg-web
            subscription: 1f0c5c6e-0000-4000-8000-00000000a001
            resourceGroup: rg-net
            region: westeurope
            rules:
              - {name: Deny_All_Outbound, direction: Outbound, access: Deny, priority: 1000, protocol: "*",
                 source: "*", sourcePorts: "*", destination: "*", destinationPorts: ["80", "443"], description: lockdown}
            """
        )
    ]
}
