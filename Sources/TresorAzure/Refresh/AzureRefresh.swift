import TresorFrontEnd
import TresorPlan
import TresorState
import TresorSupport

/// Refresh (SPEC §7) through list operations: per vault one GET of the vault (its redundancy
/// and Cross Region Restore are on the vault at api-version 2026-08-01, so no storage-config
/// read), the `backupPolicies` list and the `backupProtectedItems` list filtered to Azure VMs;
/// per NSG the `securityRules` list; every list followed through `nextLink`. Requests grow
/// with vaults, NSGs and pages, never with protected items.
extension AzureProvider {
    static let itemFilter =
        "&$filter=" + "backupManagementType eq 'AzureIaasVM' and itemType eq 'VM'"
        .addingPercentEncoding(withAllowedCharacters: .alphanumerics)!

    public func refresh(_ scope: RefreshScope) async throws(ProviderFailure) -> LiveEstate? {
        let reader = ARMReader(client: client, timeout: timeout)
        let vaults = try await ARMReader.each(scope.vaults) { id async throws(ProviderFailure) in
            try await Self.readVault(id, reader)
        }
        let groups = try await ARMReader.each(scope.networkSecurityGroups) { id async throws(ProviderFailure) in
            try await reader.list(id + "/securityRules", apiVersion: ARMAPIVersion.network) ?? []
        }
        var live = LiveEstate()
        for vault in vaults {
            guard let resource = vault.resource else { continue }
            live.vaults.append(resource)
            live.policies += vault.policies
            live.items += vault.items
        }
        for rules in groups {
            for rule in rules {
                guard let id = rule["id"]?.stringValue else { continue }
                live.securityRules.append(
                    StateResource(
                        kind: .networkRule, id: id, name: ARMPaths.name(in: id),
                        attributes: ARMAttributes.securityRule(rule, planned: nil)))
            }
        }
        return live
    }

    /// A vault and what it holds; no resource when Azure no longer has it.
    private struct LiveVault: Sendable {
        var resource: StateResource?
        var policies: [StateResource] = []
        var items: [LiveItem] = []
    }

    private static func readVault(_ id: String, _ reader: ARMReader) async throws(ProviderFailure) -> LiveVault {
        // The vault and its two lists at once.
        async let vault = Result { () async throws(ProviderFailure) in try await reader.get(id, apiVersion: ARMAPIVersion.vaults) }
        async let policies = Result { () async throws(ProviderFailure) in
            try await reader.list(id + "/backupPolicies", apiVersion: ARMAPIVersion.backup)
        }
        async let items = Result { () async throws(ProviderFailure) in
            try await reader.list(id + "/backupProtectedItems", apiVersion: ARMAPIVersion.backup, query: itemFilter)
        }
        let readings = await (vault, policies, items)
        guard let resource = try readings.0.get() else { return LiveVault() }
        var live = LiveVault(
            resource: StateResource(
                kind: .vault, id: id, name: ARMPaths.name(in: id),
                attributes: ARMAttributes.vault(resource, planned: nil)))
        for policy in try readings.1.get() ?? [] {
            guard let policyID = policy["id"]?.stringValue else { continue }
            live.policies.append(
                StateResource(
                    kind: .backupPolicy, id: policyID, name: ARMPaths.name(in: policyID),
                    attributes: withInstantRestoreDefault(ARMAttributes.policy(policy, planned: nil))))
        }
        for item in try readings.2.get() ?? [] {
            guard let itemID = item["id"]?.stringValue else { continue }
            let properties = item["properties"]
            // Named as state names items, by their VM.
            let name = properties?["friendlyName"]?.stringValue ?? ARMPaths.name(in: itemID)
            live.items.append(
                LiveItem(
                    StateResource(
                        kind: .protectedItem, id: itemID, name: name,
                        attributes: protectedWhileFailing(ARMAttributes.protectedItem(item, planned: nil))),
                    softDeleted: properties?["isScheduledForDeferredDelete"]?.boolValue == true))
        }
        return live
    }
}

/// Azure fills in instant restore days when a policy is created without them (2 days, 5 for a
/// weekly schedule), as the model's default does; a policy answered without them has those.
private func withInstantRestoreDefault(_ attributes: JSON) -> JSON {
    guard attributes["instantRestoreDays"] == .null, case .object(var members) = attributes,
        let index = members.firstIndex(where: { $0.0 == "instantRestoreDays" })
    else { return attributes }
    members[index].1 = .int(attributes["schedule"]?["frequency"]?.stringValue?.asciiFolded == "weekly" ? 5 : 2)
    return .object(members)
}

/// ProtectionError: protection is configured and its backups fail; it is protected, as import
/// takes it, and planning it back to Protected would change nothing.
private func protectedWhileFailing(_ attributes: JSON) -> JSON {
    guard attributes["protectionState"]?.stringValue?.asciiFolded == "protectionerror", case .object(var members) = attributes,
        let index = members.firstIndex(where: { $0.0 == "protectionState" })
    else { return attributes }
    members[index].1 = .string(ProtectionState.protected.rawValue)
    return .object(members)
}

extension Result where Failure == ProviderFailure {
    /// The outcome of a throwing async read, kept to be looked at once all reads have run.
    init(_ body: () async throws(ProviderFailure) -> Success) async {
        do throws(ProviderFailure) {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
