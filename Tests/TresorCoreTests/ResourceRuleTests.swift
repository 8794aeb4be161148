import Foundation
import XCTest

@testable import TresorFrontEnd
@testable import TresorModel

/// `baseEstate` with the policy's schedule, instantRestoreDays and retention (lines 12–14) replaced
/// by `body`, whose first line becomes line 12.
private func withPolicy(_ body: String) -> String {
    baseEstate.replacingOccurrences(
        of: "schedule: {frequency: Daily, time: \"19:00\"}\ninstantRestoreDays: 2\nretention: {daily: 30}\n",
        with: body + "\n")
}

/// `baseEstate` with `old` replaced by `new`, failing the test when `old` is not there.
private func replacing(
    _ old: String, with new: String, in text: String = baseEstate,
    file: StaticString = #filePath, line: UInt = #line
) -> String {
    XCTAssertTrue(text.contains(old), "no \"\(old)\" to replace", file: file, line: line)
    return text.replacingOccurrences(of: old, with: new)
}

/// The positions of the diagnostics with one of `codes`.
private func positions(_ result: Compiler.Result, only codes: Set<String>) -> [String] {
    positions(result).filter { codes.contains(String($0.suffix(5))) }
}

/// A West Europe vault, `count` VMs vm-1 … vm-N (one flow-mapping document each, so VM k's
/// document is on line 6 + 2k), and a Protection of them all on `policy`, listing VM k on line
/// 11 + 2N + k (one more with a policy); a declared `policy` follows as the last document.
private func estate(protecting count: Int, policy: String? = nil) -> String {
    let vault = ExampleManifests.vault()
    let vms = (1...count).map { number in
        "{apiVersion: tresor/v1, kind: VirtualMachine, name: vm-\(number), subscription: \(ExampleManifests.subscription), "
            + "resourceGroup: rg-web, region: westeurope, os: {type: Linux, version: Ubuntu 22.04}}"
    }
    let references = (1...count).map { "  - vm-\($0)" }
    let protection =
        ["apiVersion: tresor/v1", "kind: Protection", "vault: rsv-prod-weu"]
        + (policy.map { ["policy: \($0)"] } ?? []) + ["vms:"] + references
    let policies = policy.map { [ExampleManifests.policy($0)] } ?? []
    return ([vault] + vms + [protection.joined(separator: "\n")] + policies).joined(separator: "\n---\n") + "\n"
}

final class ResourceRuleExampleTests: XCTestCase {
    /// Each non-triggering example of a resource rule shows valid input: no error and no warning,
    /// except TR501 for examples that describe a lone VM. (Notes such as TR106 may stand.)
    func testNonTriggeringExamplesAreCleanEstates() {
        for rule in RuleCatalog.resourceRules.map({ $0.description }) {
            for (index, example) in rule.nonTriggering.enumerated() {
                let reported = check(example).report.diagnostics
                    .filter { $0.severity != .note && $0.code != "TR501" }.map(\.code)
                XCTAssertEqual(reported, [], "\(rule.code) non-triggering example \(index + 1)")
            }
        }
    }

    func testExplainShowsAResourceRuleWithItsExamples() throws {
        let text = RuleDocs.explain(try XCTUnwrap(RuleCatalog.description(of: "TR301")))
        XCTAssertTrue(text.hasPrefix("TR301 (error): VM and vault in different regions"))
        XCTAssertTrue(text.contains("Triggers:\n    apiVersion: tresor/v1\n    kind: Vault\n"))
        XCTAssertTrue(text.contains("    region: northeurope\n"))
        XCTAssertFalse(text.contains("\n\n\n"), "examples end without a blank line of their own")
    }

    func testCatalogListsEveryResourceRuleInCodeOrder() {
        let catalog = RuleDocs.catalog()
        let expected = [
            "TR101", "TR102", "TR103", "TR105", "TR106", "TR107", "TR201", "TR202", "TR203", "TR204",
            "TR205", "TR206", "TR207", "TR208", "TR209", "TR301", "TR302", "TR303", "TR304", "TR305",
            "TR306", "TR307", "TR501"
        ]
        XCTAssertEqual(RuleCatalog.resourceRules.map { $0.description.code }, expected)
        XCTAssertTrue(catalog.contains("TR106  note      LRS vault"))
        XCTAssertTrue(catalog.contains("TR208  warning   time zone observes daylight saving"))
    }
}

