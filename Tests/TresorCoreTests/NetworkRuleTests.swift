import XCTest

@testable import TresorFrontEnd

/// An estate split the way people write one, so positions name a file and a line:
/// network.yaml holds nsg-web (observed rules one per line from line 8), rules.yaml the managed
/// NetworkRules (priority on line 7 of each), vms.yaml the vault, web-01 (its NSG list on line
/// 17) and the Protection.
private struct NetworkEstate {
    var observed: [String] = []
    var managed: [String] = []
    var disks = "{managed: true}"
    var egress = "{via: direct}"
    var nsgs = "[nsg-web]"
    var isProtected = true
    /// More documents for network.yaml, after nsg-web.
    var moreNetwork: [String] = []

    var files: [(String, String)] {
        // The observed rules as one entry, so that nsg-web has `rules:` (and its line) without any.
        let nsg = ExampleManifests.nsg(rules: [observed.joined(separator: "\n")])
        let vmDocument = ExampleManifests.vmBehindNSG(disks: disks, egress: egress, networkSecurityGroups: nsgs)
        var vmFile = [ExampleManifests.vault(), vmDocument]
        if isProtected { vmFile.append(ExampleManifests.protection()) }
        var files = [
            ("network.yaml", ([nsg] + moreNetwork).joined(separator: "\n---\n") + "\n"),
            ("vms.yaml", vmFile.joined(separator: "\n---\n") + "\n")
        ]
        if !managed.isEmpty { files.append(("rules.yaml", managed.joined(separator: "\n---\n") + "\n")) }
        return files
    }

    var result: Compiler.Result { check(files) }
}

/// One observed rule on one line of a flow sequence.
private func observed(
    _ name: String, _ direction: String = "Outbound", access: String, _ priority: Int,
    protocol proto: String = "\"*\"", source: String = "\"*\"", sourcePorts: String = "\"*\"",
    destination: String = "\"*\"", ports: String = "\"*\""
) -> String {
    "  - {name: \(name), direction: \(direction), access: \(access), priority: \(priority), protocol: \(proto), "
        + "source: \(source), sourcePorts: \(sourcePorts), destination: \(destination), destinationPorts: \(ports)}"
}

private func allow(
    _ priority: Int, name: String = "allow-azure-backup", source: String = "VirtualNetwork",
    destination: String = "Storage.westeurope", ports: String = "\"8443\""
) -> String {
    ExampleManifests.allowOutbound(name, priority: "\(priority)", source: source, destination: destination, ports: ports)
}

private let denyAll1000 = observed("Deny_All_Outbound", access: "Deny", 1000)

final class NetworkEngineTests: XCTestCase {
    func testAddressPrefixesParse() {
        XCTAssertEqual(try AddressPrefix.parse("*").get(), .any)
        XCTAssertEqual(try AddressPrefix.parse("10.0.0.5").get(), .ipv4(IPv4Block(first: 0x0A00_0005, last: 0x0A00_0005)))
        XCTAssertEqual(try AddressPrefix.parse("10.1.2.3/8").get(), .ipv4(IPv4Block(first: 0x0A00_0000, last: 0x0AFF_FFFF)))
        XCTAssertEqual(try AddressPrefix.parse("0.0.0.0/0").get(), .ipv4(IPv4Block(first: 0, last: .max)))
        XCTAssertEqual(try AddressPrefix.parse("2001:DB8::/32").get(), .ipv6("2001:db8::/32"))
        XCTAssertEqual(
            try AddressPrefix.parse("storage.WestEurope").get(),
            .serviceTag(ServiceTag(base: "Storage", region: "westeurope")))
        XCTAssertEqual(try AddressPrefix.parse("Internet").get(), .serviceTag(ServiceTag(base: "Internet")))
        for unknown in ["Storage.westeurop", "Internet.westeurope", "Any", "Internt"] {
            XCTAssertEqual(AddressPrefix.parse(unknown), .failure(.unknownServiceTag), unknown)
        }
        XCTAssertEqual(try AddressPrefix.parse("010.0.0.1/08").get(), .ipv4(IPv4Block(first: 0x0A00_0000, last: 0x0AFF_FFFF)))
        for malformed in [
            "10.0.0.256", "10.0.0.0/33", "10.0.0", "10.0.0.0/", "1:2:3", "10.0.0.1-10.0.0.9", "",
            "1.2.3.4.5", "1.2.3.4.", "1..2.3", ".1.2.3", "10.0.0.0/8/8", "10.0.0.0/008", "1000.0.0.1", "10.0.0.0/-1"
        ] {
            XCTAssertEqual(AddressPrefix.parse(malformed), .failure(.malformed), malformed)
        }
    }

