import TresorModel

/// TR405: a VM that sends its traffic through an HTTP proxy whose way out its NSGs deny.
enum ProxyEgressRule: EstateRule {
    private typealias Example = ExampleManifests

    /// HTTP and HTTPS: the ports the seeds' proxy exception opens ("80-443").
    static let proxyPorts = [80, 443]

    static let description = RuleDescription(
        code: "TR405", severity: .error,
        title: "VM egress via proxy, but its NSGs deny the proxy address outbound Tcp to the Internet on 80 and 443",
        rationale: """
            A VM with egress via proxy sends its HTTP(S) traffic, the backup extension's included, \
            through the proxy, and the proxy needs an outbound Allow to the Internet: the seeds' rule \
            allows Tcp from the proxy address (10.0.0.5/32) to Internet on 80-443 at priority 200. tresor \
            evaluates the flow from the proxy address to Azure Storage in the VM's region on ports 80 and \
            443 through the VM's NSGs (the seeds name "port 80 (HTTP) or 443 (HTTPS)" and open both with \
            one range; tresor checks each, as the SPEC's "80/443" does), with the same first-match evaluation as TR401; the model does not \
            know the proxy VM's own NICs, so the VM's NSGs (typically its subnet's, which the proxy \
            shares) stand in for them. The seeds are broader than "to Internet": they also accept a \
            narrower IP range or the Storage.<region> tag as destination, so an Allow to Internet, \
            Storage, Storage.<region> or AzureCloud satisfies this rule, and an Allow to a CIDR is taken \
            as possibly enough. A CIDR source is matched against the proxy address exactly; a \
            VirtualNetwork source maybe (the VNet's address space is unknown). Only a certain denial is \
            reported. The seeds' other proxy steps (the proxy accepting traffic from the VNet, the VM's \
            proxy settings) are not modelled.
            """,
        source:
            "seeds 000, 001, 003, 004 (proxy exception: TCP from 10.0.0.5/32 to Internet on 80-443; Storage.<region> or an IP range instead of Internet)",
        triggering: [
            Example.manifests(
                Example.nsg(rules: [Example.denyAllOutbound(priority: "4000")]),
                Example.allowOutbound(
                    "allow-proxy-internet", priority: "910", source: "10.0.0.4/32",
                    destination: "Internet", ports: "\"80-443\""),
                Example.vmBehindNSG(egress: "{via: proxy, proxy: ↓\"10.0.0.5\"}"), Example.vault(), Example.protection())
        ],
        nonTriggering: [
            Example.manifests(
                Example.nsg(rules: [Example.denyAllOutbound(priority: "4000")]),
                Example.allowOutbound(
                    "allow-proxy-internet", priority: "910", source: "10.0.0.5/32",
                    destination: "Internet", ports: "\"80-443\""),
                Example.vmBehindNSG(egress: "{via: proxy, proxy: \"10.0.0.5\"}"), Example.vault(), Example.protection())
        ])

    static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic]) {
        let estate = context.estate
        var verdicts = VerdictCache(estate)
        for index in estate.virtualMachines.indices where estate.virtualMachines[index].effectiveEgress == .proxy {
            let vm = estate.virtualMachines[index]
            guard let proxy = vm.egress?.proxy, AzureRegions.isKnown(vm.region.value) else { continue }
            let address = proxyAddress(proxy.value)
            let storage = ServiceTag(base: "Storage", region: vm.region.value)
            estate.forEachNSG(of: index) { nsg, _ in
                // The ports each denying rule blocks, in port order.
                var denials: [(rule: Int, ports: [Int])] = []
                for port in proxyPorts {
                    let flow = BackupStorageFlows.viaProxy(address, region: vm.region.value, port: port)
                    guard case .denied(let rule) = verdicts.verdict(of: nsg, on: flow) else { continue }
                    if let existing = denials.firstIndex(where: { $0.rule == rule }) {
                        denials[existing].ports.append(port)
                    } else {
                        denials.append((rule, [port]))
                    }
                }
                let rules = verdicts.rules(of: nsg)
                for (ruleIndex, ports) in denials {
                    let deny = rules.rules[ruleIndex]
                    let portText = ports.count == 1 ? "port \(ports[0])" : "ports " + ports.map(String.init).joined(separator: " and ")
                    diagnostics.append(
                        diagnostic(
                            "VM \(vm.name.value) sends its traffic through proxy \(proxy.value), but \(deny.described(in: rules.nsgName)) denies the proxy outbound Tcp to the Internet (\(storage)) on \(portText)",
                            at: proxy.range, notes: [deny.note("denies it")],
                            help: rules.helpAddingAllow(before: deny, for: "for Tcp from \(proxy.value) to Internet on \(portText)")))
                }
            }
        }
    }

    /// The proxy's IPv4 address; "10.0.0.5:3128" names one too. Nil for a host name.
    static func proxyAddress(_ text: String) -> UInt32? {
        let host = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)[0]
        return IPv4Block.parseAddress(host)
    }
}