final class VaultRuleTests: XCTestCase {
    private func vaultNamed(_ name: String) -> Compiler.Result {
        check(ExampleManifests.vault(name))
    }

    func testVaultNameLengthBoundaries() {
        XCTAssertEqual(positions(vaultNamed("ab")), [])
        XCTAssertEqual(positions(vaultNamed("a")), ["test.yaml:3:7 TR101"])
        XCTAssertEqual(positions(vaultNamed("a" + String(repeating: "-", count: 49))), [])
        XCTAssertEqual(positions(vaultNamed("a" + String(repeating: "b", count: 50))), ["test.yaml:3:7 TR101"])
    }

    func testVaultNameCharacters() {
        XCTAssertEqual(positions(vaultNamed("1vault")), ["test.yaml:3:7 TR101"])
        XCTAssertEqual(vaultNamed("1vault").report.diagnostics.first?.message, "vault name \"1vault\" must start with a letter")
        XCTAssertEqual(positions(vaultNamed("rsv_prod")), ["test.yaml:3:7 TR101"])
        XCTAssertEqual(positions(vaultNamed("rsv-bär")), ["test.yaml:3:7 TR101"])
        XCTAssertEqual(positions(vaultNamed("-rsv")), ["test.yaml:3:7 TR101"])
        XCTAssertEqual(positions(vaultNamed("Rsv-2024-prod")), [])
    }

    func testVaultNameIsUniquePerSubscriptionAcrossResourceGroups() throws {
        let result = check(
            ExampleManifests.manifests(
                ExampleManifests.vault("rsv-prod-weu"), ExampleManifests.vault("RSV-PROD-WEU", resourceGroup: "rg-other")))
        XCTAssertEqual(positions(result), ["test.yaml:10:7 TR102"])
        XCTAssertEqual(try XCTUnwrap(result.report.diagnostics.first?.notes.first?.range).line, 3)
        // Another subscription may use the name.
        let elsewhere = ExampleManifests.vault("rsv-prod-weu", resourceGroup: "rg-other")
            .replacingOccurrences(of: ExampleManifests.subscription, with: "1f0c5c6e-0000-4000-8000-00000000a002")
        XCTAssertEqual(codes(check(ExampleManifests.manifests(ExampleManifests.vault(), elsewhere))), [])
        // The same identity twice is TR009 alone.
        XCTAssertEqual(
            codes(check(ExampleManifests.manifests(ExampleManifests.vault(), ExampleManifests.vault("RSV-prod-WEU")))), ["TR009"])
    }

    func testRegionsSuggestTheProgrammaticName() {
        for spelling in ["West Europe", "WestEurope", "west-europe"] {
            let result = check(replacing("region: westeurope\n---", with: "region: \(spelling)\n---"))
            XCTAssertEqual(positions(result), ["test.yaml:6:9 TR103"], spelling)
            XCTAssertEqual(result.report.diagnostics.first?.help, "write \"westeurope\"", spelling)
        }
        let unknown = check(ExampleManifests.vault(region: "mars"))
        XCTAssertEqual(positions(unknown), ["test.yaml:6:9 TR103"])
        XCTAssertEqual(unknown.report.diagnostics.first?.help?.hasPrefix("use a programmatic region name"), true)
    }

    func testVMAndNSGRegionsAreChecked() {
        let nsg = """
            apiVersion: tresor/v1
            kind: NetworkSecurityGroup
            name: nsg-web
            subscription: \(ExampleManifests.subscription)
            resourceGroup: rg-net
            region: North Europe
            """
        let result = check(ExampleManifests.manifests(ExampleManifests.vm(region: "westeurop"), nsg))
        XCTAssertEqual(positions(result, only: ["TR103"]), ["test.yaml:6:9 TR103", "test.yaml:15:9 TR103"])
        XCTAssertEqual(
            result.report.diagnostics.filter { $0.code == "TR103" }.map(\.help),
            ["write \"westeurope\"", "write \"northeurope\""])
    }