    func testPortsParseWithinZeroTo65535() {
        XCTAssertEqual(try PortRange.parse("*").get(), 0...65535)
        XCTAssertEqual(try PortRange.parse("0").get(), 0...0)
        XCTAssertEqual(try PortRange.parse("65535").get(), 65535...65535)
        XCTAssertEqual(try PortRange.parse("80-443").get(), 80...443)
        XCTAssertEqual(try PortRange.parse("443-443").get(), 443...443)
        XCTAssertEqual(try PortRange.parse("00080-000443").get(), 80...443)
        XCTAssertEqual(PortRange.parse("65536"), .failure(.outOfRange("65536")))
        XCTAssertEqual(PortRange.parse("99999999999999999999999"), .failure(.outOfRange("99999999999999999999999")))
        XCTAssertEqual(PortRange.parse("443-80"), .failure(.reversed(low: 443, high: 80)))
        for bad in ["https", "80-", "-80", "80-90-100", "80,443", " 80", "+80", ""] {
            XCTAssertEqual(PortRange.parse(bad), .failure(.notAPort), bad)
        }
    }

    func testPortSetsMergeAndCover() {
        let set = PortSet([443...443, 80...80, 81...100, 8443...8443])
        XCTAssertEqual(set.ranges, [80...100, 443...443, 8443...8443])
        XCTAssertTrue(set.contains(8443))
        XCTAssertFalse(set.contains(444))
        XCTAssertTrue(set.covers(PortSet([85...90, 443...443])))
        XCTAssertFalse(set.covers(PortSet([100...101])))
        XCTAssertTrue(PortSet([0...100, 101...65535]).isEverything)
    }

    func testProtocolsMatchCaseInsensitively() {
        XCTAssertEqual(NetworkProtocol(manifestText: "tcp"), .Tcp)
        XCTAssertEqual(NetworkProtocol(manifestText: "*"), .any)
        XCTAssertNil(NetworkProtocol(manifestText: "Https"))
        XCTAssertTrue(NetworkProtocol.any.covers(.Udp))
        XCTAssertFalse(NetworkProtocol.Udp.covers(.Tcp))
    }

    func testStorageFlowMatchesOnlyTheTagsThatContainIt() {
        let storage = FlowEndpoint.service(ServiceTag(base: "Storage", region: "westeurope"))
        for matching in ["*", "Internet", "Storage", "Storage.westeurope", "AzureCloud", "AzureCloud.westeurope", "0.0.0.0/0"] {
            XCTAssertEqual(try AddressPrefix.parse(matching).get().match(storage), .yes, matching)
        }
        for other in ["VirtualNetwork", "Storage.northeurope", "AzureCloud.northeurope", "Sql", "AzureBackup"] {
            XCTAssertEqual(try AddressPrefix.parse(other).get().match(storage), .no, other)
        }
        // Storage's addresses are not in the model: a CIDR may or may not hold them.
        XCTAssertEqual(try AddressPrefix.parse("20.38.0.0/16").get().match(storage), .maybe)
    }

    func testVirtualMachineSourceMatchesVirtualNetworkAndMaybeACIDR() {
        let vm = FlowEndpoint.virtualNetworkHost
        XCTAssertEqual(try AddressPrefix.parse("VirtualNetwork").get().match(vm), .yes)
        XCTAssertEqual(try AddressPrefix.parse("*").get().match(vm), .yes)
        XCTAssertEqual(try AddressPrefix.parse("10.0.0.0/8").get().match(vm), .maybe)
        XCTAssertEqual(try AddressPrefix.parse("Internet").get().match(vm), .no)
    }

    func testHostAddressIsMatchedExactlyAgainstCIDRs() {
        let proxy = FlowEndpoint.host(IPv4Block.parseAddress("10.0.0.5"))
        XCTAssertEqual(try AddressPrefix.parse("10.0.0.5/32").get().match(proxy), .yes)
        XCTAssertEqual(try AddressPrefix.parse("10.0.0.0/24").get().match(proxy), .yes)
        XCTAssertEqual(try AddressPrefix.parse("10.0.1.0/24").get().match(proxy), .no)
        XCTAssertEqual(try AddressPrefix.parse("VirtualNetwork").get().match(proxy), .maybe)
        XCTAssertEqual(try AddressPrefix.parse("Internet").get().match(proxy), .no)
        XCTAssertEqual(try AddressPrefix.parse("10.0.0.0/8").get().match(.host(nil)), .maybe)
    }

