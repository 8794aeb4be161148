import FuzzSupport

@testable import TresorCore
@testable import TresorFrontEnd
@testable import TresorModel

/// One manifest file through what `tresor validate` does with it: mapped from a file, parsed,
/// decoded, bound, checked by every rule, suppressions applied, and rendered in each output
/// format. When it has no errors it is also planned against empty state (the plan rendered,
/// saved and read back, and recorded: that state must load again).
func fuzzManifest(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let compiler = Compiler()
    let parsed = compiler.parse(Fuzz.mapped(Fuzz.input(data, size)), id: 0, role: .manifest)
    let result = compiler.check(parsed: [parsed], governedBy: [:])
    // SARIF carries the whole rule catalog, the same for every input, and rendering it costs
    // three times the rest of a run: its per-input part is fuzzed on one input in 16.
    for format in DiagnosticFormat.allCases where format != .sarif || size % 16 == 0 {
        var command = ValidateCommand(paths: [])
        command.format = format
        command.workingDirectory = "/proc/self"
        _ = command.render(result).stdout
    }
    _ = TextRenderer(colored: true).render(result.report)
    Fuzz.expectFirstApplyLoads(result, "the manifests")
    return 0
}

// Last: top-level code runs in order, and this does not return.
Fuzz.run(fuzzManifest)
