import Foundation
import Synchronization
import XCTest

@testable import TresorAzure
@testable import TresorModel
@testable import TresorPlan
@testable import TresorState
@testable import TresorSupport

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The Azure provider against the ARM emulator (Tests/Emulator), which checks every request
/// body against the official schema, runs long-running operations, throttles, injects faults and
/// refuses what Azure refuses. After every test the emulator must have recorded no contract
/// violation.
final class AzureProviderScenarioTests: XCTestCase {
    private var emulator: EmulatorProcess?

    override func tearDown() async throws {
        if let emulator {
            defer { emulator.stop() }
            let violations = try await control(emulator, "/_emulator/violations")
            XCTAssertEqual(violations, .array([]), "requests outside the official schema: \(violations.rendered())")
        }
    }

    // MARK: Fixture

    private static let subscription = "1f0c5c6e-0000-4000-8000-00000000a001"
    private static let vaultID = ResourceID.vault(subscription: subscription, resourceGroup: "rg-backup", name: "rsv-weu")
    private static let nsgID = ResourceID.networkSecurityGroup(subscription: subscription, resourceGroup: "rg-net", name: "nsg-web")

    /// Started here, on the main thread: a process spawned from a concurrency thread inherits
    /// its blocked signals and would not stop on SIGTERM.
    override func setUpWithError() throws {
        emulator = try EmulatorProcess()
    }

    /// The test's emulator, with `options` (the command line's, by name) set first.
    private func start(_ options: String = "{}") async throws -> EmulatorProcess {
        let emulator = try XCTUnwrap(self.emulator)
        _ = try await control(emulator, "/_emulator/config", method: "POST", body: options)
        return emulator
    }

    private func connect(
        _ emulator: EmulatorProcess, parallelism: Int? = nil, pacing: Bool = true,
        timeout: Double = 60, log: (@Sendable (String) -> Void)? = nil
    ) async throws -> AzureProvider {
        let environment = emulator.signInEnvironment
        let settings = AzureSettings(
            cloud: AzureCloud.named("AzureCloud")!, parallelism: parallelism, timeout: timeout,
            pacing: pacing, log: log)
        switch await AzureProvider.connect(settings: settings, environment: environment) {
        case .success(let provider): return provider
        case .failure(let failure): throw XCTSkip("cannot connect: \(failure.diagnostic.message)")
        }
    }

    private func json(_ text: String) -> JSON { try! JSONReader.parse(text) }

    /// The emulator's control API; its answers carry fractions (request times), which
    /// `ResponseJSON` reads.
    private func control(_ emulator: EmulatorProcess, _ path: String, method: String = "GET", body: String? = nil) async throws -> JSON {
        var request = URLRequest(url: URL(string: emulator.baseURL + path)!)
        request.httpMethod = method
        request.httpBody = body.map { Data($0.utf8) }
        let (data, _) = try await URLSession.shared.data(for: request)
        return try XCTUnwrap(ResponseJSON.parse([UInt8](data)), path)
    }

    private func change(
        _ action: PlanAction, _ kind: ManagedKind, id: String, name: String,
        before: JSON? = nil, after: JSON?
    ) -> PlannedChange {
        PlannedChange(
            action: action, kind: kind, id: id, name: name, destructive: action == .delete,
            reason: "test", before: before, after: after)
    }

    private func vault(
        _ action: PlanAction = .create, replication: String = "GRS", before: JSON? = nil,
        vaultID: String = AzureProviderScenarioTests.vaultID
    ) -> PlannedChange {
        change(
            action, .vault, id: vaultID, name: ARMPaths.name(in: vaultID), before: before,
            after: action == .delete
                ? nil
                : json(
                    """
                    {"region":"westeurope","replication":"\(replication)","crossRegionRestore":false,"tags":{"env":"prod"}}
                    """))
    }

    private func policy(_ name: String = "daily-30", time: String = "19:00", vaultID: String = AzureProviderScenarioTests.vaultID)
        -> PlannedChange
    {
        change(
            .create, .backupPolicy, id: ResourceID.backupPolicy(vaultID: vaultID, name: name), name: name,
            after: json(
                """
                {"schedule":{"frequency":"Daily","time":"\(time)","timeZone":"UTC"},"instantRestoreDays":2,
                 "retention":{"daily":30,"weekly":{"weeks":12,"days":["Sunday"]},"monthly":{"months":12,"daysOfMonth":["1","Last"]}}}
                """))
    }