    /// Evaluates `flow` in nsg-web of `estate`.
    private func verdict(_ estate: NetworkEstate, _ flow: Flow) -> (Verdict, EffectiveSecurityRules) {
        let rules = EffectiveSecurityRules(estate.result.estate, nsg: 0)
        return (rules.evaluate(flow), rules)
    }

    private func storageFlow(port: Int = 8443) -> Flow {
        Flow(
            direction: .Outbound, networkProtocol: .Tcp, source: .virtualNetworkHost,
            destination: .service(ServiceTag(base: "Storage", region: "westeurope")), destinationPort: port)
    }

    func testDefaultRulesAllowInternetAndVNetOutboundAndDenyInternetInbound() {
        let empty = NetworkEstate()
        XCTAssertEqual(verdict(empty, storageFlow()).0, .allowed)
        let toVNet = Flow(
            direction: .Outbound, networkProtocol: .Udp, source: .virtualNetworkHost,
            destination: .virtualNetworkHost, destinationPort: 53)
        XCTAssertEqual(verdict(empty, toVNet).0, .allowed)
        let fromInternet = Flow(
            direction: .Inbound, networkProtocol: .Tcp, source: .service(ServiceTag(base: "Internet")),
            destination: .virtualNetworkHost, destinationPort: 3389)
        let (inbound, rules) = verdict(empty, fromInternet)
        guard case .denied(let index) = inbound else { return XCTFail("\(inbound)") }
        XCTAssertEqual(rules.rules[index].name, "DenyAllInBound")
        XCTAssertNil(rules.rules[index].declaration)
    }

    func testDefaultDenyAppliesWhenUserRulesDenyInternet() {
        // Deny everything to Internet at 4000: the default AllowInternetOutBound is never reached.
        let estate = NetworkEstate(observed: [observed("Deny_Internet", access: "Deny", 4000, destination: "Internet")])
        let (outcome, rules) = verdict(estate, storageFlow())
        guard case .denied(let index) = outcome else { return XCTFail("\(outcome)") }
        XCTAssertEqual(rules.rules[index].label, "Deny_Internet (priority 4000)")
    }

    func testFirstMatchByPriorityWinsRegardlessOfDeclarationOrder() {
        let allowFirst = NetworkEstate(observed: [denyAll1000, observed("Allow_Storage", access: "Allow", 999, destination: "Storage")])
        XCTAssertEqual(verdict(allowFirst, storageFlow()).0, .allowed)
        let denyFirst = NetworkEstate(observed: [observed("Allow_Storage", access: "Allow", 1001, destination: "Storage"), denyAll1000])
        XCTAssertEqual(verdict(denyFirst, storageFlow()).0, .denied(by: 1))
    }

    func testRulesForOtherProtocolsPortsOrDirectionsDoNotMatch() {
        let estate = NetworkEstate(observed: [
            observed("Allow_Udp", access: "Allow", 500, protocol: "Udp", destination: "Storage"),
            observed("Allow_443", access: "Allow", 510, protocol: "Tcp", destination: "Storage", ports: "\"443\""),
            observed("Allow_Inbound", "Inbound", access: "Allow", 520),
            denyAll1000
        ])
        XCTAssertEqual(verdict(estate, storageFlow()).0, .denied(by: 3))
        XCTAssertEqual(verdict(estate, storageFlow(port: 443)).0, .allowed)
    }

    func testUndecidableRulesNeverMakeAFlowDenied() {
        // An Allow to a CIDR might cover storage; a Deny to a CIDR might not; an Allow from one
        // source port might match the ephemeral one.
        for undecided in [
            observed("Allow_Ranges", access: "Allow", 900, destination: "20.38.0.0/16"),
            observed("Allow_From_Port", access: "Allow", 900, sourcePorts: "\"1024-65535\"", destination: "Storage")
        ] {
            let (outcome, _) = verdict(NetworkEstate(observed: [undecided, denyAll1000]), storageFlow())
            XCTAssertEqual(outcome, .undetermined, undecided)
        }
        let cidrDeny = NetworkEstate(observed: [observed("Deny_Ranges", access: "Deny", 900, destination: "20.38.0.0/16")])
        XCTAssertEqual(verdict(cidrDeny, storageFlow()).0, .undetermined)
    }