    func testCrossRegionRestoreNeedsGRS() throws {
        let lrs = check(ExampleManifests.vault("rsv-prod-weu", "replication: LRS", "crossRegionRestore: true"))
        XCTAssertEqual(positions(lrs), ["test.yaml:7:14 TR106", "test.yaml:8:21 TR105"])
        XCTAssertEqual(try XCTUnwrap(lrs.report.diagnostics.last?.notes.first?.range).line, 7)
        XCTAssertEqual(codes(check(ExampleManifests.vault("rsv-prod-weu", "crossRegionRestore: true"))), [])
        XCTAssertEqual(codes(check(ExampleManifests.vault("rsv-prod-weu", "replication: grs", "crossRegionRestore: true"))), [])
        XCTAssertEqual(codes(check(ExampleManifests.vault("rsv-prod-weu", "replication: LRS", "crossRegionRestore: false"))), ["TR106"])
    }

    func testLRSIsANote() throws {
        let result = check(ExampleManifests.vault("rsv-prod-weu", "replication: LRS"))
        XCTAssertEqual(try XCTUnwrap(result.report.diagnostics.first).severity, .note)
        XCTAssertFalse(result.report.failed(strict: true))
    }

    func testThousandVMsFitInAVaultAndTheNextIsAnError() throws {
        XCTAssertEqual(codes(check(estate(protecting: 1000))), [])
        let result = check(estate(protecting: 1001))
        XCTAssertEqual(positions(result, only: ["TR107"]), ["test.yaml:\(11 + 2 * 1001 + 1001):5 TR107"])
        let diagnostic = try XCTUnwrap(result.report.diagnostics.first { $0.code == "TR107" })
        XCTAssertEqual(diagnostic.message, "vault \"rsv-prod-weu\" would protect 1001 VMs; a vault protects at most 1000")
        XCTAssertEqual(diagnostic.notes.first?.range?.line, 3)
    }

    func testVMsListedTwiceCountOnceTowardsTheVault() {
        let text = estate(protecting: 1000) + "---\n" + ExampleManifests.protection(vms: "[vm-1, rg-web/vm-2]") + "\n"
        XCTAssertEqual(codes(check(text)).filter { $0 == "TR107" }, [])
    }

    func testTwoHundredPoliciesFitInAVaultAndTheNextIsAnError() {
        func vault(holding count: Int) -> String {
            ExampleManifests.manifests(ExampleManifests.vault(), ExampleManifests.vm(), ExampleManifests.protection())
                + (1...count).map {
                    "\n---\n{apiVersion: tresor/v1, kind: BackupPolicy, name: policy-\($0), vault: rsv-prod-weu, "
                        + "schedule: {frequency: Daily, time: \"19:00\"}, retention: {daily: 30}}"
                }.joined()
        }
        XCTAssertEqual(codes(check(vault(holding: 200))), [])
        // Policy k is on line 20 + 2k; the 201st is the first too many.
        XCTAssertEqual(positions(check(vault(holding: 201))), ["test.yaml:\(20 + 2 * 201):51 TR107"])
    }
}

final class PolicyRuleTests: XCTestCase {
    private func policyNamed(_ name: String) -> [String] {
        positions(
            check(
                replacing("name: daily-30", with: "name: \(name)")
                    .replacingOccurrences(of: "policy: daily-30", with: "policy: \(name)")))
    }

    func testPolicyNameBoundaries() {
        XCTAssertEqual(policyNamed("abc"), [])
        XCTAssertEqual(policyNamed("ab"), ["test.yaml:10:7 TR201"])
        XCTAssertEqual(policyNamed("a" + String(repeating: "_", count: 149)), [])
        XCTAssertEqual(policyNamed("a" + String(repeating: "b", count: 150)), ["test.yaml:10:7 TR201"])
        XCTAssertEqual(policyNamed("30-days"), ["test.yaml:10:7 TR201"])
        XCTAssertEqual(policyNamed("daily!30"), ["test.yaml:10:7 TR201"])
        XCTAssertEqual(policyNamed("Daily_30-days"), [])
    }

