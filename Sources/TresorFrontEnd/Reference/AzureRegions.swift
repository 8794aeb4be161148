// Source: Azure public-cloud physical regions as listed by `az account list-locations`
// (regionType "Physical") and the Microsoft Learn "Azure regions list" page, cross-checked
// against the location enums of the Azure SDKs (azure-sdk AzureLocation) and published
// `az account list-locations` output; retrieved 2026.
//
// Included: every physical region of the Azure *public* cloud, including access-restricted
// ones (e.g. australiacentral2, brazilus, taiwannorthwest, jioindiacentral) and the two
// early-access ("EUAP", canary) regions, because a subscription that is granted access can
// deploy vaults and VMs there and tresor must not reject them.
// Excluded: logical/geography names ("global", "europe", "unitedstates", "asia", ...),
// internal staging regions ("eastusstg", "southcentralusstg", "*stage"), sovereign clouds
// (China: chinaeast2…, US Gov/DoD: usgovvirginia…, the retired Germany cloud), and
// announced regions that could not be confirmed as live (e.g. israelnorthwest,
// malaysiasouth, indiasouthcentral, eastus3).

public struct AzureRegion: Sendable, Hashable {
    /// Programmatic name, e.g. "westeurope".
    public let name: String
    /// Display name, e.g. "West Europe".
    public let displayName: String

    public init(name: String, displayName: String) {
        self.name = name
        self.displayName = displayName
    }
}

public enum AzureRegions {
    /// Every Azure public-cloud physical region, grouped by geography.
    public static let all: [AzureRegion] = [
        // United States
        AzureRegion(name: "eastus", displayName: "East US"),
        AzureRegion(name: "eastus2", displayName: "East US 2"),
        AzureRegion(name: "centralus", displayName: "Central US"),
        AzureRegion(name: "northcentralus", displayName: "North Central US"),
        AzureRegion(name: "southcentralus", displayName: "South Central US"),
        AzureRegion(name: "westcentralus", displayName: "West Central US"),
        AzureRegion(name: "westus", displayName: "West US"),
        AzureRegion(name: "westus2", displayName: "West US 2"),
        AzureRegion(name: "westus3", displayName: "West US 3"),
        AzureRegion(name: "centraluseuap", displayName: "Central US EUAP"),
        AzureRegion(name: "eastus2euap", displayName: "East US 2 EUAP"),
        // Canada
        AzureRegion(name: "canadacentral", displayName: "Canada Central"),
        AzureRegion(name: "canadaeast", displayName: "Canada East"),
        // Latin America
        AzureRegion(name: "brazilsouth", displayName: "Brazil South"),
        AzureRegion(name: "brazilsoutheast", displayName: "Brazil Southeast"),
        AzureRegion(name: "brazilus", displayName: "Brazil US"),
        AzureRegion(name: "mexicocentral", displayName: "Mexico Central"),
        AzureRegion(name: "chilecentral", displayName: "Chile Central"),
        // Europe
        AzureRegion(name: "northeurope", displayName: "North Europe"),
        AzureRegion(name: "westeurope", displayName: "West Europe"),
        AzureRegion(name: "uksouth", displayName: "UK South"),
        AzureRegion(name: "ukwest", displayName: "UK West"),
        AzureRegion(name: "francecentral", displayName: "France Central"),
        AzureRegion(name: "francesouth", displayName: "France South"),
        AzureRegion(name: "germanywestcentral", displayName: "Germany West Central"),
        AzureRegion(name: "germanynorth", displayName: "Germany North"),
        AzureRegion(name: "switzerlandnorth", displayName: "Switzerland North"),
        AzureRegion(name: "switzerlandwest", displayName: "Switzerland West"),
        AzureRegion(name: "norwayeast", displayName: "Norway East"),
        AzureRegion(name: "norwaywest", displayName: "Norway West"),
        AzureRegion(name: "swedencentral", displayName: "Sweden Central"),
        AzureRegion(name: "swedensouth", displayName: "Sweden South"),
        AzureRegion(name: "polandcentral", displayName: "Poland Central"),
        AzureRegion(name: "italynorth", displayName: "Italy North"),
        AzureRegion(name: "spaincentral", displayName: "Spain Central"),
        AzureRegion(name: "austriaeast", displayName: "Austria East"),
        AzureRegion(name: "belgiumcentral", displayName: "Belgium Central"),
        AzureRegion(name: "denmarkeast", displayName: "Denmark East"),
        // Middle East and Africa
        AzureRegion(name: "uaenorth", displayName: "UAE North"),
        AzureRegion(name: "uaecentral", displayName: "UAE Central"),
        AzureRegion(name: "qatarcentral", displayName: "Qatar Central"),
        AzureRegion(name: "israelcentral", displayName: "Israel Central"),
        AzureRegion(name: "southafricanorth", displayName: "South Africa North"),
        AzureRegion(name: "southafricawest", displayName: "South Africa West"),
        // Asia Pacific
        AzureRegion(name: "eastasia", displayName: "East Asia"),
        AzureRegion(name: "southeastasia", displayName: "Southeast Asia"),
        AzureRegion(name: "japaneast", displayName: "Japan East"),
        AzureRegion(name: "japanwest", displayName: "Japan West"),
        AzureRegion(name: "koreacentral", displayName: "Korea Central"),
        AzureRegion(name: "koreasouth", displayName: "Korea South"),
        AzureRegion(name: "centralindia", displayName: "Central India"),
        AzureRegion(name: "southindia", displayName: "South India"),
        AzureRegion(name: "westindia", displayName: "West India"),
        AzureRegion(name: "jioindiacentral", displayName: "Jio India Central"),
        AzureRegion(name: "jioindiawest", displayName: "Jio India West"),
        AzureRegion(name: "indonesiacentral", displayName: "Indonesia Central"),
        AzureRegion(name: "malaysiawest", displayName: "Malaysia West"),
        AzureRegion(name: "taiwannorth", displayName: "Taiwan North"),
        AzureRegion(name: "taiwannorthwest", displayName: "Taiwan Northwest"),
        AzureRegion(name: "australiaeast", displayName: "Australia East"),
        AzureRegion(name: "australiasoutheast", displayName: "Australia Southeast"),
        AzureRegion(name: "australiacentral", displayName: "Australia Central"),
        AzureRegion(name: "australiacentral2", displayName: "Australia Central 2"),
        AzureRegion(name: "newzealandnorth", displayName: "New Zealand North")
    ]