    func testManagedRulesJoinTheObservedOnes() {
        let estate = NetworkEstate(observed: [denyAll1000], managed: [allow(990)])
        let (outcome, rules) = verdict(estate, storageFlow())
        XCTAssertEqual(outcome, .allowed)
        XCTAssertEqual(rules.rules.map(\.name).prefix(2), ["Deny_All_Outbound", "allow-azure-backup"])
        XCTAssertEqual(rules.rules.count, 2 + AzureDefaultRules.all.count)
    }

    func testFreePriorityPrefersRoundNumbersBelowTheDeny() {
        let estate = NetworkEstate(observed: [
            observed("Deny_A", access: "Deny", 1000), observed("Allow_B", access: "Allow", 990),
            observed("Deny_C", access: "Deny", 105), observed("Deny_D", access: "Deny", 100)
        ])
        let rules = EffectiveSecurityRules(estate.result.estate, nsg: 0)
        XCTAssertEqual(rules.freePriority(below: 1000, direction: .Outbound), 980)
        XCTAssertEqual(rules.freePriority(below: 1000, direction: .Inbound), 990)
        XCTAssertEqual(rules.freePriority(below: 105, direction: .Outbound), 104)
        XCTAssertNil(rules.freePriority(below: 100, direction: .Outbound))
        XCTAssertEqual(rules.freePriority(below: 65500, direction: .Outbound), 4090)
    }
}

final class NetworkRuleTests: XCTestCase {
    // MARK: TR401

    func testDenyAt1000BlocksManagedDisksUnlessAnAllowComesFirst() {
        XCTAssertEqual(positions(NetworkEstate(observed: [denyAll1000]).result), ["vms.yaml:17:25 TR401"])
        XCTAssertEqual(positions(NetworkEstate(observed: [denyAll1000], managed: [allow(999)]).result), [])
        // At 1001 the Allow never applies: the VM is cut off and the rule is dead.
        XCTAssertEqual(
            positions(NetworkEstate(observed: [denyAll1000], managed: [allow(1001)]).result),
            ["vms.yaml:17:25 TR401", "rules.yaml:7:11 TR404"])
    }

    func testTheMessageNamesTheDenyingRuleAndTheHelpAFreePriority() throws {
        let result = NetworkEstate(observed: [denyAll1000]).result
        let diagnostic = try XCTUnwrap(result.report.diagnostics.first)
        XCTAssertEqual(
            diagnostic.message,
            "VM web-01 cannot reach backup storage: Deny_All_Outbound (priority 1000) in nsg-web denies outbound Tcp to Storage.westeurope on port 8443 (managed disks); backups would fail with ExtensionSnapshotFailedNoNetwork"
        )
        XCTAssertEqual(
            diagnostic.help, "add an outbound Allow rule with priority 990 to nsg-web for Tcp to Storage.westeurope on port 8443")
        let note = try XCTUnwrap(diagnostic.notes.first?.range)
        XCTAssertEqual("\(result.report.path(of: note)):\(note.line):\(note.column)", "network.yaml:8:12")
    }

    func testADenyAtTheLowestPriorityLeavesNoFreeNumberBelowIt() throws {
        let result = NetworkEstate(observed: [observed("Deny_All_Outbound", access: "Deny", 100)]).result
        let help = try XCTUnwrap(result.report.diagnostics.first?.help)
        XCTAssertEqual(
            help,
            "no priority number below 100 is free in nsg-web: move Deny_All_Outbound to a higher number, then add an outbound Allow rule for Tcp to Storage.westeurope on port 8443 before it"
        )
    }

    func testThePortFollowsTheDisks() {
        let only443 = [allow(900, ports: "\"443\"")]
        XCTAssertEqual(codes(NetworkEstate(observed: [denyAll1000], managed: only443).result), ["TR401"])
        XCTAssertEqual(
            codes(
                NetworkEstate(
                    observed: [denyAll1000], managed: only443,
                    disks: "{managed: false, encryptedStorage: true}"
                ).result), [])
        // Unmanaged disks default to an encrypted storage account: port 443.
        XCTAssertEqual(codes(NetworkEstate(observed: [denyAll1000], managed: only443, disks: "{managed: false}").result), [])
        XCTAssertEqual(
            codes(
                NetworkEstate(
                    observed: [denyAll1000], managed: only443,
                    disks: "{managed: false, encryptedStorage: false}"
                ).result), ["TR401"])
        XCTAssertEqual(
            codes(
                NetworkEstate(
                    observed: [denyAll1000], managed: [allow(900, ports: "\"80\"")],
                    disks: "{managed: false, encryptedStorage: false}"
                ).result), [])
    }