    func testScheduleTimeIsOnTheHourOrHalfHour() {
        func time(_ text: String) -> [String] {
            positions(check(withPolicy("schedule: {frequency: Daily, time: \(text)}\nretention: {daily: 30}")))
        }
        XCTAssertEqual(time("\"00:00\""), [])
        XCTAssertEqual(time("\"23:30\""), [])
        XCTAssertEqual(time("19:30"), [])
        XCTAssertEqual(time("\"19:15\""), ["test.yaml:12:36 TR202"])
        XCTAssertEqual(time("\"24:00\""), ["test.yaml:12:36 TR202"])
        XCTAssertEqual(time("\"9:00\""), ["test.yaml:12:36 TR202"])
        XCTAssertEqual(time("\"19:00:00\""), ["test.yaml:12:36 TR202"])
        XCTAssertEqual(time("7pm"), ["test.yaml:12:36 TR202"])
    }

    func testWeeklyNeedsDaysAndDailyHasNone() {
        let weekly = "retention: {weekly: {weeks: 12, days: [Sunday]}}"
        XCTAssertEqual(
            positions(check(withPolicy("schedule: {frequency: Weekly, time: \"19:00\"}\n\(weekly)"))),
            ["test.yaml:12:23 TR202"])
        XCTAssertEqual(
            positions(check(withPolicy("schedule: {frequency: Weekly, time: \"19:00\", days: []}\n\(weekly)"))),
            ["test.yaml:12:52 TR202"])
        XCTAssertEqual(
            positions(check(withPolicy("schedule: {frequency: Daily, time: \"19:00\", days: [Sunday]}\nretention: {daily: 30}"))),
            ["test.yaml:12:51 TR202"])
        XCTAssertEqual(positions(check(withPolicy("schedule: {frequency: Weekly, time: \"19:00\", days: [Sunday]}\n\(weekly)"))), [])
    }

    func testInstantRestoreDaysBoundaries() {
        func daily(_ days: String) -> [String] {
            positions(
                check(withPolicy("schedule: {frequency: Daily, time: \"19:00\"}\ninstantRestoreDays: \(days)\nretention: {daily: 30}")))
        }
        func weekly(_ days: String) -> [String] {
            positions(
                check(
                    withPolicy(
                        "schedule: {frequency: Weekly, time: \"19:00\", days: [Sunday]}\n"
                            + "instantRestoreDays: \(days)\nretention: {weekly: {weeks: 12, days: [Sunday]}}")))
        }
        XCTAssertEqual(daily("0"), ["test.yaml:13:21 TR203"])
        XCTAssertEqual(daily("1"), [])
        XCTAssertEqual(daily("5"), [])
        XCTAssertEqual(daily("6"), ["test.yaml:13:21 TR203"])
        XCTAssertEqual(daily("-1"), ["test.yaml:13:21 TR203"])
        XCTAssertEqual(weekly("4"), ["test.yaml:13:21 TR203"])
        XCTAssertEqual(weekly("5"), [])
        XCTAssertEqual(weekly("6"), ["test.yaml:13:21 TR203"])
        // Not a number at all is the decoder's TR008.
        XCTAssertEqual(daily("two"), ["test.yaml:13:21 TR008"])
    }

    func testRetentionCountBoundaries() {
        func daily(_ retention: String) -> [String] {
            positions(check(withPolicy("schedule: {frequency: Daily, time: \"19:00\"}\nretention: {\(retention)}")))
        }
        XCTAssertEqual(daily("daily: 6"), ["test.yaml:13:20 TR204"])
        XCTAssertEqual(daily("daily: 7"), [])
        XCTAssertEqual(daily("daily: 9999"), [])
        XCTAssertEqual(daily("daily: 10000"), ["test.yaml:13:20 TR204"])
        XCTAssertEqual(daily("daily: 99999999999999999999999"), ["test.yaml:13:20 TR204"])
        XCTAssertEqual(daily("daily: 30, weekly: {weeks: 0, days: [Sunday]}"), ["test.yaml:13:40 TR204"])
        XCTAssertEqual(daily("daily: 30, weekly: {weeks: 1, days: [Sunday]}"), [])
        XCTAssertEqual(daily("daily: 30, weekly: {weeks: 5163, days: [Sunday]}"), [])
        XCTAssertEqual(daily("daily: 30, weekly: {weeks: 5164, days: [Sunday]}"), ["test.yaml:13:40 TR204"])
        XCTAssertEqual(daily("daily: 30, monthly: {months: 0, daysOfMonth: [Last]}"), ["test.yaml:13:42 TR204"])
        XCTAssertEqual(daily("daily: 30, monthly: {months: 1, daysOfMonth: [Last]}"), [])
        XCTAssertEqual(daily("daily: 30, monthly: {months: 1188, daysOfMonth: [Last]}"), [])
        XCTAssertEqual(daily("daily: 30, monthly: {months: 1189, daysOfMonth: [Last]}"), ["test.yaml:13:42 TR204"])
        XCTAssertEqual(daily("daily: 30, yearly: {years: 1, months: [May], daysOfMonth: [1]}"), [])
        XCTAssertEqual(daily("daily: 30, yearly: {years: 99, months: [May], daysOfMonth: [1]}"), [])
        XCTAssertEqual(daily("daily: 30, yearly: {years: 100, months: [May], daysOfMonth: [1]}"), ["test.yaml:13:40 TR204"])
        XCTAssertEqual(daily("daily: 30, yearly: {years: 0, months: [May], daysOfMonth: [1]}"), ["test.yaml:13:40 TR204"])
    }