    private static func vmID(_ vm: String) -> String {
        ResourceID.virtualMachine(subscription: subscription, resourceGroup: "rg-web", name: vm)
    }

    private func item(
        _ vm: String, _ action: PlanAction = .create, policy: String = "daily-30",
        vaultID: String = AzureProviderScenarioTests.vaultID
    ) -> PlannedChange {
        let attributes = json(#"{"vm":"\#(Self.vmID(vm))","policy":"\#(policy)","protectionState":"Protected"}"#)
        let after: JSON? =
            switch action {
            case .delete: nil
            case .stopProtection: attributes.setting("protectionState", "ProtectionStopped")
            default: attributes
            }
        return change(
            action, .protectedItem, id: ResourceID.protectedItem(vaultID: vaultID, vmResourceGroup: "rg-web", vmName: vm),
            name: vm, before: action == .create ? nil : attributes, after: after)
    }

    private func rule(_ name: String, priority: Int) -> PlannedChange {
        change(
            .create, .networkRule, id: ResourceID.securityRule(nsgID: Self.nsgID, name: name), name: name,
            after: json(
                """
                {"direction":"Outbound","access":"Allow","priority":\(priority),"protocol":"Tcp","source":["VirtualNetwork"],
                 "sourcePorts":["*"],"destination":["Storage.westeurope"],"destinationPorts":["443","8443"]}
                """))
    }

    private func seed(_ emulator: EmulatorProcess, _ resources: [(String, String)]) async throws {
        let entries = resources.map { #"{"id":"\#($0.0)","body":\#($0.1)}"# }.joined(separator: ",")
        _ = try await control(emulator, "/_emulator/seed", method: "POST", body: #"{"resources":[\#(entries)]}"#)
    }

    private func seedNSG(_ emulator: EmulatorProcess, rules: String = "[]") async throws {
        try await seed(emulator, [(Self.nsgID, #"{"location":"westeurope","properties":{"securityRules":\#(rules)}}"#)])
    }

    /// Performs the changes at most `provider.inFlightLimit` at a time, as the applier does.
    private func run(_ changes: [PlannedChange], with provider: AzureProvider) async -> [Result<StateResource?, ProviderFailure>] {
        let context = ApplyContext(State())
        return await withTaskGroup(of: (Int, Result<StateResource?, ProviderFailure>).self) { group in
            var results = [Result<StateResource?, ProviderFailure>?](repeating: nil, count: changes.count)
            var next = 0
            var running = 0
            while next < changes.count || running > 0 {
                while next < changes.count, running < provider.inFlightLimit {
                    let (index, change) = (next, changes[next])
                    group.addTask {
                        do throws(ProviderFailure) { return (index, .success(try await provider.perform(change, context: context))) } catch
                        { return (index, .failure(error)) }
                    }
                    next += 1
                    running += 1
                }
                if let (index, result) = await group.next() {
                    results[index] = result
                    running -= 1
                }
            }
            return results.map { $0! }
        }
    }

    private func performSucceeding(
        _ changes: [PlannedChange], with provider: AzureProvider,
        file: StaticString = #filePath, line: UInt = #line
    ) async throws -> [StateResource?] {
        try await run(changes, with: provider).map { result in
            if case .failure(let failure) = result { XCTFail("refused: \(failure)", file: file, line: line) }
            return try result.get()
        }
    }

    private func failure(of change: PlannedChange, with provider: AzureProvider) async throws -> ProviderFailure {
        guard case .failure(let failure) = await run([change], with: provider)[0] else {
            XCTFail("\(change.action) \(change.name) was not refused")
            throw XCTSkip()
        }
        return failure
    }

    private func resources(_ emulator: EmulatorProcess) async throws -> JSON {
        try await control(emulator, "/_emulator/resources")
    }

    private func requests(_ emulator: EmulatorProcess, _ method: String, matching fragment: String) async throws -> [JSON] {
        let rows = try await control(emulator, "/_emulator/requests?kind=arm").arrayValue ?? []
        return rows.filter {
            $0["method"]?.stringValue == method && ($0["path"]?.stringValue ?? "").lowercased().contains(fragment.lowercased())
        }
    }

    private func count429(_ emulator: EmulatorProcess) async throws -> Int {
        try await control(emulator, "/_emulator/stats")["byStatus"]?["429"]?.intValue ?? 0
    }

    // MARK: Convergence

    func testVaultPolicyRuleAndItemsConvergeAndApplyingAgainChangesNothing() async throws {
        let emulator = try await start()
        try await seedNSG(emulator)
        let provider = try await connect(emulator)
        let vms = (1...6).map { "vm-\($0)" }
        let plan = [[vault()], [policy(), rule("allow-backup", priority: 900)], vms.map { item($0) }]
        for layer in plan {
            let recorded = try await performSucceeding(layer, with: provider)
            for (change, resource) in zip(layer, recorded) {
                XCTAssertEqual(resource?.attributes, change.after, "\(change.kind) \(change.name) recorded as planned")
                XCTAssertEqual(resource?.id, change.id)
            }
        }
        let held = try await resources(emulator)
        let storedVault = held[ResourceID.key(Self.vaultID)]
        XCTAssertEqual(storedVault?["location"], "westeurope")
        XCTAssertEqual(storedVault?["properties"]?["redundancySettings"]?["standardTierStorageRedundancy"], "GeoRedundant")
        let storedPolicy = held[ResourceID.key(policy().id)]
        XCTAssertEqual(storedPolicy?["properties"]?["schedulePolicy"]?["scheduleRunTimes"], json(#"["2018-01-24T19:00:00Z"]"#))
        XCTAssertEqual(
            held[ResourceID.key(rule("allow-backup", priority: 900).id)]?["properties"]?["destinationPortRanges"],
            json(#"["443","8443"]"#))
        for vm in vms {
            let stored = held[ResourceID.key(item(vm).id)]?["properties"]
            XCTAssertEqual(stored?["protectionState"], "Protected", vm)
            XCTAssertEqual(stored?["policyId"]?.stringValue.map(ResourceID.key), ResourceID.key(policy().id), vm)
        }

        // Applying the same changes again (a run that died before recording them) converges
        // without writing the items again.
        let itemPuts = try await requests(emulator, "PUT", matching: "/protectedItems/").count
        XCTAssertEqual(itemPuts, vms.count)
        for layer in plan { _ = try await performSucceeding(layer, with: provider) }
        let itemPutsAfter = try await requests(emulator, "PUT", matching: "/protectedItems/").count
        XCTAssertEqual(itemPutsAfter, itemPuts)
        let vaultPuts = try await requests(emulator, "PUT", matching: "/vaults/rsv-weu").filter {
            !($0["path"]?.stringValue ?? "").contains("/backup")
        }
        XCTAssertEqual(vaultPuts.count, 1, "an existing vault is not PUT again")
    }

    func testUpdatesStopProtectionAndDeletesReachAzure() async throws {
        let emulator = try await start(#"{"lro_style":"location"}"#)
        let provider = try await connect(emulator)
        _ = try await performSucceeding([vault()], with: provider)
        _ = try await performSucceeding([policy(), policy("weekly")], with: provider)
        _ = try await performSucceeding([item("vm-1"), item("vm-2"), item("vm-3")], with: provider)

        var retime = policy(time: "21:30")
        retime.action = .update
        retime.before = policy().after
        var move = item("vm-1", .update, policy: "weekly")
        move.before = item("vm-1").after
        let retagged = vault(.update, before: vault().after).with(after: vault().after!.setting("tags", json(#"{"env":"test"}"#)))
        let recorded = try await performSucceeding(
            [retime, move, item("vm-2", .stopProtection), item("vm-3", .delete), retagged],
            with: provider)
        XCTAssertEqual(recorded[0]?.attributes["schedule"]?["time"], "21:30")
        XCTAssertEqual(recorded[1]?.attributes["policy"], "weekly")
        XCTAssertEqual(recorded[2]?.attributes["protectionState"], "ProtectionStopped")
        XCTAssertNil(recorded[3] ?? nil)
        XCTAssertEqual(recorded[4]?.attributes["tags"], json(#"{"env":"test"}"#))

        let held = try await resources(emulator)
        XCTAssertEqual(
            held[ResourceID.key(item("vm-1").id)]?["properties"]?["policyId"]?.stringValue.map(ResourceID.key),
            ResourceID.key(policy("weekly").id))
        XCTAssertEqual(held[ResourceID.key(item("vm-2").id)]?["properties"]?["protectionState"], "ProtectionStopped")
        XCTAssertEqual(held[ResourceID.key(item("vm-3").id)]?["properties"]?["isScheduledForDeferredDelete"], .bool(true))
        XCTAssertEqual(held[ResourceID.key(Self.vaultID)]?["tags"], json(#"{"env":"test"}"#))
        let patches = try await requests(emulator, "PATCH", matching: "/vaults/rsv-weu")
        XCTAssertEqual(patches.count, 1, "a vault update is a PATCH")
        // Deleting what is gone already (a soft-deleted item) is done without a request that fails.
        _ = try await performSucceeding([item("vm-3", .delete)], with: provider)
    }

    func testSoftDeletedItemIsUndeletedBeforeItIsProtectedAgain() async throws {
        let emulator = try await start()
        let provider = try await connect(emulator)
        _ = try await performSucceeding([vault()], with: provider)
        _ = try await performSucceeding([policy()], with: provider)
        try await seed(
            emulator,
            [
                (
                    item("vm-1").id,
                    #"""
                    {"properties":{"sourceResourceId":"\#(Self.vmID("vm-1"))","isScheduledForDeferredDelete":true,"protectionState":"ProtectionStopped"}}
                    """#
                )
            ])
        let recorded = try await performSucceeding([item("vm-1")], with: provider)
        XCTAssertEqual(recorded[0]?.attributes, item("vm-1").after)
        let puts = try await requests(emulator, "PUT", matching: "/protectedItems/")
        XCTAssertEqual(puts.map { $0["status"]?.intValue }, [202, 202], "undelete, then protect; neither refused")
        let stored = try await resources(emulator)[ResourceID.key(item("vm-1").id)]?["properties"]
        XCTAssertNotEqual(stored?["isScheduledForDeferredDelete"], .bool(true))
        XCTAssertEqual(stored?["protectionState"], "Protected")
    }

    // MARK: Refusals

    private func assertRefusal(
        _ failure: ProviderFailure, status: Int, code: String, message fragment: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(failure.httpStatus, status, file: file, line: line)
        XCTAssertEqual(failure.code, code, file: file, line: line)
        XCTAssertTrue(failure.message.contains(fragment), "message: \(failure.message)", file: file, line: line)
        XCTAssertEqual(failure.correlationID?.count, 36, "correlation ID \(failure.correlationID ?? "none")", file: file, line: line)
        XCTAssertFalse(failure.retryable, file: file, line: line)
    }

    func testRedundancyChangeAndDeletionOfAVaultHoldingItemsAreRefused() async throws {
        let emulator = try await start()
        let provider = try await connect(emulator)
        _ = try await performSucceeding([vault()], with: provider)
        _ = try await performSucceeding([policy()], with: provider)
        _ = try await performSucceeding([item("vm-1")], with: provider)

        let toLRS = vault(.update, replication: "LRS", before: vault().after)
        assertRefusal(
            try await failure(of: toLRS, with: provider), status: 400, code: "StorageModelModifyError",
            message: "Storage Redundancy option is locked")
        assertRefusal(
            try await failure(of: vault(.delete, before: vault().after), with: provider), status: 400,
            code: "ServiceResourceNotEmptyWithContainerDetails", message: "cannot be deleted")

        // With only a soft-deleted item left, Azure still refuses: reported once, not retried.
        _ = try await performSucceeding([item("vm-1", .delete)], with: provider)
        assertRefusal(
            try await failure(of: vault(.delete, before: vault().after), with: provider), status: 400,
            code: "ServiceResourceNotEmpty", message: "soft deleted state")
        let deletes = try await requests(emulator, "DELETE", matching: "/vaults/rsv-weu").filter {
            !($0["path"]?.stringValue ?? "").contains("/backup")
        }
        XCTAssertEqual(deletes.count, 2)
    }

    func testSecurityRuleConflictIsRefused() async throws {
        let emulator = try await start()
        try await seedNSG(
            emulator,
            rules: #"""
                [{"name":"Deny_All_Outbound","properties":{"protocol":"*","sourcePortRange":"*","destinationPortRange":"*",
                  "sourceAddressPrefix":"*","destinationAddressPrefix":"*","access":"Deny","priority":900,"direction":"Outbound"}}]
                """#)
        let provider = try await connect(emulator)
        assertRefusal(
            try await failure(of: rule("allow-backup", priority: 900), with: provider), status: 400,
            code: "SecurityRuleConflict", message: "same Priority and Direction")
    }

    func testVMRegisteredToAnotherVaultFailsInsideTheOperation() async throws {
        let emulator = try await start()
        let otherVault = ResourceID.vault(subscription: Self.subscription, resourceGroup: "rg-backup", name: "rsv-other")
        let provider = try await connect(emulator)
        _ = try await performSucceeding([vault(), vault(vaultID: otherVault)], with: provider)
        _ = try await performSucceeding([policy(), policy(vaultID: otherVault)], with: provider)
        _ = try await performSucceeding([item("vm-1", vaultID: otherVault)], with: provider)
        let failure = try await failure(of: item("vm-1"), with: provider)
        assertRefusal(
            failure, status: 202, code: "UserErrorVmAlreadyRegisteredToAnotherVault",
            message: "already registered")
    }

    // MARK: Throttling, faults, tokens

    /// Small buckets (writes 20 + 20/s, reads 40 + 40/s) and 150 items 100 at a time: paced, a
    /// 429 is rare; unpaced (the control), they come in dozens.
    func testThrottlingIsPacedByTheRemainingBudget() async throws {
        let emulator = try await start(#"{"write_burst":20,"write_refill":20,"read_burst":40,"read_refill":40,"operation_seconds":0.5}"#)
        let vms = (1...150).map { "vm-\($0)" }
        let paced = try await connect(emulator, parallelism: 100)
        _ = try await performSucceeding([vault()], with: paced)
        _ = try await performSucceeding([policy()], with: paced)
        let notes = Task {
            var seen: Set<String> = []
            while !Task.isCancelled {
                if let note = paced.progressNote { seen.insert(note) }
                try? await Task.sleep(nanoseconds: 20_000_000)
            }
            return seen
        }
        _ = try await performSucceeding(vms.map { item($0) }, with: paced)
        notes.cancel()
        let seenNotes = await notes.value
        XCTAssertEqual(seenNotes, ["waiting on throttling"])
        XCTAssertNil(paced.progressNote, "nothing waits once the changes are done")
        let pacedThrottled = try await count429(emulator)
        XCTAssertLessThanOrEqual(pacedThrottled, 5, "429s with pacing")

        let violations = try await control(emulator, "/_emulator/violations")
        XCTAssertEqual(violations, .array([]))
        _ = try await control(emulator, "/_emulator/reset", method: "POST", body: "{}")
        let unpaced = try await connect(emulator, parallelism: 100, pacing: false)
        _ = try await performSucceeding([vault()], with: unpaced)
        _ = try await performSucceeding([policy()], with: unpaced)
        _ = try await performSucceeding(vms.map { item($0) }, with: unpaced)
        let unpacedThrottled = try await count429(emulator)
        XCTAssertGreaterThan(unpacedThrottled, 20, "429s without pacing (the control)")
        let items = try await resources(emulator).objectMembers?.filter { $0.0.contains("/protecteditems/") }.count
        XCTAssertEqual(items, vms.count, "every item created despite the 429s")
    }

    func testAutoParallelismGrowsWhileTheBudgetHasRoom() async throws {
        let emulator = try await start(#"{"operation_seconds":0.5}"#)
        let provider = try await connect(emulator)
        XCTAssertEqual(provider.inFlightLimit, InFlightLimit.initial)
        _ = try await performSucceeding([vault()], with: provider)
        _ = try await performSucceeding([policy()], with: provider)
        _ = try await performSucceeding((1...40).map { item("vm-\($0)") }, with: provider)
        XCTAssertGreaterThan(provider.inFlightLimit, InFlightLimit.initial + 40)
        let fixed = try await connect(emulator, parallelism: 7)
        XCTAssertEqual(fixed.inFlightLimit, 7)
    }

    func testInjectedServerErrorsAndDroppedConnectionsAreRetried() async throws {
        let emulator = try await start()
        let provider = try await connect(emulator)
        _ = try await performSucceeding([vault()], with: provider)
        _ = try await performSucceeding([policy()], with: provider)
        _ = try await control(
            emulator, "/_emulator/faults", method: "POST",
            body: #"""
                [{"method":"PUT","path":"protectedItems","status":503,"count":2},
                 {"method":"GET","path":"protectedItems","drop":true,"count":1},
                 {"method":"GET","path":"operationsStatus","status":500,"count":1},
                 {"method":"PUT","path":"protectedItems","drop":true,"after":"response","count":1}]
                """#)
        let recorded = try await performSucceeding([item("vm-1")], with: provider)
        XCTAssertEqual(recorded[0]?.attributes, item("vm-1").after)
        let statuses = try await requests(emulator, "PUT", matching: "/protectedItems/").compactMap { $0["status"]?.intValue }
        XCTAssertEqual(statuses.filter { $0 == 503 }.count, 2)
        XCTAssertEqual(statuses.last, 202)
        let stored = try await resources(emulator)[ResourceID.key(item("vm-1").id)]
        XCTAssertEqual(stored?["properties"]?["protectionState"], "Protected")
    }

    func testServerErrorsPastTheTimeoutFailAsRetryable() async throws {
        let emulator = try await start()
        let provider = try await connect(emulator, timeout: 3)
        _ = try await control(
            emulator, "/_emulator/faults", method: "POST", body: #"{"method":"PUT","path":"vaults","status":503,"count":100}"#)
        let failure = try await failure(of: vault(), with: provider)
        XCTAssertTrue(failure.retryable)
        XCTAssertEqual(failure.httpStatus, 503)
        XCTAssertNotNil(failure.correlationID)
    }

    func testExpiredTokenIsRenewedOnce() async throws {
        let emulator = try await start()
        let provider = try await connect(emulator)
        _ = try await performSucceeding([vault()], with: provider)
        _ = try await control(emulator, "/_emulator/expire-tokens", method: "POST", body: "{}")
        _ = try await performSucceeding([policy(), policy("weekly"), policy("monthly")], with: provider)
        let tokenRequests = try await control(emulator, "/_emulator/requests?kind=token").arrayValue ?? []
        XCTAssertEqual(tokenRequests.count, 2, "one sign-in, one renewal shared by the requests that got a 401")
        let unauthorized = try await control(emulator, "/_emulator/requests?kind=arm").arrayValue?.filter { $0["status"]?.intValue == 401 }
        XCTAssertGreaterThan(unauthorized?.count ?? 0, 0)
    }

    func testVerboseLogNamesEachRequestAndNoSecret() async throws {
        let emulator = try await start()
        let lines = LogLines()
        let provider = try await connect(emulator, log: { lines.append($0) })
        _ = try await performSucceeding([vault()], with: provider)
        let logged = lines.all
        XCTAssertTrue(
            logged.first?.hasPrefix("signed in with client secret (AZURE_CLIENT_SECRET); Resource Manager at http://127.0.0.1:") == true,
            logged.first ?? "nothing logged")
        let vaultPath = emulator.baseURL + Self.vaultID
        XCTAssertTrue(logged.contains { $0.hasPrefix("GET \(vaultPath)?api-version=2026-08-01 404 in ") && $0.contains("(correlation ") })
        XCTAssertTrue(logged.contains { $0.hasPrefix("PUT \(vaultPath)?api-version=2026-08-01 201 in ") })
        XCTAssertTrue(logged.contains { $0.hasPrefix("GET \(vaultPath)/operationStatus/") && $0.contains(" 200 in ") })
        let issued = try await control(emulator, "/_emulator/requests?kind=token").arrayValue?.count
        XCTAssertEqual(issued, 1)
        for line in logged {
            XCTAssertFalse(line.contains("emulator-secret") || line.lowercased().contains("bearer") || line.contains("eyJ"), line)
        }
    }

    func testNoCredentialsFailsBeforeAnyRequest() async throws {
        let emulator = try await start()
        let settings = AzureSettings(cloud: AzureCloud.named("AzureCloud")!)
        let environment = [
            "TRESOR_ARM_ENDPOINT": emulator.baseURL, "PATH": "/nonexistent",
            "AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://127.0.0.1:\(EmulatorProcess.closedPort())"
        ]
        guard case .failure(let failure) = await AzureProvider.connect(settings: settings, environment: environment) else {
            return XCTFail("connected without credentials")
        }
        XCTAssertTrue(failure.diagnostic.message.contains("cannot sign in"), failure.diagnostic.message)
        XCTAssertFalse(failure.diagnostic.notes.isEmpty, "names what it tried")
        let requests = try await control(emulator, "/_emulator/requests?kind=arm&kind=token").arrayValue
        XCTAssertEqual(requests?.count, 0)
    }
}

/// Log lines collected from any thread.
private final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

extension PlannedChange {
    fileprivate func with(after: JSON) -> PlannedChange {
        var copy = self
        copy.after = after
        return copy
    }
}
