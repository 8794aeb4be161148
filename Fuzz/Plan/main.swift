import FuzzSupport

@testable import TresorModel
@testable import TresorPlan
@testable import TresorState
@testable import TresorSupport

/// A saved plan (`plan --out`, read by `apply FILE` and `show FILE`): decoded, rendered, saved
/// again and read back the same; recorded into empty state and into the fuzz estate's state as
/// apply would record it, each of which must load again.
func fuzzPlan(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let plan: Plan
    do {
        plan = try PlanJSON.decode(Array(Fuzz.input(data, size)))
    } catch {
        return 0
    }
    Fuzz.expectSavedPlanReadsBack(plan, DiagnosticReport(sources: SourceFiles(), diagnostics: []))
    for base in [State(), Fuzz.appliedState] {
        var state = base
        state.record(plan)
        // A change to a policy or item whose vault is missing is refused by every provider.
        guard state.firstWithoutItsVault() == nil else { continue }
        Fuzz.expectLoadsAgain(state, "a saved plan recorded")
    }
    return 0
}

// Last: top-level code runs in order, and this does not return.
Fuzz.run(fuzzPlan)
