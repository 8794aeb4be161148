import TresorModel
import TresorSupport

/// TR402: service tags in NSG rules that Azure does not know, and Storage tags of another region
/// than the VMs behind the NSG.
enum ServiceTagRule: EstateRule {
    private typealias Example = ExampleManifests

    static let description = RuleDescription(
        code: "TR402", severity: .error,
        title: "unknown service tag (error); Storage.<region> of another region than the VMs it serves (warning)",
        rationale: """
            A source or destination that starts with a letter is a service tag, and must be one Azure \
            publishes: a base tag (Internet, VirtualNetwork, Storage, AzureCloud, ...) or, for tags that \
            can be regional, "<tag>.<region>" with an Azure region's programmatic name. Azure rejects a rule \
            with an unknown tag, so tresor does not rely on it when it evaluates reachability. The backup \
            extension reaches storage in the region of the vault and its VMs, so a Storage.<region> rule \
            for another region than the VMs that list the NSG (NIC or subnet) lets no backup traffic \
            through: a warning, since the rule may serve something else. Tags match case-insensitively.
            """,
        source:
            "seeds 000, 001 (Storage.<region>: \"the region of the vault and the VMs to back up\"); Microsoft Learn, Virtual network service tags",
        triggering: [
            Example.manifests(
                Example.nsg(),
                Example.allowOutbound(
                    "allow-azure-backup", priority: "900",
                    destination: "↓Storage.westeurop", ports: "\"8443\"")),
            Example.manifests(
                Example.nsg(),
                Example.allowOutbound(
                    "allow-azure-backup", priority: "900",
                    destination: "↓Storage.northeurope", ports: "\"8443\""),
                Example.vmBehindNSG())
        ],
        nonTriggering: [
            Example.manifests(
                Example.nsg(),
                Example.allowOutbound(
                    "allow-azure-backup", priority: "900",
                    destination: "storage.WestEurope", ports: "\"8443\""),
                Example.vmBehindNSG())
        ])

    static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic]) {
        let estate = context.estate
        // The regions of the VMs behind each NSG, and the first such VM (for the note).
        var regionsOfNSG = [Set<String>](repeating: [], count: estate.networkSecurityGroups.count)
        var firstVMOfNSG = [Int?](repeating: nil, count: estate.networkSecurityGroups.count)
        // Each NSG's last region added, so that the VMs of one region, which come together, cost
        // no hashing.
        var lastRegionOfNSG = [String?](repeating: nil, count: estate.networkSecurityGroups.count)
        var previous: (region: String, known: Bool)?
        for index in estate.virtualMachines.indices {
            let region = estate.virtualMachines[index].region.value
            if previous?.region != region { previous = (region, AzureRegions.isKnown(region)) }
            guard previous!.known else { continue }
            estate.forEachNSG(of: index) { nsg, _ in
                guard lastRegionOfNSG[nsg] != region else { return }
                lastRegionOfNSG[nsg] = region
                regionsOfNSG[nsg].insert(region)
                if firstVMOfNSG[nsg] == nil { firstVMOfNSG[nsg] = index }
            }
        }
        for (rule, nsg) in estate.declaredSecurityRules() {
            for entry in rule.sources + rule.destinations {
                switch AddressPrefix.parse(entry.value) {
                case .failure(.unknownServiceTag):
                    diagnostics.append(
                        diagnostic(
                            "unknown service tag \"\(entry.value)\" in \(rule.name.value)", at: entry.range,
                            help: help(forUnknownTag: entry.value)))
                case .success(.serviceTag(let tag)):
                    guard tag.base == "Storage", let region = tag.region, let first = firstVMOfNSG[nsg],
                        !regionsOfNSG[nsg].contains(region)
                    else { continue }
                    let regions = regionsOfNSG[nsg].sorted()
                    let vm = estate.virtualMachines[first]
                    let nsgName = estate.networkSecurityGroups[nsg].name.value
                    diagnostics.append(
                        diagnostic(
                            .warning,
                            "\(entry.value) in \(rule.name.value) is not the region of the VMs behind \(nsgName) (\(regions.joined(separator: ", "))): their backup traffic goes to storage in their own region",
                            at: entry.range, notes: [DiagnosticNote("\(vm.name.value) is in \(vm.region.value)", at: vm.region.range)],
                            help: "use " + regions.map { "Storage.\($0)" }.joined(separator: " or ")))
                default:
                    continue
                }
            }
        }
    }

    /// The tag the user probably meant.
    static func help(forUnknownTag text: String) -> String? {
        if text.lowercased() == "any" { return "write \"*\" for any address" }
        if let dot = text.lastIndex(of: "."), let base = ServiceTags.parse(String(text[..<dot])), base.region == nil {
            guard ServiceTags.regional.contains(base.base) else { return "\(base.base) has no regional form; write \(base.base)" }
            let region = String(text[text.index(after: dot)...])
            let meant = AzureRegions.canonicalName(for: region) ?? Suggestion.nearest(to: region, in: AzureRegions.all.map(\.name))
            return meant.map { "did you mean \"\(base.base).\($0)\"?" } ?? "\"\(region)\" is not an Azure region's programmatic name"
        }
        return Suggestion.nearest(to: text, in: ServiceTags.all).map { "did you mean \"\($0)\"?" }
    }
}