    func testRetentionTiersFollowTheSchedule() {
        XCTAssertEqual(positions(check(withPolicy("schedule: {frequency: Daily, time: \"19:00\"}"))), ["test.yaml:12:23 TR205"])
        XCTAssertEqual(
            positions(check(withPolicy("schedule: {frequency: Daily, time: \"19:00\"}\nretention: {weekly: {weeks: 4, days: [Monday]}}"))),
            ["test.yaml:13:12 TR205"])
        XCTAssertEqual(
            positions(
                check(
                    withPolicy(
                        "schedule: {frequency: Weekly, time: \"19:00\", days: [Sunday]}\n"
                            + "retention: {daily: 30, weekly: {weeks: 4, days: [Sunday]}}"))), ["test.yaml:13:20 TR205"])
        XCTAssertEqual(
            positions(check(withPolicy("schedule: {frequency: Weekly, time: \"19:00\", days: [Sunday]}"))),
            ["test.yaml:12:23 TR205"])
    }

    func testMonthlyAndYearlyPickTheirDaysOneWay() {
        func tiers(_ text: String) -> [String] {
            positions(check(withPolicy("schedule: {frequency: Daily, time: \"19:00\"}\nretention:\n  daily: 30\n  \(text)")))
        }
        XCTAssertEqual(tiers("monthly: {months: 12, week: First, days: [Sunday], daysOfMonth: [1]}"), ["test.yaml:15:67 TR205"])
        XCTAssertEqual(tiers("monthly: {months: 12}"), ["test.yaml:15:12 TR205"])
        XCTAssertEqual(tiers("monthly: {months: 12, week: First}"), ["test.yaml:15:31 TR205"])
        XCTAssertEqual(tiers("monthly: {months: 12, days: [Sunday]}"), ["test.yaml:15:31 TR205"])
        XCTAssertEqual(tiers("monthly: {months: 12, daysOfMonth: []}"), ["test.yaml:15:38 TR205"])
        XCTAssertEqual(tiers("monthly: {months: 12, week: Last, days: [Friday]}"), [])
        XCTAssertEqual(tiers("yearly: {years: 7, daysOfMonth: [1]}"), ["test.yaml:15:11 TR205"])
        XCTAssertEqual(tiers("yearly: {years: 7, months: [], daysOfMonth: [1]}"), ["test.yaml:15:30 TR205"])
        XCTAssertEqual(tiers("yearly: {years: 7, months: [March], week: Second, days: [Monday]}"), [])
    }

    func testWeeklyRetentionKeepsOnlyScheduledDays() throws {
        let result = check(
            withPolicy(
                """
                schedule: {frequency: Weekly, time: "19:00", days: [Saturday]}
                retention:
                  weekly: {weeks: 12, days: [Saturday, Sunday]}
                  monthly: {months: 12, week: First, days: [Monday]}
                """))
        XCTAssertEqual(positions(result), ["test.yaml:14:40 TR206", "test.yaml:15:45 TR206"])
        XCTAssertEqual(try XCTUnwrap(result.report.diagnostics.first?.notes.first?.range).column, 52)
        // Under a Daily schedule every day has a point.
        XCTAssertEqual(
            codes(
                check(
                    withPolicy(
                        "schedule: {frequency: Daily, time: \"19:00\"}\n"
                            + "retention: {daily: 30, weekly: {weeks: 12, days: [Sunday]}}"))), [])
    }