    func testAllNSGsOfAVMMustAllowTheTraffic() {
        let open = ExampleManifests.nsg("nsg-nic-web")
        var estate = NetworkEstate(observed: [denyAll1000], nsgs: "[nsg-nic-web, nsg-web]", moreNetwork: [open])
        XCTAssertEqual(positions(estate.result), ["vms.yaml:17:38 TR401"])
        estate.managed = [allow(990)]
        XCTAssertEqual(positions(estate.result), [])
    }

    func testDenyingNICAndSubnetNSGsAreEachReported() {
        let nic = ExampleManifests.nsg("nsg-nic-web", rules: [observed("Deny_Storage", access: "Deny", 200, destination: "Storage")])
        let estate = NetworkEstate(observed: [denyAll1000], nsgs: "[nsg-nic-web, nsg-web]", moreNetwork: [nic])
        XCTAssertEqual(positions(estate.result), ["vms.yaml:17:25 TR401", "vms.yaml:17:38 TR401"])
    }

    func testOnlyProtectedVMsWithDirectOrFirewallEgressAreChecked() {
        XCTAssertEqual(codes(NetworkEstate(observed: [denyAll1000], isProtected: false).result), ["TR501"])  // unprotected: no TR401
        XCTAssertEqual(codes(NetworkEstate(observed: [denyAll1000], egress: "{via: firewall}").result), ["TR401"])
        XCTAssertFalse(codes(NetworkEstate(observed: [denyAll1000], egress: "{via: proxy, proxy: \"10.0.0.5\"}").result).contains("TR401"))
    }

    func testInvalidRulesAreReportedUnderTheirOwnCodeWithoutTR401() {
        let cases: [(NetworkEstate, [String])] = [
            (NetworkEstate(observed: [denyAll1000], managed: [allow(99)]), ["rules.yaml:7:11 TR403"]),
            (NetworkEstate(observed: [denyAll1000], managed: [allow(900, destination: "Storage.westeurop")]), ["rules.yaml:11:14 TR402"]),
            (NetworkEstate(observed: [denyAll1000], managed: [allow(900, ports: "\"8443-443\"")]), ["rules.yaml:12:19 TR406"]),
            (NetworkEstate(observed: [denyAll1000], managed: [allow(1000)]), ["rules.yaml:7:11 TR403"])
        ]
        for (estate, expected) in cases {
            XCTAssertEqual(positions(estate.result), expected)
        }
    }

    // MARK: TR402

    func testUnknownServiceTagsAreErrorsWithASuggestion() throws {
        let estate = NetworkEstate(observed: [
            observed("Allow_Any", access: "Allow", 300, destination: "Any"),
            observed("Deny_Web", access: "Deny", 310, source: "VirtualNetwok")
        ])
        let result = estate.result
        XCTAssertEqual(positions(result), ["network.yaml:8:133 TR402", "network.yaml:9:95 TR402"])
        XCTAssertEqual(result.report.diagnostics.map(\.help), ["write \"*\" for any address", "did you mean \"VirtualNetwork\"?"])
        XCTAssertEqual(ServiceTagRule.help(forUnknownTag: "Storage.West-Europe"), "did you mean \"Storage.westeurope\"?")
        XCTAssertEqual(ServiceTagRule.help(forUnknownTag: "Internet.westeurope"), "Internet has no regional form; write Internet")
    }

    func testStorageTagOfAnotherRegionThanTheVMsIsAWarning() throws {
        let result = NetworkEstate(managed: [allow(900, destination: "Storage.northeurope")]).result
        XCTAssertEqual(positions(result), ["rules.yaml:11:14 TR402"])
        let diagnostic = try XCTUnwrap(result.report.diagnostics.first)
        XCTAssertEqual(diagnostic.severity, .warning)
        XCTAssertEqual(diagnostic.help, "use Storage.westeurope")
        XCTAssertEqual(diagnostic.notes.first?.range?.line, 13)
        // No VM behind the NSG: nothing to compare with.
        XCTAssertEqual(codes(NetworkEstate(managed: [allow(900, destination: "Storage.northeurope")], nsgs: "[]").result), [])
    }

