import Foundation
import Synchronization
import XCTest

@testable import TresorCore
@testable import TresorFrontEnd
@testable import TresorModel
@testable import TresorPlan
@testable import TresorState
@testable import TresorSupport

/// A provider whose "Azure" is a `LiveEstate` the test sets: it records the scopes it is asked
/// to refresh and every change it is asked to perform.
final class FakeAzure: Provider {
    private let held: Mutex<(live: LiveEstate, scopes: [RefreshScope], performed: [PlannedChange])>
    private let failure: ProviderFailure?

    init(_ live: LiveEstate, failure: ProviderFailure? = nil) {
        held = Mutex((live, [], []))
        self.failure = failure
    }

    var banner: String? { nil }
    var inFlightLimit: Int { 1 }
    var progressNote: String? { nil }
    var scopes: [RefreshScope] { held.withLock { $0.scopes } }
    var performed: [PlannedChange] { held.withLock { $0.performed } }

    /// Records the change and makes it in the fake Azure.
    func perform(_ change: PlannedChange, context: ApplyContext) async throws(ProviderFailure) -> StateResource? {
        let resource = change.after.map { StateResource(kind: change.kind, id: change.id, name: change.name, attributes: $0) }
        held.withLock { held in
            held.performed.append(change)
            var state = State(resources: held.live.vaults + held.live.policies + held.live.items.map(\.resource) + held.live.securityRules)
            if let resource { state.set(resource) } else { state.remove(id: change.id) }
            held.live = LiveEstate(holding: state)
        }
        return resource
    }

    /// What the fake Azure holds in the scope's vaults and NSGs, as the Azure provider reads it.
    func refresh(_ scope: RefreshScope) async throws(ProviderFailure) -> LiveEstate? {
        if let failure { throw failure }
        let vaults = Set(scope.vaults.map(ResourceID.key))
        let groups = Set(scope.networkSecurityGroups.map(ResourceID.key))
        return held.withLock { held in
            held.scopes.append(scope)
            var live = held.live
            live.vaults.removeAll { !vaults.contains($0.key) }
            live.policies.removeAll { !vaults.contains($0.vaultKey ?? "") }
            live.items.removeAll { !vaults.contains($0.resource.vaultKey ?? "") }
            live.securityRules.removeAll { !groups.contains(ResourceID.parent(of: $0.key, levels: 1) ?? "") }
            return live
        }
    }
}

extension LiveEstate {
    /// What Azure holds when it holds exactly `state`.
    init(holding state: State) {
        self.init()
        for resource in state.resources {
            switch resource.kind {
            case .vault: vaults.append(resource)
            case .backupPolicy: policies.append(resource)
            case .protectedItem: items.append(LiveItem(resource, softDeleted: false))
            case .networkRule: securityRules.append(resource)
            }
        }
    }
}

/// Refresh (SPEC §7): drift planned back to the manifests and marked, Azure's spelling not
/// taken for drift, soft-deleted and unmanaged items counted for TR104 and vault deletion,
/// refresh-only plans and applies, resources tresor does not manage left alone.
final class RefreshTests: XCTestCase {
    static let manifests = baseEstate + backupStorageRule
    static let vaultID =
        "/subscriptions/1f0c5c6e-0000-4000-8000-00000000a001/resourceGroups/rg-backup-prod/providers/Microsoft.RecoveryServices/vaults/rsv-prod-weu"
    static let itemID =
        vaultID
        + "/backupFabrics/Azure/protectionContainers/iaasvmcontainer;iaasvmcontainerv2;rg-web;web-01/protectedItems/vm;iaasvmcontainerv2;rg-web;web-01"
    static let ruleID =
        "/subscriptions/1f0c5c6e-0000-4000-8000-00000000a001/resourceGroups/rg-net/providers/Microsoft.Network/networkSecurityGroups/nsg-web/securityRules/allow-backup"

    private func applied(_ text: String = manifests) throws -> State {
        var state = State()
        let result = Planning().plan(sources: [(path: "estate.yaml", text: text)], against: state)
        state.record(try XCTUnwrap(result.plan, "\(result.report.diagnostics)"))
        return state
    }

    private func live(_ state: State) -> LiveEstate { LiveEstate(holding: state) }