    func testTimeZonesAreWindowsIDs() {
        func zone(_ text: String) -> Compiler.Result {
            check(withPolicy("schedule: {frequency: Daily, time: \"19:00\", timeZone: \(text)}\nretention: {daily: 30}"))
        }
        XCTAssertEqual(positions(zone("UTC")), [])
        XCTAssertEqual(positions(zone("India Standard Time")), [])
        XCTAssertEqual(positions(zone("Europe/Berlin")), ["test.yaml:12:55 TR207"])
        let lowercase = zone("utc")
        XCTAssertEqual(positions(lowercase), ["test.yaml:12:55 TR207"])
        XCTAssertEqual(lowercase.report.diagnostics.first?.help, "did you mean \"UTC\"?")
        XCTAssertEqual(zone("W. Europe Standrd Time").report.diagnostics.first?.help, "did you mean \"W. Europe Standard Time\"?")
    }

    func testDaylightSavingZonesWarn() throws {
        let result = check(withPolicy("schedule: {frequency: Daily, time: \"19:00\", timeZone: GMT Standard Time}\nretention: {daily: 30}"))
        XCTAssertEqual(positions(result), ["test.yaml:12:55 TR208"])
        XCTAssertEqual(try XCTUnwrap(result.report.diagnostics.first).severity, .warning)
        XCTAssertEqual(
            codes(
                check(withPolicy("schedule: {frequency: Daily, time: \"19:00\", timeZone: Tokyo Standard Time}\nretention: {daily: 30}"))),
            [])
    }

    func testThousandVMsFitOnAPolicyAndTheNextIsAnError() throws {
        XCTAssertEqual(codes(check(estate(protecting: 1000, policy: "daily-30"))), [])
        let result = check(estate(protecting: 1001, policy: "daily-30"))
        let listing = 12 + 2 * 1001 + 1001
        let policyName = listing + 4
        XCTAssertEqual(positions(result, only: ["TR209"]), ["test.yaml:\(listing):5 TR209"])
        let diagnostic = try XCTUnwrap(result.report.diagnostics.first { $0.code == "TR209" })
        XCTAssertEqual(diagnostic.message, "policy \"daily-30\" would protect 1001 VMs; a policy protects at most 1000")
        XCTAssertEqual(diagnostic.notes.first?.range?.line, Int32(policyName))
    }

    func testTheBuiltInDefaultPolicyCountsAsAPolicy() {
        let result = check(estate(protecting: 1001))
        XCTAssertEqual(positions(result, only: ["TR209"]), ["test.yaml:\(11 + 2 * 1001 + 1001):5 TR209"])
        XCTAssertEqual(
            result.report.diagnostics.first { $0.code == "TR209" }?.message,
            "policy \"DefaultPolicy\" would protect 1001 VMs; a policy protects at most 1000")
    }

    func testVMsOnDifferentPoliciesCountSeparately() {
        // 1001 VMs in one vault (TR107) but no policy over 1000.
        var text = estate(protecting: 1001, policy: "daily-30").replacingOccurrences(of: "  - vm-1001\n", with: "")
        text += "---\n" + ExampleManifests.protection(vms: "[vm-1001]") + "\n"
        XCTAssertEqual(codes(check(text)), ["TR107"])
    }

    func testProtectionOnAnotherVaultsPolicy() throws {
        let other = ExampleManifests.manifests(
            ExampleManifests.vault("rsv-dr-weu"), ExampleManifests.policy("weekly-dr", vault: "rsv-dr-weu"))
        let result = check(replacing("policy: daily-30", with: "policy: weekly-dr") + "---\n" + other)
        XCTAssertEqual(positions(result), ["test.yaml:28:9 TR303"])
        let diagnostic = try XCTUnwrap(result.report.diagnostics.first)
        XCTAssertEqual(diagnostic.notes.first?.range?.line, 40)
        XCTAssertEqual(
            diagnostic.help, "declare \"weekly-dr\" in vault \"rsv-prod-weu\", or use one of its policies: daily-30, DefaultPolicy")
        // A name that no vault holds is TR010 alone.
        XCTAssertEqual(codes(check(replacing("policy: daily-30", with: "policy: nowhere"))), ["TR010"])
    }
}

