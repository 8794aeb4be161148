import TresorModel

/// Whether each VM's backup traffic gets through its NSGs, by the evaluation TR401 (direct or
/// firewall egress) and TR405 (proxy egress) use: the same flows, the same first-match verdicts.
/// Unlike the rules, it looks at unprotected VMs too: the verdict is what protecting them would meet.
package struct BackupReachability {
    package enum Outcome: Equatable {
        /// Every NSG allows every flow (or the VM has no NSG).
        case reaches
        /// An NSG certainly denies a flow: the rule that reports it, the ports denied.
        case blocked(code: String, ports: [Int])
        /// Neither certain: the outcome depends on addresses the manifests do not give.
        case undetermined
    }

    /// One NSG's verdict on one VM's flows.
    package struct Passage {
        package var nsg: Int
        package var outcome: Outcome
    }

    /// By VM index: the VM's overall outcome, then each NSG's.
    package private(set) var outcomes: [Outcome] = []
    package private(set) var passages: [[Passage]] = []

    package init(_ estate: Estate) {
        var verdicts = VerdictCache(estate)
        outcomes.reserveCapacity(estate.virtualMachines.count)
        passages.reserveCapacity(estate.virtualMachines.count)
        for index in estate.virtualMachines.indices {
            let (code, flows) = Self.flows(of: estate.virtualMachines[index])
            var overall = Outcome.reaches
            var vmPassages: [Passage] = []
            estate.forEachNSG(of: index) { nsg, _ in
                var outcome = flows.isEmpty ? Outcome.undetermined : .reaches
                for flow in flows {
                    switch verdicts.verdict(of: nsg, on: flow) {
                    case .allowed: break
                    case .denied:
                        if case .blocked(let code, let ports) = outcome {
                            outcome = .blocked(code: code, ports: ports + [flow.destinationPort])
                        } else {
                            outcome = .blocked(code: code, ports: [flow.destinationPort])
                        }
                    case .undetermined:
                        if outcome == .reaches { outcome = .undetermined }
                    }
                }
                vmPassages.append(Passage(nsg: nsg, outcome: outcome))
                overall = Self.worse(overall, outcome)
            }
            if flows.isEmpty { overall = .undetermined }
            outcomes.append(overall)
            passages.append(vmPassages)
        }
    }

    /// The flows of a VM's backup traffic and the rule that checks them; none when the region
    /// is unknown (TR103) or a proxy is named without an address.
    private static func flows(of vm: VirtualMachine) -> (code: String, flows: [Flow]) {
        let region = vm.region.value
        let direct = BackupStorageReachabilityRule.self
        guard AzureRegions.isKnown(region) else { return (direct.description.code, []) }
        guard vm.effectiveEgress == .proxy else {
            return (direct.description.code, [BackupStorageFlows.direct(region: region, port: direct.storagePort(of: vm.disks).port)])
        }
        let proxied = ProxyEgressRule.self
        guard let proxy = vm.egress?.proxy else { return (proxied.description.code, []) }
        let address = proxied.proxyAddress(proxy.value)
        return (proxied.description.code, proxied.proxyPorts.map { BackupStorageFlows.viaProxy(address, region: region, port: $0) })
    }

    /// Blocked over undetermined over reaches; blocked ports of several NSGs together.
    package static func worse(_ a: Outcome, _ b: Outcome) -> Outcome {
        switch (a, b) {
        case (.blocked(let code, let ports), .blocked(_, let more)):
            return .blocked(code: code, ports: ports + more.filter { !ports.contains($0) })
        case (.blocked, _): return a
        case (_, .blocked): return b
        case (.undetermined, _), (_, .undetermined): return .undetermined
        default: return .reaches
        }
    }
}