    private func changing(_ resource: StateResource, _ edit: (inout [(String, JSON)]) -> Void) -> StateResource {
        var changed = resource
        guard case .object(var members) = resource.attributes else { return resource }
        edit(&members)
        changed.attributes = .object(members)
        return changed
    }

    private func set(_ key: String, _ value: JSON) -> (inout [(String, JSON)]) -> Void {
        { members in members[members.firstIndex { $0.0 == key }!].1 = value }
    }

    private func plan(_ text: String = manifests, against state: State, live: LiveEstate, allowDestroy: Bool = false) -> Planning.Result {
        Planning(allowDestroy: allowDestroy).plan(
            sources: [(path: "estate.yaml", text: text)], against: state,
            refreshed: Refreshed(stored: state, live: live))
    }

    /// Error codes only: LRS draws a warning (TR106) beside what these tests look at.
    private func errors(_ result: Planning.Result) -> [String] {
        result.report.diagnostics.filter { $0.severity == .error }.map(\.code)
    }

    private func summary(_ plan: Plan?) -> [String] {
        (plan?.changes ?? []).map { "\($0.action.rawValue) \($0.kind.rawValue) \($0.name)\($0.changedOutsideTresor ? " (outside)" : "")" }
    }

    func testScopeNamesEachVaultAndNSGOfStateOnce() throws {
        var state = try applied(ExampleManifests.file(Self.manifests, ExampleManifests.vault("rsv-prod-weu-2")))
        let item = { (vault: String, vm: String) in
            StateResource(
                kind: .protectedItem,
                id: Self.itemID.replacingOccurrences(of: Self.vaultID, with: vault)
                    .replacingOccurrences(of: "web-01", with: vm), name: vm, attributes: .object([]))
        }
        state.set(item(Self.vaultID + "-2", "web-02"))
        // A policy whose vault state does not hold (a damaged state) still has its vault read.
        state.set(StateResource(kind: .backupPolicy, id: Self.vaultID + "-3/backupPolicies/p", name: "p", attributes: .object([])))
        state.set(item(Self.vaultID, "web-03"))
        let scope = RefreshScope(state: state)
        XCTAssertEqual(scope.vaults, [Self.vaultID, Self.vaultID + "-2", Self.vaultID + "-3"])
        XCTAssertEqual(scope.networkSecurityGroups, [try XCTUnwrap(ResourceID.parent(of: Self.ruleID, levels: 1))])
    }

    func testAzuresSpellingIsNotDrift() throws {
        let state = try applied()
        var azure = live(state)
        // IDs and names in Azure's case, enum values in another case, tags in another order,
        // a port and an address as Azure may write them.
        azure.vaults[0] = StateResource(
            kind: .vault, id: Self.vaultID.replacingOccurrences(of: "/subscriptions/", with: "/Subscriptions/"),
            name: "rsv-prod-weu",
            attributes: .object([
                ("tags", .object([])), ("crossRegionRestore", .bool(false)),
                ("replication", "grs"), ("region", "WestEurope")
            ]))
        azure.items[0] = LiveItem(
            StateResource(
                kind: .protectedItem, id: Self.itemID.uppercased(), name: "web-01",
                attributes: .object([
                    (
                        "vm",
                        "/Subscriptions/1F0C5C6E-0000-4000-8000-00000000A001/resourceGroups/RG-WEB/providers/Microsoft.Compute/virtualMachines/web-01"
                    ),
                    ("policy", "Daily-30"), ("protectionState", "Protected")
                ])), softDeleted: false)
        azure.securityRules[0] = changing(azure.securityRules[0]) { members in
            self.set("source", "virtualNetwork")(&members)
            self.set("destinationPorts", .array(["8443", "443"]))(&members)
            self.set("protocol", "TCP")(&members)
            self.set("destination", .array(["storage.WestEurope"]))(&members)
        }
        let refreshed = Refreshed(stored: state, live: azure)
        XCTAssertFalse(refreshed.hasDrift, "\(refreshed.recorded)")
        XCTAssertEqual(refreshed.state.resources, state.resources)
        let result = plan(against: state, live: azure)
        XCTAssertEqual(try XCTUnwrap(result.plan).changes, [])
    }

