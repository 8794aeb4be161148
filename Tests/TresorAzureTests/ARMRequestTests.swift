import TresorSupport
import XCTest

@testable import TresorAzure

/// Request bodies against SPEC §6's table and the official examples, and Azure's answers read
/// back into state's attributes. Every body here is also sent to the emulator, which checks it
/// against the schema, by the scenario tests.
final class ARMRequestTests: XCTestCase {
    private func json(_ text: String) -> JSON { try! JSONReader.parse(text) }

    private let vault = #"{"region":"westeurope","replication":"GRS","crossRegionRestore":true,"tags":{"env":"prod","owner":"team"}}"#
    private let vaultID =
        "/subscriptions/1f0c5c6e-0000-4000-8000-00000000a001/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/rsv-weu"

    func testVaultCreateSendsLocationTagsStandardSkuAndRedundancy() {
        XCTAssertEqual(
            ARMBodies.vault(json(vault)),
            json(
                """
                {"location":"westeurope","tags":{"env":"prod","owner":"team"},"sku":{"name":"Standard"},
                 "properties":{"redundancySettings":{"standardTierStorageRedundancy":"GeoRedundant","crossRegionRestore":"Enabled"}}}
                """))
        let lrs = json(#"{"region":"northeurope","replication":"LRS","crossRegionRestore":false,"tags":{}}"#)
        XCTAssertEqual(
            ARMBodies.vault(lrs)["properties"]?["redundancySettings"],
            json(#"{"standardTierStorageRedundancy":"LocallyRedundant","crossRegionRestore":"Disabled"}"#))
    }

    func testVaultUpdatePatchesOnlyTheChangedFields() {
        let before = json(vault)
        XCTAssertNil(ARMBodies.vaultPatch(from: before, to: before))
        let retagged = json(#"{"region":"westeurope","replication":"GRS","crossRegionRestore":true,"tags":{"env":"test"}}"#)
        XCTAssertEqual(ARMBodies.vaultPatch(from: before, to: retagged), json(#"{"tags":{"env":"test"}}"#))
        let local = json(#"{"region":"westeurope","replication":"LRS","crossRegionRestore":true,"tags":{"env":"prod","owner":"team"}}"#)
        XCTAssertEqual(
            ARMBodies.vaultPatch(from: before, to: local),
            json(#"{"properties":{"redundancySettings":{"standardTierStorageRedundancy":"LocallyRedundant"}}}"#))
    }

    private let dailyPolicy = """
        {"schedule":{"frequency":"Daily","time":"19:30","timeZone":"India Standard Time"},"instantRestoreDays":2,
         "retention":{"daily":30,"weekly":{"weeks":12,"days":["Sunday"]},
                      "monthly":{"months":24,"daysOfMonth":["1","Last"]},
                      "yearly":{"years":7,"months":["January"],"week":"First","days":["Sunday"]}}}
        """

    func testPolicyIsTheWholeIaasVMPolicyWithTimesInTheScheduleTimeZone() {
        let time = #"["2018-01-24T19:30:00Z"]"#
        XCTAssertEqual(
            ARMBodies.policy(json(dailyPolicy), existing: nil),
            json(
                """
                {"properties":{
                  "backupManagementType":"AzureIaasVM",
                  "schedulePolicy":{"schedulePolicyType":"SimpleSchedulePolicy","scheduleRunFrequency":"Daily","scheduleRunTimes":\(time)},
                  "retentionPolicy":{"retentionPolicyType":"LongTermRetentionPolicy",
                    "dailySchedule":{"retentionTimes":\(time),"retentionDuration":{"count":30,"durationType":"Days"}},
                    "weeklySchedule":{"daysOfTheWeek":["Sunday"],"retentionTimes":\(time),"retentionDuration":{"count":12,"durationType":"Weeks"}},
                    "monthlySchedule":{"retentionScheduleFormatType":"Daily",
                      "retentionScheduleDaily":{"daysOfTheMonth":[{"date":1,"isLast":false},{"date":0,"isLast":true}]},
                      "retentionTimes":\(time),"retentionDuration":{"count":24,"durationType":"Months"}},
                    "yearlySchedule":{"retentionScheduleFormatType":"Weekly","monthsOfYear":["January"],
                      "retentionScheduleWeekly":{"daysOfTheWeek":["Sunday"],"weeksOfTheMonth":["First"]},
                      "retentionTimes":\(time),"retentionDuration":{"count":7,"durationType":"Years"}}},
                  "instantRpRetentionRangeInDays":2,
                  "timeZone":"India Standard Time"}}
                """))
    }

    func testPolicyUpdateKeepsWhatTresorDoesNotModelAndDropsTheItemCount() {
        let existing = json(
            """
            {"backupManagementType":"AzureIaasVM","protectedItemsCount":12,"policyType":"V1",
             "instantRPDetails":{"azureBackupRGNamePrefix":"rp-"},"resourceGuardOperationRequests":["old"],
             "schedulePolicy":{"schedulePolicyType":"SimpleSchedulePolicy","scheduleRunFrequency":"Daily",
                               "scheduleRunTimes":["2020-01-01T01:00:00Z"],"scheduleWeeklyFrequency":0},
             "retentionPolicy":{"retentionPolicyType":"LongTermRetentionPolicy"},"instantRpRetentionRangeInDays":5,"timeZone":"UTC"}
            """)
        let properties = ARMBodies.policy(json(dailyPolicy), existing: existing)["properties"]
        XCTAssertEqual(properties?["policyType"], "V1")
        XCTAssertEqual(properties?["instantRPDetails"], json(#"{"azureBackupRGNamePrefix":"rp-"}"#))
        XCTAssertNil(properties?["protectedItemsCount"])
        XCTAssertNil(properties?["resourceGuardOperationRequests"])
        XCTAssertEqual(properties?["instantRpRetentionRangeInDays"], .int(2))
        XCTAssertEqual(properties?["timeZone"], "India Standard Time")
        XCTAssertEqual(properties?["schedulePolicy"]?["scheduleRunTimes"], json(#"["2018-01-24T19:30:00Z"]"#))
    }

    func testWeeklyPolicyRunsOnItsDays() {
        let weekly = json(
            """
            {"schedule":{"frequency":"Weekly","time":"03:00","days":["Wednesday","Saturday"],"timeZone":"UTC"},"instantRestoreDays":5,
             "retention":{"weekly":{"weeks":52,"days":["Wednesday","Saturday"]},"monthly":{"months":12,"week":"Last","days":["Saturday"]}}}
            """)
        let properties = ARMBodies.policy(weekly, existing: nil)["properties"]
        XCTAssertEqual(properties?["schedulePolicy"]?["scheduleRunDays"], json(#"["Wednesday","Saturday"]"#))
        XCTAssertNil(properties?["retentionPolicy"]?["dailySchedule"])
        XCTAssertEqual(
            properties?["retentionPolicy"]?["monthlySchedule"]?["retentionScheduleWeekly"],
            json(#"{"daysOfTheWeek":["Saturday"],"weeksOfTheMonth":["Last"]}"#))
    }

    func testProtectedItemBodiesFollowTheOfficialExamples() {
        let vm = "/subscriptions/s/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-01"
        let policy = vaultID + "/backupPolicies/daily-30"
        // ConfigureProtection.json
        XCTAssertEqual(
            ARMBodies.protection(vm: vm, policyID: policy, existing: nil),
            json(
                """
                {"properties":{"protectedItemType":"Microsoft.Compute/virtualMachines","sourceResourceId":"\(vm)","policyId":"\(policy)"}}
                """))
        // Read-modify-write keeps the disk exclusion, and nothing Azure computed.
        let existing = json(
            """
            {"protectedItemType":"Microsoft.Compute/virtualMachines","friendlyName":"web-01","healthStatus":"Passed",
             "extendedProperties":{"diskExclusionProperties":{"diskLunList":[1],"isInclusionList":false}}}
            """)
        XCTAssertEqual(
            ARMBodies.protection(vm: vm, policyID: policy, existing: existing)["properties"]?.objectMembers?.map(\.0),
            ["protectedItemType", "sourceResourceId", "policyId", "extendedProperties"])
        // StopProtection.json
        XCTAssertEqual(
            ARMBodies.stopProtection(vm: vm),
            json(
                """
                {"properties":{"protectedItemType":"Microsoft.Compute/virtualMachines","protectionState":"ProtectionStopped","sourceResourceId":"\(vm)"}}
                """))
        XCTAssertEqual(
            ARMBodies.rehydrate(), json(#"{"properties":{"protectedItemType":"Microsoft.Compute/virtualMachines","isRehydrate":true}}"#))
    }

    func testSecurityRuleUsesSingularFieldsForOneValueAndPluralForSeveral() {
        let rule = json(
            """
            {"direction":"Outbound","access":"Allow","priority":900,"protocol":"Tcp","source":["VirtualNetwork"],"sourcePorts":["*"],
             "destination":["Storage.westeurope"],"destinationPorts":["443","8443"],"description":"backup"}
            """)
        XCTAssertEqual(
            ARMBodies.securityRule(rule),
            json(
                """
                {"properties":{"protocol":"Tcp","sourcePortRange":"*","destinationPortRanges":["443","8443"],
                 "sourceAddressPrefix":"VirtualNetwork","destinationAddressPrefix":"Storage.westeurope",
                 "access":"Allow","priority":900,"direction":"Outbound","description":"backup"}}
                """))
        let twoSources = rule.setting("source", json(#"["10.0.0.0/8","192.168.0.0/16"]"#)).setting("description", nil)
        let properties = ARMBodies.securityRule(twoSources)["properties"]
        XCTAssertEqual(properties?["sourceAddressPrefixes"], json(#"["10.0.0.0/8","192.168.0.0/16"]"#))
        XCTAssertNil(properties?["sourceAddressPrefix"])
        XCTAssertNil(properties?["description"])
    }

    // MARK: Answers read back

    func testVaultReadBackAsPlannedWhateverAzureSpellsAndOrders() {
        let planned = json(vault)
        let answer = json(
            """
            {"id":"\(vaultID)","name":"rsv-weu","location":"West Europe","sku":{"name":"RS0","tier":"Standard"},
             "tags":{"owner":"team","env":"prod"},
             "properties":{"provisioningState":"Succeeded","redundancySettings":{"standardTierStorageRedundancy":"GeoRedundant","crossRegionRestore":"Enabled"}}}
            """)
        XCTAssertEqual(ARMAttributes.vault(answer, planned: planned), planned)
        let zoneRedundant = answer.setting("properties", json(#"{"redundancySettings":{"standardTierStorageRedundancy":"ZoneRedundant"}}"#))
        XCTAssertEqual(ARMAttributes.vault(zoneRedundant, planned: planned)["replication"], "ZoneRedundant")
    }

    /// Enum values in another case than the REST spec's (an independent Azure, a proxy, an old
    /// api-version) read as the same values: no drift, and a weekly schedule keeps its days.
    func testEnumValuesInAnotherCaseReadAsTheSame() {
        let planned = json(vault)
        let answer = json(
            """
            {"id":"\(vaultID)","location":"westeurope","tags":{"owner":"team","env":"prod"},
             "properties":{"redundancySettings":{"standardTierStorageRedundancy":"geoRedundant","crossRegionRestore":"ENABLED"}}}
            """)
        XCTAssertEqual(ARMAttributes.vault(answer, planned: planned), planned)
        let lrs = answer.setting(
            "properties",
            json(#"{"redundancySettings":{"standardTierStorageRedundancy":"locallyredundant","crossRegionRestore":"disabled"}}"#))
        XCTAssertEqual(ARMAttributes.vault(lrs, planned: nil)["replication"], "LRS")
        XCTAssertEqual(ARMAttributes.vault(lrs, planned: nil)["crossRegionRestore"], .bool(false))

        let weekly = json(
            """
            {"properties":{"backupManagementType":"AzureIaasVM","timeZone":"UTC","instantRpRetentionRangeInDays":5,
             "schedulePolicy":{"schedulePolicyType":"SimpleSchedulePolicy","scheduleRunFrequency":"weekly","scheduleRunDays":["sunday"],"scheduleRunTimes":["2026-10-01T02:00:00Z"]},
             "retentionPolicy":{"retentionPolicyType":"LongTermRetentionPolicy",
               "monthlySchedule":{"retentionScheduleFormatType":"daily","retentionScheduleDaily":{"daysOfTheMonth":[{"date":1,"isLast":false}]},
                                  "retentionTimes":["2026-10-01T02:00:00Z"],"retentionDuration":{"count":6,"durationType":"Months"}}}}}
            """)
        let read = ARMAttributes.policy(weekly, planned: nil)
        XCTAssertEqual(read["schedule"]?["days"], .array(["sunday"]))
        XCTAssertEqual(read["retention"]?["monthly"]?["daysOfMonth"], .array(["1"]))

        for (azure, state) in [
            ("irpending", "Protected"), ("PROTECTIONPAUSED", "Protected"), ("protectionstopped", "ProtectionStopped"),
            ("protected", "Protected"), ("BackupsSuspended", "BackupsSuspended")
        ] {
            let item = json(
                #"{"properties":{"protectionState":"\#(azure)","policyId":"\#(vaultID)/backupPolicies/p","sourceResourceId":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm"}}"#
            )
            XCTAssertEqual(ARMAttributes.protectedItem(item, planned: nil)["protectionState"], .string(state), azure)
        }
    }

    func testPolicyRoundTripsThroughItsBody() {
        let planned = json(dailyPolicy)
        let answer = ARMBodies.policy(planned, existing: nil)
        XCTAssertEqual(ARMAttributes.policy(answer, planned: planned), planned)
        XCTAssertEqual(ARMAttributes.policy(answer, planned: nil), planned)
    }

    func testProtectedItemIDCasingIsNoDifference() {
        let planned = json(
            """
            {"vm":"/subscriptions/1f0c5c6e-0000-4000-8000-00000000a001/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-01",
             "policy":"Daily-30","protectionState":"Protected"}
            """)
        let answer = json(
            """
            {"id":"/Subscriptions/1f0c5c6e-0000-4000-8000-00000000a001/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/rsv-weu/backupFabrics/Azure/protectionContainers/iaasvmcontainer;iaasvmcontainerv2;rg-web;web-01/protectedItems/vm;iaasvmcontainerv2;rg-web;web-01",
             "properties":{"protectionState":"IRPending","policyId":"/Subscriptions/1F0C5C6E-0000-4000-8000-00000000A001/resourceGroups/RG-BACKUP/providers/Microsoft.RecoveryServices/vaults/rsv-weu/backupPolicies/daily-30",
                           "sourceResourceId":"/subscriptions/1f0c5c6e-0000-4000-8000-00000000a001/resourcegroups/RG-WEB/providers/microsoft.compute/virtualmachines/web-01"}}
            """)
        XCTAssertEqual(ARMAttributes.protectedItem(answer, planned: planned), planned)
        let stopped = answer.setting("properties", answer["properties"]!.setting("protectionState", "ProtectionStopped"))
        XCTAssertEqual(ARMAttributes.protectedItem(stopped, planned: planned)["protectionState"], "ProtectionStopped")
    }

    func testSecurityRuleRoundTripsThroughItsBody() {
        let planned = json(
            """
            {"direction":"Outbound","access":"Allow","priority":910,"protocol":"Tcp","source":["10.0.0.4"],"sourcePorts":["*"],
             "destination":["Internet"],"destinationPorts":["80","443"]}
            """)
        let answer = ARMBodies.securityRule(planned).setting("name", "allow-proxy")
        XCTAssertEqual(ARMAttributes.securityRule(answer, planned: planned), planned)
    }

    // MARK: Errors and URLs

    func testErrorBodiesOfARMAndBackupAndOperations() {
        let arm = ARMError(
            body: Array(
                #"{"error":{"code":"StorageModelModifyError","message":"locked","target":null,"details":null,"innerError":null}}"#.utf8))
        XCTAssertEqual(arm, ARMError(code: "StorageModelModifyError", message: "locked"))
        XCTAssertEqual(
            ARMError(body: [0xEF, 0xBB, 0xBF] + Array(#"{"code":"Conflict","message":"busy"}"#.utf8)),
            ARMError(code: "Conflict", message: "busy"))
        let operation = ARMError(
            body: Array(
                #"{"id":"1","status":"Failed","error":{"code":"UserErrorVmAlreadyRegisteredToAnotherVault","message":"registered"},"percentComplete":12.5}"#
                    .utf8))
        XCTAssertEqual(operation, ARMError(code: "UserErrorVmAlreadyRegisteredToAnotherVault", message: "registered"))
        let failure = ARMError.failure(status: 502, body: Array("<html>bad gateway</html>".utf8), correlationID: "c-1")
        XCTAssertEqual(failure.message, "Azure answered HTTP 502 without a message")
        XCTAssertEqual(failure.httpStatus, 502)
        XCTAssertEqual(failure.correlationID, "c-1")
        XCTAssertNil(failure.code)
    }

    func testURLsKeepAzuresSemicolonsAndEscapeTheRest() {
        let item = vaultID + "/backupFabrics/Azure/protectionContainers/iaasvmcontainer;iaasvmcontainerv2;rg (web);web-01"
        XCTAssertEqual(
            ARMPaths.url(base: "https://management.azure.com", id: item, apiVersion: ARMAPIVersion.backup),
            "https://management.azure.com" + vaultID
                + "/backupFabrics/Azure/protectionContainers/iaasvmcontainer;iaasvmcontainerv2;rg%20(web);web-01?api-version=2025-08-01")
        XCTAssertEqual(
            ARMPaths.absolute("/subscriptions/s/x?api-version=1", base: "http://127.0.0.1:9"),
            "http://127.0.0.1:9/subscriptions/s/x?api-version=1")
        XCTAssertEqual(ARMPaths.subscription(in: "https://h/Subscriptions/ABC/resourceGroups/x"), "abc")
        XCTAssertEqual(ARMClient.loggable("https://h/a/b?x=secret&api-version=2016-12-01&y=1"), "https://h/a/b?api-version=2016-12-01")
    }
}
