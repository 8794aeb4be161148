import FuzzSupport

@testable import TresorFrontEnd
@testable import TresorModel
@testable import TresorSupport

/// An az CLI inventory (`az vm list --show-details -o json`, `az network nsg list -o json`)
/// merged into manifests that declare one of its VMs and protect others it alone knows, as
/// `validate --inventory` reads them; rendered, and planned when there are no errors.
func fuzzInventory(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let compiler = Compiler()
    let inventory = compiler.parse(Fuzz.mapped(Fuzz.input(data, size)), id: 1, role: .inventory)
    let result = compiler.check(parsed: [manifests, inventory], governedBy: [:])
    _ = TextRenderer(colored: false).render(result.report)
    _ = DiagnosticJSON.report(result.report, strict: false).rendered()
    Fuzz.expectFirstApplyLoads(result, "an estate with inventory facts")
    return 0
}

/// web-01 declared (the inventory must agree with it); db-01, app-02 and nsg-web known only
/// from the inventory (the seeds' VMs and NSGs; vms-and-nsg-web-valid.json holds them all and
/// plans).
private let manifests = Compiler().parse(
    SourceFile(
        path: "estate.yaml",
        bytes: Array(
            [
                Fuzz.vaultDocument, Fuzz.webVMDocument,
                """
                apiVersion: tresor/v1
                kind: Protection
                vault: rsv-prod-weu
                policy: DefaultPolicy
                vms: [web-01, db-01, rg-web/app-02]

                """, Fuzz.ruleDocument
            ].joined(separator: "---\n").utf8)), id: 0, role: .manifest)

// Last: top-level code runs in order, and this does not return.
Fuzz.run(fuzzInventory)