    func testEquivalentAddressesAndPortsAreNotDrift() {
        let recorded: JSON = .object([
            ("source", .array(["10.0.0.4/32", "10.1.0.0/16"])), ("sourcePorts", .array(["*"])),
            ("destination", .array(["Storage.westeurope"])), ("destinationPorts", .array(["80", "443"]))
        ])
        let same: JSON = .object([
            ("destinationPorts", .array(["443", "80-80"])), ("source", .array(["10.1.0.5/16", "10.0.0.4"])),
            ("sourcePorts", "0-65535"), ("destination", "storage.westeurope")
        ])
        XCTAssertEqual(LiveValues.matching(same, recorded: recorded), recorded)
        let other: JSON = .object([
            ("source", .array(["10.0.0.5", "10.1.0.0/16"])), ("sourcePorts", .array(["*"])),
            ("destination", .array(["Storage.westeurope"])), ("destinationPorts", .array(["80", "443", "22"]))
        ])
        XCTAssertEqual(
            FieldChange.between(recorded, LiveValues.matching(other, recorded: recorded)).map(\.path), ["source", "destinationPorts"])
    }

    func testRealDifferencesAreDriftEvenWhenOnlyTheirCaseDiffers() throws {
        let state = try applied(
            baseEstate(
                replacing: "region: westeurope\n---\napiVersion: tresor/v1\nkind: BackupPolicy",
                with: "region: westeurope\ntags: {env: prod}\n---\napiVersion: tresor/v1\nkind: BackupPolicy"))
        var azure = live(state)
        azure.vaults[0] = changing(azure.vaults[0], set("tags", .object([("env", "Prod")])))
        let refreshed = Refreshed(stored: state, live: azure)
        XCTAssertEqual(Array(refreshed.recorded.keys), [ResourceID.key(Self.vaultID)])
    }

    func testAChangeOutsideTresorIsPlannedBackWithAzuresValueBesideTheManifests() throws {
        let state = try applied()
        var azure = live(state)
        azure.policies[0] = changing(azure.policies[0], set("retention", .object([("daily", .int(14))])))
        let result = plan(against: state, live: azure)
        let plan = try XCTUnwrap(result.plan)
        XCTAssertEqual(summary(plan), ["update BackupPolicy daily-30 (outside)"])
        let change = plan.changes[0]
        XCTAssertEqual(change.before?["retention"]?["daily"], .int(14))
        XCTAssertEqual(change.after?["retention"]?["daily"], .int(30))
        XCTAssertEqual(change.recorded?["retention"]?["daily"], .int(30))
        XCTAssertEqual(change.reason, "changed outside tresor; 1 field changed")
        let text = PlanText.render(plan)
        XCTAssertTrue(text.contains("~ BackupPolicy daily-30 (changed outside tresor; 1 field changed)\n"), text)
        XCTAssertTrue(text.contains("    retention.daily: 14 (in Azure, changed outside tresor) -> 30 (in the manifests)\n"), text)
        XCTAssertTrue(PlanMarkdown.render(plan).contains("retention.daily: 14 (in Azure, changed outside tresor) -> 30 (in the manifests)"))

        let json = PlanJSON.encode(plan, report: result.report).rendered()
        let document = try JSONDecoder().decode(PlanOutputTests.PlanDocument.self, from: Data(json.utf8))
        XCTAssertFalse(document.refreshOnly)
        XCTAssertTrue(document.changes[0].changedOutsideTresor)
        XCTAssertEqual((document.changes[0].recorded?["retention"]?.value as? [String: Any])?["daily"] as? Int, 30)
        XCTAssertEqual(document.changes[0].diff.map(\.changedOutsideTresor), [true])
        // A saved plan keeps what refresh found.
        var bytes: [UInt8] = []
        PlanJSON.encode(plan, report: result.report).write(into: &bytes)
        XCTAssertEqual(try PlanJSON.decode(bytes), plan)
    }

