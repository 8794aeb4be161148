import Foundation
import Synchronization
import XCTest

@testable import TresorModel
@testable import TresorPlan
@testable import TresorState

/// The applier's scheduling: dependencies, parallel changes, the order of what it reports.
final class ApplierTests: XCTestCase {
    private var directory: URL!
    private var store: StateStore!

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory()
        store = StateStore(path: directory.appendingPathComponent("tresor.state.json").path)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Two vaults, each with a policy and three protected VMs, and two rules on one NSG.
    private var estate: String {
        var text = ""
        for vault in ["rsv-a", "rsv-b"] {
            text += """
                apiVersion: tresor/v1
                kind: Vault
                name: \(vault)
                subscription: 1f0c5c6e-0000-4000-8000-00000000a001
                resourceGroup: rg-backup
                region: westeurope
                ---
                apiVersion: tresor/v1
                kind: BackupPolicy
                name: daily-\(vault)
                vault: \(vault)
                schedule: {frequency: Daily, time: "19:00"}
                retention: {daily: 30}
                ---
                apiVersion: tresor/v1
                kind: Protection
                vault: \(vault)
                policy: daily-\(vault)
                vms: [\(vault)-vm1, \(vault)-vm2, \(vault)-vm3]
                ---

                """
            for vm in 1...3 {
                text += """
                    apiVersion: tresor/v1
                    kind: VirtualMachine
                    name: \(vault)-vm\(vm)
                    subscription: 1f0c5c6e-0000-4000-8000-00000000a001
                    resourceGroup: rg-app
                    region: westeurope
                    os: {type: Windows, version: "2019"}
                    agent: {installed: true, version: "2.7.41491.1102"}
                    ---

                    """
            }
        }
        return text + """
            apiVersion: tresor/v1
            kind: NetworkSecurityGroup
            name: nsg-app
            subscription: 1f0c5c6e-0000-4000-8000-00000000a001
            resourceGroup: rg-app
            region: westeurope
            ---
            apiVersion: tresor/v1
            kind: NetworkRule
            nsg: nsg-app
            name: allow-backup
            direction: Outbound
            access: Allow
            priority: 200
            protocol: Tcp
            sourcePorts: "*"
            destinationPorts: ["443"]
            source: VirtualNetwork
            destination: AzureBackup
            ---
            apiVersion: tresor/v1
            kind: NetworkRule
            nsg: nsg-app
            name: allow-storage
            direction: Outbound
            access: Allow
            priority: 210
            protocol: Tcp
            sourcePorts: "*"
            destinationPorts: ["443"]
            source: VirtualNetwork
            destination: Storage.westeurope

            """
    }

    private func plan() throws -> Plan {
        let result = Planning().plan(sources: [(path: "estate.yaml", text: estate)], against: State())
        return try XCTUnwrap(result.plan, TextRenderer(colored: false).render(result.report))
    }

    func testDependenciesPointAtParentsAndSerialiseRulesOfOneNSG() throws {
        let plan = try plan()
        let changes = plan.changes
        let dependencies = plan.dependencies()
        func index(_ name: String) throws -> Int { try XCTUnwrap(changes.firstIndex { $0.name == name }, name) }
        for vault in ["rsv-a", "rsv-b"] {
            XCTAssertEqual(dependencies[try index(vault)], [])
            XCTAssertEqual(dependencies[try index("daily-\(vault)")], [try index(vault)])
            for vm in 1...3 {
                XCTAssertEqual(dependencies[try index("\(vault)-vm\(vm)")], [try index(vault), try index("daily-\(vault)")])
            }
        }
        XCTAssertEqual(dependencies[try index("allow-backup")], [])
        XCTAssertEqual(dependencies[try index("allow-storage")], [try index("allow-backup")])
    }

