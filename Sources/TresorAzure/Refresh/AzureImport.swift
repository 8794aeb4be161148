import TresorFrontEnd
import TresorModel
import TresorPlan
import TresorSupport

extension ARMAPIVersion {
    /// Microsoft.Compute virtual machines, read by import (`ComputeRP/stable/2024-07-01`).
    public static let compute = "2024-07-01"
}

/// `tresor import --subscription`: reads an estate from Azure Resource Manager and hands it to
/// TresorCore's import in the az CLI's JSON shapes. Reads: the vaults of the subscription (or of
/// each `--resource-group`), each vault's policies and VM items (the lists refresh uses), the
/// subscription's VMs and NSGs (wherever their resource groups), and the network interfaces of
/// protected VMs that no NSG names, to find NSGs attached to a NIC or to its subnet.
public enum AzureImport {
    /// The lists import needs, as `(what was read, JSON text)`.
    public static func export(
        subscription: String, resourceGroups: [String], settings: AzureSettings,
        environment: [String: String]
    ) async -> Result<[(path: String, text: String)], FatalDiagnostic> {
        let provider: AzureProvider
        switch await AzureProvider.connect(settings: settings, environment: environment) {
        case .success(let connected): provider = connected
        case .failure(let failure): return .failure(failure)
        }
        do throws(ProviderFailure) {
            return .success(
                try await export(
                    subscription: subscription, resourceGroups: resourceGroups,
                    reader: ARMReader(client: provider.client, timeout: provider.timeout)))
        } catch {
            return .failure(
                FatalDiagnostic(
                    ProviderRefusalRule.diagnostic(
                        "cannot read the estate from Azure: \(error.message)", at: nil,
                        notes: [
                            error.httpStatus.map { DiagnosticNote("HTTP \($0)" + (error.code.map { ", \($0)" } ?? "")) },
                            error.correlationID.map { DiagnosticNote("x-ms-correlation-request-id: \($0)") }
                        ].compactMap { $0 })))
        }
    }

    static func export(subscription: String, resourceGroups: [String], reader: ARMReader) async throws(ProviderFailure)
        -> [(path: String, text: String)]
    {
        let scopes =
            resourceGroups.isEmpty
            ? ["/subscriptions/\(subscription)"]
            : resourceGroups.map { "/subscriptions/\(subscription)/resourceGroups/\($0)" }
        let vaultLists = try await ARMReader.each(scopes) { scope async throws(ProviderFailure) in
            try await reader.list(scope + "/providers/Microsoft.RecoveryServices/vaults", apiVersion: ARMAPIVersion.vaults) ?? []
        }
        let vaults = vaultLists.flatMap { $0 }
        let vaultIDs = vaults.compactMap { $0["id"]?.stringValue }
        let contents = try await ARMReader.each(vaultIDs) { id async throws(ProviderFailure) in
            async let policies = Result { () async throws(ProviderFailure) in
                try await reader.list(id + "/backupPolicies", apiVersion: ARMAPIVersion.backup) ?? []
            }
            async let items = Result { () async throws(ProviderFailure) in
                try await reader.list(id + "/backupProtectedItems", apiVersion: ARMAPIVersion.backup, query: AzureProvider.itemFilter) ?? []
            }
            let (policyList, itemList) = await (policies, items)
            return (try policyList.get(), try itemList.get())
        }
        let policies = contents.flatMap(\.0)
        let items = contents.flatMap(\.1)
        let root = "/subscriptions/\(subscription)/providers"
        async let vmList = Result { () async throws(ProviderFailure) in
            try await reader.list(root + "/Microsoft.Compute/virtualMachines", apiVersion: ARMAPIVersion.compute) ?? []
        }
        async let nsgList = Result { () async throws(ProviderFailure) in
            try await reader.list(root + "/Microsoft.Network/networkSecurityGroups", apiVersion: ARMAPIVersion.network) ?? []
        }
        let (vmResult, nsgResult) = await (vmList, nsgList)
        let vms = try vmResult.get()
        var nsgs = try nsgResult.get()
        try await attachInterfaces(of: vms, protectedBy: items, to: &nsgs, reader: reader)

        func text(_ entries: [JSON]) -> String { JSON.array(entries).rendered() }
        let base = reader.client.baseURL
        return [
            ("\(base)\(scopes.joined(separator: ","))/vaults", text(vaults)),
            ("\(base)/…/backupPolicies", text(policies)),
            ("\(base)/…/backupProtectedItems", text(items)),
            ("\(base)\(root)/Microsoft.Compute/virtualMachines", text(vms.map(flattened))),
            ("\(base)\(root)/Microsoft.Network/networkSecurityGroups", text(nsgs.map(flattenedGroup)))
        ]
    }