    func testDriftPlansReadAsTheGoldenFilesShow() throws {
        let state = try applied()
        var azure = live(state)
        azure.policies[0] = changing(azure.policies[0], set("instantRestoreDays", .int(5)))
        azure.vaults[0] = changing(azure.vaults[0], set("tags", .object([("env", "dev")])))
        azure.securityRules = []
        let edited = Self.manifests.replacingOccurrences(of: "retention: {daily: 30}", with: "retention: {daily: 45}")
        let result = plan(edited, against: state, live: azure)
        let drift = try XCTUnwrap(result.plan)
        try assertGolden(PlanText.render(drift), "plans/drift.txt")
        try assertGolden(
            PlanMarkdown.render(drift, diagnostics: result.report.diagnostics, sources: result.report.sources), "plans/drift.md")
        try assertGolden(PlanText.render(Refreshed(stored: state, live: azure).driftPlan(from: state)), "plans/refresh-only.txt")
    }

    func testOnlyTheFieldsChangedOutsideAreMarkedWhenTheManifestsChangeToo() throws {
        let state = try applied()
        var azure = live(state)
        azure.policies[0] = changing(azure.policies[0], set("instantRestoreDays", .int(5)))
        let edited = Self.manifests.replacingOccurrences(of: "retention: {daily: 30}", with: "retention: {daily: 45}")
        let change = try XCTUnwrap(plan(edited, against: state, live: azure).plan?.changes.first)
        XCTAssertEqual(change.pathsChangedOutsideTresor, ["instantRestoreDays"])
        let text = PlanText.render(Plan(lineage: nil, serial: 0, changes: [change]))
        XCTAssertTrue(text.contains("    instantRestoreDays: 5 (in Azure, changed outside tresor) -> 2 (in the manifests)\n"), text)
        XCTAssertTrue(text.contains("    retention.daily: 30 -> 45\n"), text)
    }

    func testAResourceDeletedOutsideTresorIsCreatedAgain() throws {
        let state = try applied()
        var azure = live(state)
        azure.securityRules = []
        let plan = try XCTUnwrap(plan(against: state, live: azure).plan)
        XCTAssertEqual(summary(plan), ["create NetworkRule allow-backup (outside)"])
        XCTAssertEqual(plan.changes[0].reason, "deleted outside tresor; created again")
        XCTAssertTrue(PlanText.render(plan).contains("+ NetworkRule allow-backup (deleted outside tresor; created again)\n"))
    }

    func testAVaultDeletedOutsideTresorIsCreatedAgainWithEverythingInIt() throws {
        let state = try applied()
        var azure = live(state)
        azure.vaults = []
        azure.policies = []
        azure.items = []
        let plan = try XCTUnwrap(plan(against: state, live: azure).plan)
        XCTAssertEqual(
            summary(plan),
            [
                "create Vault rsv-prod-weu (outside)", "create BackupPolicy daily-30 (outside)",
                "create ProtectedItem web-01 (outside)"
            ])
    }

    func testResourcesTresorDoesNotManageAreNeverTouched() throws {
        let state = try applied()
        var azure = live(state)
        let vault = Self.vaultID
        azure.policies.append(
            StateResource(
                kind: .backupPolicy, id: vault + "/backupPolicies/hand-made", name: "hand-made",
                attributes: .object([("instantRestoreDays", .int(2))])))
        azure.policies.append(
            StateResource(
                kind: .backupPolicy, id: vault + "/backupPolicies/DefaultPolicy", name: "DefaultPolicy",
                attributes: .object([("instantRestoreDays", .int(2))])))
        azure.securityRules.append(
            StateResource(
                kind: .networkRule, id: Self.ruleID + "-by-hand", name: "allow-backup-by-hand",
                attributes: .object([("priority", .int(950))])))
        azure.items.append(
            LiveItem(
                StateResource(
                    kind: .protectedItem, id: Self.itemID.replacingOccurrences(of: "web-01", with: "db-01"),
                    name: "db-01", attributes: .object([])), softDeleted: false))
        let refreshed = Refreshed(stored: state, live: azure)
        XCTAssertFalse(refreshed.hasDrift)
        XCTAssertEqual(refreshed.state.count, state.count)
        XCTAssertEqual(try XCTUnwrap(plan(against: state, live: azure).plan).changes, [])
        // Deleting the vault counts the item tresor does not manage: Azure would refuse without it.
        let vaultOnly = try XCTUnwrap(
            plan(ExampleManifests.file(ExampleManifests.vault("rsv-prod-weu-2")), against: state, live: azure, allowDestroy: true).plan)
        let deletion = try XCTUnwrap(vaultOnly.changes.first { $0.kind == .vault && $0.action == .delete })
        XCTAssertTrue(deletion.reason.contains("it holds 2 protected items"), deletion.reason)
        XCTAssertFalse(vaultOnly.changes.contains { $0.name == "hand-made" || $0.name == "db-01" || $0.name == "allow-backup-by-hand" })
    }