final class VMRuleTests: XCTestCase {
    func testVMInAnotherRegionThanItsVault() throws {
        let result = check(replacing("region: westeurope\nos:", with: "region: northeurope\nos:"))
        XCTAssertEqual(positions(result), ["test.yaml:29:7 TR301"])
        let notes = try XCTUnwrap(result.report.diagnostics.first?.notes)
        XCTAssertEqual(notes.compactMap { $0.range?.line }, [21, 6])
        // A misspelt region is TR103 only: it clearly means the vault's region.
        XCTAssertEqual(codes(check(replacing("region: westeurope\nos:", with: "region: West Europe\nos:"))), ["TR103"])
    }

    func testAVMIsProtectedByOneVaultOnce() throws {
        let secondVault = ExampleManifests.manifests(ExampleManifests.vault("rsv-dr-weu"), ExampleManifests.protection(vault: "rsv-dr-weu"))
        let twoVaults = check(baseEstate + "---\n" + secondVault)
        XCTAssertEqual(positions(twoVaults), ["test.yaml:41:7 TR302"])
        XCTAssertEqual(
            twoVaults.report.diagnostics.first?.message,
            "VM \"web-01\" is already protected by vault \"rsv-prod-weu\"; a VM can be backed up in one vault only")
        XCTAssertEqual(twoVaults.report.diagnostics.first?.notes.first?.range?.line, 29)

        let twice = check(replacing("vms: [web-01]", with: "vms: [web-01, rg-web/WEB-01]"))
        XCTAssertEqual(positions(twice), ["test.yaml:29:15 TR302"])
        XCTAssertEqual(twice.report.diagnostics.first?.notes.first?.range?.column, 7)
    }

    private func vm(_ os: String = #"{type: Windows, version: "2019"}"#, agent: String) -> Compiler.Result {
        check(
            replacing(
                "os: {type: Windows, version: \"2019\"}\nagent: {installed: true, version: \"2.7.41491.1102\"}",
                with: "os: \(os)\nagent: \(agent)"))
    }