    // MARK: TR403

    func testPriorityBoundaries() {
        for (priority, expected) in [(99, ["network.yaml:8:73 TR403"]), (100, []), (4096, []), (4097, ["network.yaml:8:73 TR403"])] {
            let estate = NetworkEstate(observed: [observed("Allow_Storage", access: "Allow", priority, destination: "Storage")])
            XCTAssertEqual(positions(estate.result), expected, "priority \(priority)")
        }
    }

    func testRepeatedPriorityIsPerNSGAndDirectionAcrossObservedAndManagedRules() throws {
        let sameDirection = NetworkEstate(observed: [denyAll1000], managed: [allow(1000)]).result
        XCTAssertEqual(positions(sameDirection), ["rules.yaml:7:11 TR403"])
        let note = try XCTUnwrap(sameDirection.report.diagnostics.first?.notes.first)
        XCTAssertEqual(note.message, "Deny_All_Outbound has priority 1000 here")
        XCTAssertEqual(note.range?.line, 8)
        let otherDirection = NetworkEstate(observed: [denyAll1000, observed("Allow_Https", "Inbound", access: "Allow", 1000)])
        XCTAssertEqual(positions(otherDirection.result), ["vms.yaml:17:25 TR401"])
    }

    func testAnObservedCopyOfAManagedRuleIsThatRule() {
        // After an apply, an inventory lists tresor's own rule among the NSG's rules; the
        // manifest may already move it (950), and the managed declaration is what counts.
        let applied = observed(
            "allow-azure-backup", access: "Allow", 950, protocol: "Tcp", source: "VirtualNetwork",
            destination: "Storage.westeurope", ports: "\"8443\"")
        XCTAssertEqual(codes(NetworkEstate(observed: [applied, denyAll1000], managed: [allow(950)]).result), [])
        XCTAssertEqual(
            positions(NetworkEstate(observed: [applied, denyAll1000], managed: [allow(1100)]).result),
            ["vms.yaml:17:25 TR401", "rules.yaml:7:11 TR404"])
    }

    func testAzureDefaultRulesWrittenOutAreAccepted() {
        let estate = NetworkEstate(observed: [
            observed("AllowInternetOutBound", access: "Allow", 65001, destination: "Internet"),
            observed("DenyAllOutBound", access: "Deny", 65500)
        ])
        XCTAssertEqual(codes(estate.result), [])
    }

    // MARK: TR404

    func testDenyToInternetShadowsAStorageAllowAfterIt() {
        let estate = NetworkEstate(
            observed: [observed("Deny_Internet", access: "Deny", 1000, protocol: "Tcp", destination: "Internet")],
            managed: [allow(1100, ports: "[\"443\", \"8443\"]")])
        XCTAssertEqual(positions(estate.result), ["vms.yaml:17:25 TR401", "rules.yaml:7:11 TR404"])
    }

    func testPartialOverlapIsNotShadowing() {
        let cases = [
            observed("Deny_8443", access: "Deny", 1000, ports: "\"8443\""),  // 443 gets through
            observed("Deny_Udp", access: "Deny", 1000, protocol: "Udp"),  // other protocol
            observed("Deny_North", access: "Deny", 1000, destination: "Storage.northeurope"),  // other region
            observed("Deny_Ranges", access: "Deny", 1000, destination: "20.38.0.0/16")  // a CIDR never covers a tag
        ]
        for deny in cases {
            let estate = NetworkEstate(observed: [deny], managed: [allow(1100, ports: "[\"443\", \"8443\"]")])
            XCTAssertFalse(codes(estate.result).contains("TR404"), deny)
        }
    }

    func testCIDRsCoverTheCIDRsInsideThem() {
        let estate = NetworkEstate(observed: [
            observed("Deny_Halves", "Inbound", access: "Deny", 200, source: "[10.0.0.0/9, 10.128.0.0/9]"),
            observed("Allow_Spoke", "Inbound", access: "Allow", 300, source: "10.20.0.0/16", ports: "\"22\""),
            observed("Allow_Office", "Inbound", access: "Allow", 310, source: "192.168.1.0/24", ports: "\"22\"")
        ])
        XCTAssertEqual(positions(estate.result), ["network.yaml:9:70 TR404"])
    }

    // MARK: TR405

