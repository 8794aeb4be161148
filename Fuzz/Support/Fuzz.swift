@testable import TresorFrontEnd
@testable import TresorModel
@testable import TresorPlan
@testable import TresorState
@testable import TresorSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the fuzz targets share. Each target is a libFuzzer entry point over one parser of
/// outside input, built by `scripts/fuzz.sh` with AddressSanitizer; an input that breaks a
/// property stops the run through `expect`, and libFuzzer keeps it as a crash.
public enum Fuzz {
    /// A target's entry point, as libFuzzer calls it: the input, its size; returns 0.
    public typealias Target = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

    /// Runs libFuzzer with the process's arguments on `target`. SwiftPM gives every executable its
    /// own `main`, which shadows libFuzzer's, so each target's main.swift calls this instead.
    public static func run(_ target: Target) -> Never {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, target))
    }

    /// Stops the run when `holds` is false: a finding, like a crash.
    public static func expect(_ holds: Bool, _ property: @autoclosure () -> String) {
        if !holds { fatalError("property broken: \(property())") }
    }

    /// libFuzzer's input (its pointer may be null when it is empty).
    public static func input(_ data: UnsafePointer<UInt8>?, _ size: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: size > 0 ? data : nil, count: size)
    }

    /// The input's first byte, which picks what a target with several parts runs, and the rest;
    /// nil when the input is empty.
    public static func partAndRest(_ data: UnsafePointer<UInt8>?, _ size: Int) -> (part: UInt8, rest: Slice<UnsafeBufferPointer<UInt8>>)? {
        let bytes = input(data, size)
        guard let part = bytes.first else { return nil }
        return (part, bytes.dropFirst())
    }

    /// A file descriptor of an unlinked temporary file, kept for the process: inputs are written
    /// to it and mapped again for each run.
    private static let scratch: Int32 = {
        let directory = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(directory)/tresor-fuzz-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        precondition(descriptor >= 0, "cannot create a scratch file")
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        return descriptor
    }()

    /// `bytes` as `validate` reads a file: written to a file, then mapped by `Files.map`.
    public static func mapped(_ bytes: UnsafeBufferPointer<UInt8>) -> SourceFile {
        expect(
            ftruncate(scratch, 0) == 0 && (bytes.isEmpty || pwrite(scratch, bytes.baseAddress!, bytes.count, 0) == bytes.count),
            "the scratch file takes the input")
        guard case .success(let source) = Files.map("/proc/self/fd/\(scratch)", limit: YAMLLimits().maxFileBytes) else {
            fatalError("cannot map the scratch file")
        }
        return source
    }

    /// Documents the fuzz estates share: vault rsv-prod-weu, VM web-01, and an outbound rule on
    /// NSG nsg-web, each ending in a newline.
    public static let vaultDocument = """
        apiVersion: tresor/v1
        kind: Vault
        name: rsv-prod-weu
        subscription: 1f0c5c6e-0000-4000-8000-00000000a001
        resourceGroup: rg-backup-prod
        region: westeurope

        """
    public static let webVMDocument = """
        apiVersion: tresor/v1
        kind: VirtualMachine
        name: web-01
        subscription: 1f0c5c6e-0000-4000-8000-00000000a001
        resourceGroup: rg-web
        region: westeurope
        os: {type: Windows, version: "2019"}
        agent: {installed: true, version: "2.7.41491.1102"}

        """
    public static let ruleDocument = """
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
        destination: AzureBackup
        destinationPorts: ["443"]

        """

    /// A small estate with every kind of managed resource, and a VM protected in each vault.
    public static let estateText = [
        vaultDocument,
        """
        apiVersion: tresor/v1
        kind: Vault
        name: rsv-prod-neu
        subscription: 1f0c5c6e-0000-4000-8000-00000000a001
        resourceGroup: rg-backup-prod
        region: northeurope
        crossRegionRestore: true
        ---
        apiVersion: tresor/v1
        kind: BackupPolicy
        name: daily-30
        vault: rsv-prod-weu
        schedule: {frequency: Daily, time: "19:00"}
        instantRestoreDays: 2
        retention: {daily: 30, weekly: {weeks: 12, days: [Sunday]}}

        """, webVMDocument,
        """
        apiVersion: tresor/v1
        kind: VirtualMachine
        name: db-01
        subscription: 1f0c5c6e-0000-4000-8000-00000000a001
        resourceGroup: rg-db
        region: northeurope
        os: {type: Linux, version: "Ubuntu 22.04"}
        agent: {installed: true, version: "2.7.41491.1102"}
        ---
        apiVersion: tresor/v1
        kind: Protection
        vault: rsv-prod-weu
        policy: daily-30
        vms: [web-01]
        ---
        apiVersion: tresor/v1
        kind: Protection
        vault: rsv-prod-neu
        policy: DefaultPolicy
        vms: [db-01]
        ---
        apiVersion: tresor/v1
        kind: NetworkSecurityGroup
        name: nsg-web
        subscription: 1f0c5c6e-0000-4000-8000-00000000a001
        resourceGroup: rg-net
        region: westeurope

        """, ruleDocument
    ].joined(separator: "---\n")

    /// `estateText` compiled, once.
    public static let estate = Compiler().check(sources: [(path: "estate.yaml", text: estateText)])

    /// The state an apply of `estate` into empty state records.
    public static let appliedState: State = {
        guard let plan = Planning().plan(estate, against: State()).plan else { fatalError("the fuzz estate has errors") }
        var state = State()
        state.record(plan)
        return state
    }()

    /// What apply writes, plan must read: `state` encodes to a file that decodes to the same
    /// lineage, serial and resources, and encodes again to the same bytes.
    public static func expectLoadsAgain(_ state: State, _ what: @autoclosure () -> String) {
        let bytes = StateFile.encode(state)
        let decoded = bytes.withUnsafeBufferPointer { buffer in Result { () throws(StateFile.Failure) in try StateFile.decode(buffer) } }
        switch decoded {
        case .failure(let failure):
            fatalError("property broken: \(what()) is written as a state that cannot be read: \(failure.message)")
        case .success(let again):
            expect(
                again.lineage == state.lineage && again.serial == state.serial && again.resources == state.resources,
                "\(what()) reads back as the state written")
            expect(StateFile.encode(again) == bytes, "\(what()) encodes the same once read back")
        }
    }

    /// Plans `result` against empty state, as a first apply does: when it plans, the plan's saved
    /// form reads back and the state its apply records loads again.
    public static func expectFirstApplyLoads(_ result: Compiler.Result, _ what: String) {
        let planned = Planning().plan(result, against: State())
        guard let plan = planned.plan else { return }
        expectSavedPlanReadsBack(plan, planned.report)
        var state = State()
        state.record(plan)
        expectLoadsAgain(state, "\(what), applied")
    }

    /// Plans `estate` against `state`, with and without --allow-destroy, renders each plan and
    /// its saved form, and records it as apply would: the state written must load again.
    public static func planAndRecord(against state: State, _ what: String) {
        for allowDestroy in [false, true] {
            let result = Planning(allowDestroy: allowDestroy).plan(estate, against: state)
            _ = TextRenderer(colored: true).render(result.report)
            guard let plan = result.plan else { continue }
            expectSavedPlanReadsBack(plan, result.report)
            var applied = state
            applied.record(plan)
            expectLoadsAgain(applied, "\(what) with the plan\(allowDestroy ? " --allow-destroy" : "") recorded")
        }
    }

    /// Renders `plan` in every format; its saved form (`plan --out`) reads back to the same changes.
    public static func expectSavedPlanReadsBack(_ plan: Plan, _ report: DiagnosticReport) {
        _ = PlanText.render(plan)
        _ = PlanMarkdown.render(plan, diagnostics: report.diagnostics, sources: report.sources)
        var saved: [UInt8] = []
        PlanJSON.encode(plan, report: report).write(into: &saved, pretty: true)
        do {
            let read = try PlanJSON.decode(saved)
            expect(read.lineage == plan.lineage && read.serial == plan.serial, "a saved plan keeps its lineage and serial")
            expect(read.changes.count == plan.changes.count, "a saved plan keeps its changes")
            for (a, b) in zip(read.changes, plan.changes) {
                expect(
                    a.action == b.action && a.kind == b.kind && a.id == b.id && a.name == b.name && a.after == b.after,
                    "a saved plan's change \(b.id) reads back as planned")
            }
            expect(read.dependencies() == plan.dependencies(), "a saved plan's changes depend on the same changes")
        } catch {
            fatalError("property broken: a saved plan cannot be read back: \(error.message)")
        }
    }
}

/// libFuzzer's driver, for programs that have their own `main`.
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ target: Fuzz.Target
) -> CInt