    func testASoftDeletedItemIsDeletedForDriftButStillAnItemForTR104() throws {
        let state = try applied()
        var azure = live(state)
        azure.items[0].softDeleted = true
        azure.items[0].resource = changing(azure.items[0].resource, set("protectionState", "ProtectionStopped"))
        let plan = try XCTUnwrap(plan(against: state, live: azure).plan)
        XCTAssertEqual(summary(plan), ["create ProtectedItem web-01 (outside)"])
        let toLRS = Self.manifests.replacingOccurrences(
            of: "region: westeurope\n---\napiVersion: tresor/v1\nkind: BackupPolicy",
            with: "region: westeurope\nreplication: LRS\n---\napiVersion: tresor/v1\nkind: BackupPolicy")
        XCTAssertNotEqual(toLRS, Self.manifests)
        let refused = self.plan(toLRS, against: state, live: azure)
        XCTAssertEqual(errors(refused), ["TR104"])
        XCTAssertTrue(
            refused.report.diagnostics[0].message.hasSuffix("it holds 1 backup item in Azure"), refused.report.diagnostics[0].message)
    }

    func testItemsStateDoesNotKnowLockReplicationToo() throws {
        let manifests = ExampleManifests.file(ExampleManifests.vault())
        let state = try applied(manifests)
        var azure = live(state)
        XCTAssertEqual(errors(plan(manifests + "replication: LRS\n", against: state, live: azure)), [])
        azure.items.append(
            LiveItem(
                StateResource(kind: .protectedItem, id: Self.itemID, name: "web-01", attributes: .object([])),
                softDeleted: true))
        XCTAssertEqual(errors(plan(manifests + "replication: LRS\n", against: state, live: azure)), ["TR104"])
        // Without refresh, state knows no item: nothing to report.
        XCTAssertEqual(
            errors(Planning().plan(sources: [(path: "estate.yaml", text: manifests + "replication: LRS\n")], against: state)), [])
    }

    /// Azure clears a stopped item's policy (`policyId: ""`): that is not drift, state keeps
    /// the policy it recorded.
    func testAStoppedItemListedWithoutItsPolicyIsNotDrift() throws {
        var state = try applied()
        let item = try XCTUnwrap(state.resource(id: Self.itemID))
        state.set(changing(item, set("protectionState", "ProtectionStopped")))
        var azure = live(state)
        let index = try XCTUnwrap(azure.items.firstIndex { $0.resource.kind == .protectedItem })
        azure.items[index].resource = changing(azure.items[index].resource, set("policy", ""))
        XCTAssertFalse(Refreshed(stored: state, live: azure).hasDrift)
        // A policy Azure names otherwise is drift.
        azure.items[index].resource = changing(azure.items[index].resource, set("policy", "weekly-12"))
        XCTAssertTrue(Refreshed(stored: state, live: azure).hasDrift)
    }

    func testCrossRegionRestoreTurnedOnOutsideTresorCannotBeTurnedOff() throws {
        let state = try applied()
        var azure = live(state)
        azure.vaults[0] = changing(azure.vaults[0], set("crossRegionRestore", .bool(true)))
        XCTAssertEqual(codes(plan(against: state, live: azure)), ["TR105"])
    }