    func testRemovalsWaitForWhatTheVaultHolds() throws {
        var state = State()
        state.record(try plan())
        let result = Planning(allowDestroy: true).plan(sources: [(path: "empty.yaml", text: "")], against: state)
        let plan = try XCTUnwrap(result.plan)
        let changes = plan.changes
        let dependencies = plan.dependencies()
        let vault = try XCTUnwrap(changes.firstIndex { $0.name == "rsv-a" })
        let contents = changes.indices.filter { changes[$0].id.hasPrefix(changes[vault].id + "/") }
        XCTAssertEqual(contents.count, 4, "a policy and three items")
        XCTAssertEqual(Set(dependencies[vault]), Set(contents))
        let policy = try XCTUnwrap(changes.firstIndex { $0.name == "daily-rsv-a" })
        XCTAssertEqual(Set(dependencies[policy]), Set(contents.filter { changes[$0].kind == .protectedItem }))
    }

    /// Finishes changes after random short delays, many at once, and records when each started
    /// and finished.
    private final class ConcurrentProvider: Provider {
        let events = Guarded<[(String, Bool)]>([])
        let running = Guarded((now: 0, most: 0))
        var banner: String? { nil }
        var inFlightLimit: Int { 8 }
        var progressNote: String? { nil }

        func perform(_ change: PlannedChange, context: ApplyContext) async throws(ProviderFailure) -> StateResource? {
            events.withLock { $0.append((change.name, false)) }
            running.withLock {
                $0.now += 1
                $0.most = max($0.most, $0.now)
            }
            try? await Task.sleep(nanoseconds: UInt64.random(in: 1...20) * 1_000_000)
            running.withLock { $0.now -= 1 }
            events.withLock { $0.append((change.name, true)) }
            return change.after.map { StateResource(kind: change.kind, id: change.id, name: change.name, attributes: $0) }
        }
    }

    /// A value behind a pthread mutex (NSLock). Not Synchronization's Mutex: on Linux its
    /// contended hand-over happens in the kernel, which ThreadSanitizer does not see, so it would
    /// report races on the value when these tasks contend for it.
    private final class Guarded<Value>: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Value

        init(_ value: Value) { self.value = value }

        func withLock<T>(_ body: (inout Value) -> T) -> T {
            lock.lock()
            defer { lock.unlock() }
            return body(&value)
        }
    }

    func testChangesRunAtOnceAfterTheirDependenciesAndAreReportedInPlanOrder() async throws {
        let plan = try plan()
        let provider = ConcurrentProvider()
        let lines = Mutex<[String]>([])
        var state = State()
        try await Applier(store: store, provider: provider, finished: { line in lines.withLock { $0.append(line) } })
            .apply(plan, to: &state)

        let events = provider.events.withLock { $0 }
        for (change, dependencies) in zip(plan.changes, plan.dependencies()) {
            let started = try XCTUnwrap(events.firstIndex { $0.0 == change.name && !$0.1 })
            for dependency in dependencies {
                let finished = try XCTUnwrap(events.firstIndex { $0.0 == plan.changes[dependency].name && $0.1 })
                XCTAssertLessThan(finished, started, "\(change.name) started before \(plan.changes[dependency].name) finished")
            }
        }
        XCTAssertGreaterThan(provider.running.withLock { $0.most }, 1, "independent changes ran at once")
        XCTAssertEqual(
            lines.withLock { $0 }.map { $0.components(separatedBy: ":")[0] },
            plan.changes.map { "\($0.kind.rawValue) \($0.name)" })
        XCTAssertEqual(try store.load().state.count, plan.changes.count)
    }

    /// A provider that refuses everything.
    private struct RefusingEverything: Provider {
        var banner: String? { nil }
        var inFlightLimit: Int { 4 }
        var progressNote: String? { nil }

        func perform(_ change: PlannedChange, context: ApplyContext) async throws(ProviderFailure) -> StateResource? {
            throw ProviderFailure(message: "denied", httpStatus: 403, code: "AuthorizationFailed")
        }
    }

    func testAnApplyThatConfirmsNothingLeavesTheStateAsItWas() async throws {
        let plan = try plan()
        var state = State()
        do {
            try await Applier(store: store, provider: RefusingEverything()).apply(plan, to: &state)
            XCTFail("every change is refused")
        } catch {
            XCTAssertEqual(error.diagnostic.code, "TR605")
            XCTAssertTrue(error.diagnostic.message.contains("AuthorizationFailed: denied (HTTP 403)"), error.diagnostic.message)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.path), "no state written")
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.journalPath), "no journal left")
    }
}