    /// Programmatic names, for O(1) lookup.
    private static let names: Set<String> = Set(all.map(\.name))

    /// Normalised key (lowercase, letters and digits only) -> programmatic name.
    /// Built from both the programmatic and the display names.
    private static let byNormalisedKey: [String: String] = {
        var map: [String: String] = [:]
        for region in all {
            map[normalise(region.name)] = region.name
            map[normalise(region.displayName)] = region.name
        }
        return map
    }()

    /// True when `name` is exactly the programmatic name of a public region (lowercase).
    public static func isKnown(_ name: String) -> Bool {
        names.contains(name)
    }

    /// The programmatic name that `input` clearly means, or nil.
    ///
    /// Accepts display names ("West Europe"), other cases ("WestEurope", "WESTEUROPE"),
    /// spaces, hyphens, underscores and dots as separators ("west-europe", "west_europe"),
    /// the `az` "regional display name" form ("(Europe) West Europe"), and the
    /// geography-first word order some tools use ("europe-west", "us-east-2").
    /// Logical names ("global", "europe") and anything else return nil.
    public static func canonicalName(for input: String) -> String? {
        var text = input
        // Drop a leading "(Geography) " as printed in `regionalDisplayName`.
        if text.first == "(", let close = text.firstIndex(of: ")") {
            text = String(text[text.index(after: close)...])
        }
        let key = normalise(text)
        if key.isEmpty { return nil }
        if let name = byNormalisedKey[key] { return name }

        // Try other word orders: "europe west" -> "westeurope", "us east 2" -> "eastus2".
        let words = tokens(text)
        guard words.count >= 2 && words.count <= 4 else { return nil }
        var alpha = words.filter { !$0.allSatisfy(\.isNumber) }
        let digits = words.filter { $0.allSatisfy(\.isNumber) }.joined()
        guard alpha.count >= 2 && alpha.count <= 3 else { return nil }
        alpha.sort()
        for order in permutations(alpha) {
            if let name = byNormalisedKey[order.joined() + digits] { return name }
        }
        return nil
    }

    // MARK: - Helpers

    private static func normalise(_ text: String) -> String {
        String(text.lowercased().filter { $0.isLetter || $0.isNumber })
    }

    private static func tokens(_ text: String) -> [String] {
        text.lowercased()
            .split(whereSeparator: { !($0.isLetter || $0.isNumber) })
            .map(String.init)
    }

    private static func permutations(_ items: [String]) -> [[String]] {
        if items.count <= 1 { return [items] }
        var result: [[String]] = []
        for (index, item) in items.enumerated() {
            var rest = items
            rest.remove(at: index)
            for tail in permutations(rest) {
                result.append([item] + tail)
            }
        }
        return result
    }
}