    func testRefreshOnlyPlanShowsOnlyTheDriftFromStateToAzure() throws {
        let state = try applied()
        var azure = live(state)
        azure.policies[0] = changing(azure.policies[0], set("instantRestoreDays", .int(5)))
        azure.securityRules = []
        let plan = Refreshed(stored: state, live: azure).driftPlan(from: state)
        XCTAssertTrue(plan.refreshOnly)
        XCTAssertEqual(summary(plan), ["update BackupPolicy daily-30 (outside)", "delete NetworkRule allow-backup (outside)"])
        let text = PlanText.render(plan)
        XCTAssertTrue(
            text.hasPrefix(
                "Refresh only: 1 changed outside tresor, 1 deleted outside tresor; "
                    + "applying records Azure's values in the state and changes nothing in Azure.\n"), text)
        XCTAssertTrue(text.contains("    instantRestoreDays: 2 (in state) -> 5 (in Azure)\n"), text)
        XCTAssertEqual(
            PlanText.render(Refreshed(stored: state, live: live(state)).driftPlan(from: state)),
            "No changes outside tresor: Azure holds what the state records.\n")
    }
}

/// Plan and apply through the commands with a fake Azure: refresh-only plans and applies,
/// --no-refresh, and a failed refresh.
final class RefreshCommandTests: XCTestCase {
    private var directory: URL!
    private var store: StateStore { StateStore(path: directory.appendingPathComponent("tresor.state.json").path) }
    private var manifests: String { directory.appendingPathComponent("estate").path }

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory()
        try FileManager.default.createDirectory(atPath: manifests, withIntermediateDirectories: true)
        try RefreshTests.manifests.write(toFile: manifests + "/estate.yaml", atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private static var silent: ApplyConsole { ApplyConsole(show: { _ in }, confirm: nil, progress: nil) }

    private func plan(_ azure: FakeAzure?, refreshOnly: Bool = false, format: PlanFormat = .text) async -> CommandOutput {
        var command = PlanCommand(paths: [manifests], store: store)
        if let azure { command.refresher = { @Sendable in .success(azure) } }
        command.refreshOnly = refreshOnly
        command.detailedExitCode = true
        command.format = format
        return await command.run()
    }

    private func apply(_ azure: any Provider, refreshes: Bool = true, refreshOnly: Bool = false) async -> CommandOutput {
        var command = ApplyCommand(paths: [manifests], planFile: nil, store: store, provider: azure)
        command.autoApprove = true
        command.refreshes = refreshes
        command.refreshOnly = refreshOnly
        return await command.run(Self.silent)
    }

    /// Applies the manifests with the recording provider; returns what Azure then holds.
    private func appliedEstate() async throws -> LiveEstate {
        let first = await apply(RecordingProvider())
        XCTAssertEqual(first.exitCode, ExitCode.success, first.stdout)
        return LiveEstate(holding: try store.load().state)
    }

    func testApplyRefreshOnlyRecordsAzuresValuesAndChangesNothingInAzure() async throws {
        var live = try await appliedEstate()
        let serial = try store.load().state.serial
        guard case .object(let members) = live.policies[0].attributes else { return XCTFail("attributes are an object") }
        live.policies[0].attributes = .object(members.map { $0.0 == "instantRestoreDays" ? ($0.0, .int(5)) : $0 })
        let azure = FakeAzure(live)

        let planned = await plan(azure, refreshOnly: true)
        XCTAssertEqual(planned.exitCode, ExitCode.changes)
        XCTAssertTrue(planned.stdout.contains("~ BackupPolicy daily-30 (changed outside tresor)\n"), planned.stdout)
        let json = await plan(azure, refreshOnly: true, format: .json)
        let document = try JSONDecoder().decode(PlanOutputTests.PlanDocument.self, from: Data(json.stdout.utf8))
        XCTAssertTrue(document.refreshOnly)
        XCTAssertEqual(document.changes.map(\.action), ["update"])

        let recorded = await apply(azure, refreshOnly: true)
        XCTAssertEqual(recorded.exitCode, ExitCode.success, recorded.stdout)
        XCTAssertTrue(recorded.stdout.contains("nothing in Azure was changed"), recorded.stdout)
        XCTAssertEqual(azure.performed, [])
        let state = try store.load().state
        XCTAssertEqual(state.serial, serial + 1)
        XCTAssertEqual(state.resource(id: live.policies[0].id)?.attributes["instantRestoreDays"], .int(5))

        let again = await plan(azure, refreshOnly: true)
        XCTAssertEqual(again.exitCode, ExitCode.success)
        XCTAssertEqual(again.stdout, "No changes outside tresor: Azure holds what the state records.\n")
        // The manifests still say 2: a normal plan takes Azure back to them, no longer as drift.
        let back = await plan(azure)
        XCTAssertTrue(back.stdout.contains("    instantRestoreDays: 5 -> 2\n"), back.stdout)
    }

    /// The applied estate, with its network rule deleted in Azure since.
    private func azureWithoutTheRule() async throws -> FakeAzure {
        var live = try await appliedEstate()
        live.securityRules = []
        return FakeAzure(live)
    }

    func testApplyPutsDriftBackAndTheNextPlanHasNoChanges() async throws {
        let azure = try await azureWithoutTheRule()
        let applied = await apply(azure)
        XCTAssertEqual(applied.exitCode, ExitCode.success, applied.stdout)
        XCTAssertEqual(azure.performed.map { "\($0.action.rawValue) \($0.name) \($0.changedOutsideTresor)" }, ["create allow-backup true"])
        XCTAssertEqual(azure.scopes.count, 1)
        let next = await plan(azure)
        XCTAssertEqual(next.exitCode, ExitCode.success, next.stdout)
        XCTAssertEqual(next.stdout, "No changes: the state matches the manifests.\n")
    }

    func testNoRefreshReadsNothing() async throws {
        let azure = try await azureWithoutTheRule()
        let planned = await plan(nil)
        XCTAssertEqual(planned.exitCode, ExitCode.success, planned.stdout)
        let applied = await apply(azure, refreshes: false)
        XCTAssertEqual(applied.exitCode, ExitCode.success, applied.stdout)
        XCTAssertEqual(azure.scopes, [])
        XCTAssertEqual(azure.performed, [])
    }

    func testAFailedRefreshIsTR605AndPlansNothing() async throws {
        _ = try await appliedEstate()
        let azure = FakeAzure(
            LiveEstate(),
            failure: ProviderFailure(
                message: "the vault cannot be read", httpStatus: 403,
                code: "AuthorizationFailed", correlationID: "c-1"))
        let output = await plan(azure)
        XCTAssertEqual(output.exitCode, ExitCode.failure)
        XCTAssertTrue(
            output.stdout.contains(
                "error[TR605]: cannot read what Azure holds (refresh): AuthorizationFailed: the vault cannot be read (HTTP 403)"),
            output.stdout)
        XCTAssertTrue(output.stdout.contains("x-ms-correlation-request-id: c-1"), output.stdout)
        XCTAssertTrue(output.stdout.contains("No plan: 1 error"), output.stdout)
    }

    /// Azure holds the whole estate, state nothing (a team adopting an estate, or a lost state):
    /// refresh reads the vault and NSG the manifests declare, the plan refuses to create over
    /// them (TR608, one per vault and NSG, at the manifest line), and `apply --refresh-only`
    /// adopts them without changing Azure; the next plan has no changes.
    func testWhatAzureAlreadyHoldsIsRefusedUntilARefreshOnlyApplyAdoptsIt() async throws {
        let live = try await appliedEstate()
        try FileManager.default.removeItem(atPath: store.path)
        let azure = FakeAzure(live)

        let refused = await plan(azure)
        XCTAssertEqual(refused.exitCode, ExitCode.failure, refused.stdout)
        XCTAssertEqual(azure.scopes.map(\.vaults.count), [0, 1])
        XCTAssertEqual(azure.scopes.last?.networkSecurityGroups.count, 1)
        let tr608 = refused.stdout.components(separatedBy: "\n").filter { $0.contains("[TR608]") }
            .map { String($0[$0.range(of: "error[")!.lowerBound...]) }
        XCTAssertEqual(
            tr608,
            [
                "error[TR608]: vault rsv-prod-weu already exists in Azure but not in state, with 1 backup policy and 1 protected item "
                    + "the manifests declare in it: creating it would overwrite what Azure holds",
                "error[TR608]: 1 security rule declared in NSG nsg-web already exists in Azure but not in state: creating it would overwrite what Azure holds"
            ], refused.stdout)
        XCTAssertTrue(refused.stdout.contains("estate.yaml:3:7: error[TR608]"), refused.stdout)
        XCTAssertTrue(refused.stdout.contains("`tresor apply --refresh-only` adopts it"), refused.stdout)

        let adoption = await plan(azure, refreshOnly: true)
        XCTAssertEqual(adoption.exitCode, ExitCode.changes, adoption.stdout)
        XCTAssertTrue(
            adoption.stdout.contains("+ Vault rsv-prod-weu (declared in the manifests and held by Azure: adopted)"), adoption.stdout)
        XCTAssertTrue(
            adoption.stdout.contains(
                "Refresh only: 0 changed outside tresor, 0 deleted outside tresor, "
                    + "4 declared in the manifests and held by Azure (adopted)"), adoption.stdout)
        let adopted = await apply(azure, refreshOnly: true)
        XCTAssertEqual(adopted.exitCode, ExitCode.success, adopted.stdout)
        XCTAssertEqual(azure.performed, [])
        XCTAssertEqual(try store.load().state.count, 4)

        let next = await plan(azure)
        XCTAssertEqual(next.stdout, "No changes: the state matches the manifests.\n")
    }

    /// A declared vault Azure does not have (the usual first plan) is simply created.
    func testADeclaredVaultAzureDoesNotHoldIsCreated() async throws {
        let azure = FakeAzure(LiveEstate())
        let planned = await plan(azure)
        XCTAssertEqual(planned.exitCode, ExitCode.changes, planned.stdout)
        XCTAssertFalse(planned.stdout.contains("TR608"), planned.stdout)
        XCTAssertTrue(planned.stdout.contains("Plan: 4 to create"), planned.stdout)
        XCTAssertEqual(azure.scopes.map(\.vaults.count), [0, 1])
    }

    /// Cross Region Restore is on in Azure for a declared vault state does not know: TR105's
    /// stored half reads Azure's value beside TR608.
    func testTR105ReadsAzuresCrossRegionRestoreOfADeclaredVault() async throws {
        var state = State()
        state.record(
            try XCTUnwrap(
                Planning().plan(
                    sources: [
                        (path: "v.yaml", text: ExampleManifests.file(ExampleManifests.vault("rsv-prod-weu", "crossRegionRestore: true")))
                    ],
                    against: state
                ).plan))
        try ExampleManifests.file(ExampleManifests.vault()).write(toFile: manifests + "/estate.yaml", atomically: true, encoding: .utf8)
        let refused = await plan(FakeAzure(LiveEstate(holding: state)))
        XCTAssertEqual(refused.exitCode, ExitCode.failure, refused.stdout)
        XCTAssertTrue(refused.stdout.contains("error[TR105]: crossRegionRestore of vault rsv-prod-weu is enabled"), refused.stdout)
        XCTAssertTrue(refused.stdout.contains("error[TR608]: vault rsv-prod-weu already exists in Azure"), refused.stdout)
    }

    /// Before the first apply, TR104 counts the items Azure holds in a declared vault (one
    /// tresor does not manage, one soft-deleted) against the manifests' replication.
    func testTR104CountsTheItemsOfADeclaredVaultBeforeTheFirstApply() async throws {
        var state = State()
        state.record(
            try XCTUnwrap(
                Planning().plan(sources: [(path: "v.yaml", text: ExampleManifests.file(ExampleManifests.vault()))], against: state).plan))
        var live = LiveEstate(holding: state)
        for (vm, softDeleted) in [("db-01", false), ("db-02", true)] {
            live.items.append(
                LiveItem(
                    StateResource(
                        kind: .protectedItem, id: RefreshTests.itemID.replacingOccurrences(of: "web-01", with: vm),
                        name: vm, attributes: .object([])), softDeleted: softDeleted))
        }
        try (ExampleManifests.file(ExampleManifests.vault()) + "replication: LRS\n").write(
            toFile: manifests + "/estate.yaml", atomically: true, encoding: .utf8)
        let refused = await plan(FakeAzure(live))
        XCTAssertEqual(refused.exitCode, ExitCode.failure, refused.stdout)
        XCTAssertTrue(
            refused.stdout.contains(
                "error[TR104]: replication of vault rsv-prod-weu cannot change from GRS to LRS: it holds 2 backup items in Azure"),
            refused.stdout)
        XCTAssertTrue(refused.stdout.contains("error[TR608]: vault rsv-prod-weu already exists in Azure"), refused.stdout)
    }
}