    /// Adds to each NSG's `networkInterfaces` the protected VMs' NICs it filters: attached to
    /// the NIC, or to the NIC's subnet. NICs an NSG already names need no read.
    private static func attachInterfaces(
        of vms: [JSON], protectedBy items: [JSON], to nsgs: inout [JSON],
        reader: ARMReader
    ) async throws(ProviderFailure) {
        let protected = Set(
            items.compactMap { item -> String? in
                guard item["properties"]?["isScheduledForDeferredDelete"]?.boolValue != true else { return nil }
                return (item["properties"]?["sourceResourceId"]?.stringValue ?? item["properties"]?["virtualMachineId"]?.stringValue).map(
                    ResourceID.key)
            })
        let named = Set(
            nsgs.flatMap { nsg in
                (nsg["properties"]?["networkInterfaces"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue.map(ResourceID.key) }
            })
        var interfaces: [String] = []
        for vm in vms where protected.contains(ResourceID.key(vm["id"]?.stringValue ?? "")) {
            for nic in vm["properties"]?["networkProfile"]?["networkInterfaces"]?.arrayValue ?? [] {
                if let id = nic["id"]?.stringValue, !named.contains(ResourceID.key(id)) { interfaces.append(id) }
            }
        }
        let read = try await ARMReader.each(interfaces) { id async throws(ProviderFailure) in
            try await reader.get(id, apiVersion: ARMAPIVersion.network)
        }
        var attached: [String: [String]] = [:]
        for (id, nic) in zip(interfaces, read) {
            guard let properties = nic?["properties"] else { continue }
            if let nsg = properties["networkSecurityGroup"]?["id"]?.stringValue { attached[ResourceID.key(nsg), default: []].append(id) }
            for configuration in properties["ipConfigurations"]?.arrayValue ?? [] {
                guard let subnet = configuration["properties"]?["subnet"]?["id"]?.stringValue else { continue }
                for nsg in nsgs
                where (nsg["properties"]?["subnets"]?.arrayValue ?? []).contains(where: {
                    ResourceID.key($0["id"]?.stringValue ?? "") == ResourceID.key(subnet)
                }) {
                    attached[ResourceID.key(nsg["id"]?.stringValue ?? ""), default: []].append(id)
                }
            }
        }
        for index in nsgs.indices {
            guard let nics = attached[ResourceID.key(nsgs[index]["id"]?.stringValue ?? "")],
                case .object(var members) = nsgs[index],
                let at = members.firstIndex(where: { $0.0 == "properties" }), case .object(var properties) = members[at].1
            else { continue }
            let known = properties.first { $0.0 == "networkInterfaces" }?.1.arrayValue ?? []
            properties.removeAll { $0.0 == "networkInterfaces" }
            properties.append(("networkInterfaces", .array(known + nics.map { .object([("id", .string($0))]) })))
            members[at].1 = .object(properties)
            nsgs[index] = .object(members)
        }
    }

    /// A resource as the az CLI prints it: its `properties` members beside its own (the Python
    /// SDK's flattening), for VMs and NSGs.
    static func flattened(_ resource: JSON) -> JSON {
        guard case .object(let members) = resource else { return resource }
        var result = members.filter { $0.0 != "properties" }
        if case .object(let properties)? = resource["properties"] { result += properties }
        return .object(result)
    }

    /// An NSG flattened, with each of its security rules flattened too.
    private static func flattenedGroup(_ nsg: JSON) -> JSON {
        guard case .object(var members) = flattened(nsg) else { return nsg }
        for index in members.indices where members[index].0 == "securityRules" {
            members[index].1 = .array((members[index].1.arrayValue ?? []).map(flattened))
        }
        return .object(members)
    }
}