    private func proxied(_ managed: [String]) -> NetworkEstate {
        NetworkEstate(
            observed: [observed("Deny_All_Outbound", access: "Deny", 4000)], managed: managed,
            egress: "{via: proxy, proxy: \"10.0.0.5\"}")
    }

    func testProxyNeedsAnAllowToTheInternetOn80And443() throws {
        XCTAssertEqual(positions(proxied([]).result), ["vms.yaml:18:29 TR405"])
        let message = try XCTUnwrap(proxied([]).result.report.diagnostics.first?.message)
        XCTAssertTrue(message.hasSuffix("denies the proxy outbound Tcp to the Internet (Storage.westeurope) on ports 80 and 443"), message)
        for ports in ["\"80-443\"", "[\"80\", \"443\"]", "\"*\""] {
            XCTAssertEqual(
                codes(proxied([allow(910, name: "allow-proxy", source: "10.0.0.5/32", destination: "Internet", ports: ports)]).result), [],
                ports)
        }
        let only443 = proxied([allow(910, name: "allow-proxy", source: "10.0.0.5", destination: "Internet", ports: "\"443\"")]).result
        XCTAssertEqual(codes(only443), ["TR405"])
        XCTAssertEqual(
            only443.report.diagnostics.first?.help,
            "add an outbound Allow rule with priority 3990 to nsg-web for Tcp from 10.0.0.5 to Internet on port 80")
    }

    func testProxyAllowMayNameStorageOrARangeInsteadOfInternet() {
        for destination in ["Storage.westeurope", "Storage", "AzureCloud", "20.0.0.0/8"] {
            let estate = proxied([allow(910, name: "allow-proxy", source: "10.0.0.0/24", destination: destination, ports: "\"80-443\"")])
            XCTAssertEqual(codes(estate.result), [], destination)
        }
    }

    func testAnAllowForAnotherAddressDoesNotHelpTheProxy() {
        let estate = proxied([allow(910, name: "allow-proxy", source: "10.0.0.4/32", destination: "Internet", ports: "\"80-443\"")])
        XCTAssertEqual(codes(estate.result), ["TR405"])
        XCTAssertEqual(codes(NetworkEstate(egress: "{via: proxy, proxy: \"10.0.0.5\"}").result), [])
    }

    // MARK: TR406

    func testNameLengthAndCharacters() {
        for (name, expected) in [
            (String(repeating: "a", count: 80), []), (String(repeating: "a", count: 81), ["rules.yaml:3:7 TR406"]),
            ("Allow;Backup", ["rules.yaml:3:7 TR406"]), ("Allow Backup (8443)", [])
        ] {
            let estate = NetworkEstate(managed: [allow(900, name: "\"\(name)\"")])
            XCTAssertEqual(positions(estate.result), expected, name)
        }
    }

    func testDescriptionLength() {
        for (length, expected) in [(140, [String]()), (141, ["rules.yaml:13:14 TR406"])] {
            let estate = NetworkEstate(managed: [allow(900) + "\ndescription: " + String(repeating: "d", count: length)])
            XCTAssertEqual(positions(estate.result), expected, "\(length) characters")
        }
    }

    func testPortBoundariesAndOrder() {
        for (ports, expected) in [
            ("\"65535\"", [String]()), ("\"0-65535\"", []), ("\"65536\"", ["rules.yaml:12:19 TR406"]),
            ("\"443-80\"", ["rules.yaml:12:19 TR406"]), ("[\"443\", \"x\"]", ["rules.yaml:12:27 TR406"])
        ] {
            let estate = NetworkEstate(managed: [allow(900, ports: ports)])
            XCTAssertEqual(positions(estate.result), expected, ports)
        }
    }

    func testProtocolHelpNamesTheAPISpelling() {
        let estate = NetworkEstate(observed: [
            observed("Allow_Web", access: "Allow", 300, protocol: "Any"),
            observed("Allow_Dns", access: "Allow", 310, protocol: "Udpp")
        ])
        XCTAssertEqual(estate.result.report.diagnostics.map(\.help), ["write \"*\" for every protocol", "did you mean \"Udp\"?"])
    }

    func testProtocolAndAddressFormat() {
        let estate = NetworkEstate(observed: [observed("Allow_Web", access: "Allow", 300, protocol: "Http", destination: "10.0.0.300")])
        XCTAssertEqual(positions(estate.result), ["network.yaml:8:84 TR406", "network.yaml:8:134 TR406"])
    }
}