    func testWindowsAgentVersionBoundary() {
        XCTAssertEqual(positions(vm(agent: #"{installed: true, version: "2.6.1198.718"}"#)), [])
        XCTAssertEqual(positions(vm(agent: #"{installed: true, version: "2.6.1198.717"}"#)), ["test.yaml:23:35 TR304"])
        XCTAssertEqual(positions(vm(agent: #"{installed: true, version: "2.6.1198.1000"}"#)), [])
        XCTAssertEqual(positions(vm(agent: #"{installed: true, version: "2.6.999.9999"}"#)), ["test.yaml:23:35 TR304"])
        XCTAssertEqual(positions(vm(agent: #"{installed: true, version: "2.6.1198"}"#)), ["test.yaml:23:35 TR304"])
        XCTAssertEqual(positions(vm(agent: #"{installed: true, version: "2.7"}"#)), [])
        XCTAssertEqual(positions(vm(agent: #"{installed: true, version: "10.0.0.1"}"#)), [])
        XCTAssertEqual(positions(vm(agent: #"{installed: true, version: "2.6.1198.718.1"}"#)), [])
        XCTAssertEqual(positions(vm(agent: #"{installed: true, version: "2.6.99999999999999999999999.0"}"#)), [])
    }

    func testAgentVersionThatIsNoNumberIsSaid() throws {
        for text in ["latest", "2.7.x", "", "2..7", "v2.7.41491.1102"] {
            let result = vm(agent: "{installed: true, version: \"\(text)\"}")
            XCTAssertEqual(positions(result), ["test.yaml:23:35 TR304"], text)
            XCTAssertEqual(result.report.diagnostics.first?.message.contains("is not a version number"), true, text)
        }
    }

    func testMissingAgentIsAnErrorOnEveryOS() {
        XCTAssertEqual(positions(vm(agent: "{installed: false}")), ["test.yaml:23:20 TR304"])
        XCTAssertEqual(positions(vm(#"{type: Linux, version: "Ubuntu 22.04"}"#, agent: "{installed: false}")), ["test.yaml:23:20 TR304"])
    }

    func testLinuxAgentVersionsAreNotCompared() {
        XCTAssertEqual(positions(vm(#"{type: Linux, version: "Ubuntu 22.04"}"#, agent: #"{installed: true, version: "2.2.10"}"#)), [])
        XCTAssertEqual(positions(vm(#"{type: Linux, version: "Ubuntu 22.04"}"#, agent: #"{installed: true, version: "waagent-2.2"}"#)), [])
    }

    func testOperatingSystemSupport() throws {
        func os(_ text: String) -> Compiler.Result { vm(text, agent: "{installed: true}") }
        XCTAssertEqual(positions(os(#"{type: Windows, version: "2008 R2"}"#)), [])
        XCTAssertEqual(positions(os(#"{type: Windows, version: "2008"}"#)), ["test.yaml:22:30 TR305"])
        XCTAssertEqual(positions(os(#"{type: Linux, version: "Ubuntu 22.04"}"#)), [])
        XCTAssertEqual(positions(os("{type: Linux, version: CoreOS}")), ["test.yaml:22:28 TR305"])
        XCTAssertEqual(positions(os(#"{type: Linux, version: "Arch Linux"}"#)), ["test.yaml:22:28 TR305"])
        XCTAssertEqual(try XCTUnwrap(os(#"{type: Windows, version: "2008"}"#).report.diagnostics.first).severity, .error)
        XCTAssertEqual(try XCTUnwrap(os("{type: Linux, version: CoreOS}").report.diagnostics.first).severity, .error)
        XCTAssertEqual(try XCTUnwrap(os(#"{type: Linux, version: "Arch Linux"}"#).report.diagnostics.first).severity, .warning)
        XCTAssertEqual(try XCTUnwrap(os("{type: Windows, version: Longhorn}").report.diagnostics.first).severity, .warning)
    }

    func testClassicLimits() {
        func classic(_ fields: String...) -> [String] {
            positions(
                check(
                    replacing(
                        "agent: {installed: true, version: \"2.7.41491.1102\"}\n",
                        with: "agent: {installed: true, version: \"2.7.41491.1102\"}\n" + fields.joined(separator: "\n") + "\n")))
        }
        XCTAssertEqual(classic("deployment: Classic", "disks: {managed: false, data: 16}"), [])
        XCTAssertEqual(classic("deployment: Classic", "disks: {managed: false, data: 17}"), ["test.yaml:25:31 TR306"])
        XCTAssertEqual(classic("disks: {managed: true, data: 17}"), [])
        XCTAssertEqual(classic("deployment: Classic", "classic: {reservedIp: true, endpoints: 0}"), ["test.yaml:25:23 TR306"])
        XCTAssertEqual(classic("deployment: Classic", "classic: {reservedIp: true}"), ["test.yaml:25:23 TR306"])
        XCTAssertEqual(classic("deployment: Classic", "classic: {reservedIp: true, endpoints: 1}"), [])
        XCTAssertEqual(classic("deployment: Classic", "classic: {reservedIp: false, endpoints: 0}"), [])
        XCTAssertEqual(classic("disks: {data: -1}"), ["test.yaml:24:15 TR008"])
    }

    func testStoppedProtectedVMsWarn() throws {
        let stopped = check(
            replacing(
                "agent: {installed: true, version: \"2.7.41491.1102\"}\n",
                with: "agent: {installed: true, version: \"2.7.41491.1102\"}\npowerState: deallocated\n"))
        XCTAssertEqual(positions(stopped), ["test.yaml:24:13 TR307"])
        XCTAssertEqual(try XCTUnwrap(stopped.report.diagnostics.first).severity, .warning)
        XCTAssertEqual(stopped.report.diagnostics.first?.notes.first?.range?.line, 30)
        // An unprotected stopped VM is only unprotected.
        XCTAssertEqual(codes(check(ExampleManifests.vm("web-01", "powerState: stopped"))), ["TR501"])
    }

    func testUnprotectedVMsWarnAtTheirName() throws {
        let result = check(baseEstate + "---\n" + ExampleManifests.vm("web-02"))
        XCTAssertEqual(positions(result), ["test.yaml:33:7 TR501"])
        XCTAssertEqual(try XCTUnwrap(result.report.diagnostics.first).severity, .warning)
        XCTAssertFalse(result.report.failed(strict: false))
    }
}
