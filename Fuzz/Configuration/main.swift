import FuzzSupport

@testable import TresorFrontEnd
@testable import TresorModel
@testable import TresorSupport

/// A rule configuration (`tresor.yaml`) governing a fixed estate with warnings and errors to
/// suppress or promote: read from a file, parsed, applied to the estate's diagnostics, rendered.
func fuzzConfiguration(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let compiler = Compiler()
    let configuration = compiler.parse(Fuzz.mapped(Fuzz.input(data, size)), id: 1, role: .configuration)
    let result = compiler.check(parsed: [governed, configuration], governedBy: [0: 1])
    _ = TextRenderer(colored: false).render(result.report)
    _ = DiagnosticJSON.report(result.report, strict: true).rendered()
    return 0
}

/// The fuzz estate with a duplicate policy, an unprotected VM and an unknown field: errors and
/// warnings of several rules for the configuration to act on.
private let governed = Compiler().parse(
    SourceFile(
        path: "estate.yaml",
        bytes: Array(
            (Fuzz.estateText + """
                ---
                apiVersion: tresor/v1
                kind: BackupPolicy
                name: daily-30
                vault: rsv-prod-weu
                schedule: {frequency: Weekly, time: "19:00", days: [Monday]}
                retention: {weekly: {count: 4, days: [Monday]}}
                color: blue
                ---
                apiVersion: tresor/v1
                kind: VirtualMachine
                name: app-01
                subscription: 1f0c5c6e-0000-4000-8000-00000000a001
                resourceGroup: rg-app
                region: westeurope
                os: {type: Windows, version: "2012"}
                agent: {installed: false}

                """).utf8)), id: 0, role: .manifest)

// Last: top-level code runs in order, and this does not return.
Fuzz.run(fuzzConfiguration)
