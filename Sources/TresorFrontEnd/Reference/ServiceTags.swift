// Source: Microsoft Learn "Virtual network service tags" (articles/virtual-network/
// service-tags-overview.md, "Available service tags" table, "Can be regional?" column), and
// the Service Tag Discovery API / ServiceTags_Public JSON for regional entries; retrieved 2026.
// Regions in a "<Tag>.<region>" suffix are checked against AzureRegions.

public enum ServiceTags {
    /// Base service tag names usable in NSG security rules, in canonical spelling.
    public static let all: [String] = [
        "ActionGroup",
        "ApiManagement",
        "ApplicationInsightsAvailability",
        "AppConfiguration",
        "AppService",
        "AppServiceManagement",
        "AutonomousDevelopmentPlatform",
        "AzureActiveDirectory",
        "AzureActiveDirectoryDomainServices",
        "AzureAdvancedThreatProtection",
        "AzureArcInfrastructure",
        "AzureAttestation",
        "AzureBackup",
        "AzureBotService",
        "AzureCloud",
        "AzureCognitiveSearch",
        "AzureConnectors",
        "AzureContainerAppsService",
        "AzureContainerRegistry",
        "AzureCosmosDB",
        "AzureDatabricks",
        "AzureDataExplorerManagement",
        "AzureDataLake",
        "AzureDeviceUpdate",
        "AzureDevSpaces",
        "AzureDevOps",
        "AzureDigitalTwins",
        "AzureEventGrid",
        "AzureFrontDoor.Frontend",
        "AzureFrontDoor.Backend",
        "AzureFrontDoor.FirstParty",
        "AzureHealthcareAPIs",
        "AzureInformationProtection",
        "AzureIoTHub",
        "AzureKeyVault",
        "AzureLoadBalancer",
        "AzureLoadTestingInstanceManagement",
        "AzureMachineLearning",
        "AzureMachineLearningInference",
        "AzureManagedGrafana",
        "AzureMonitor",
        "AzureOpenDatasets",
        "AzurePlatformDNS",
        "AzurePlatformIMDS",
        "AzurePlatformLKM",
        "AzureResourceManager",
        "AzureSentinel",
        "AzureSignalR",
        "AzureSiteRecovery",
        "AzureSphere",
        "AzureSpringCloud",
        "AzureStack",
        "AzureTrafficManager",
        "AzureUpdateDelivery",
        "AzureWebPubSub",
        "BatchNodeManagement",
        "ChaosStudio",
        "CognitiveServicesFrontend",
        "CognitiveServicesManagement",
        "DataFactory",
        "DataFactoryManagement",
        "Dynamics365BusinessCentral",
        "Dynamics365ForMarketingEmail",
        "EOPExternalPublishedIPs",
        "EventHub",
        "GatewayManager",
        "GuestAndHybridManagement",
        "HDInsight",
        "Internet",
        "KustoAnalytics",
        "LogicApps",
        "LogicAppsManagement",
        "M365ManagementActivityApi",
        "M365ManagementActivityApiWebhook",
        "Marketplace",
        "MicrosoftAzureFluidRelay",
        "MicrosoftCloudAppSecurity",
        "MicrosoftContainerRegistry",
        "MicrosoftDefenderForEndpoint",
        "MicrosoftPurviewPolicyDistribution",
        "OneDsCollector",
        "PowerBI",
        "PowerPlatformInfra",
        "PowerPlatformPlex",
        "PowerQueryOnline",
        "Scuba",
        "SerialConsole",
        "ServiceBus",
        "ServiceFabric",
        "Sql",
        "SqlManagement",
        "Storage",
        "StorageMover",
        "StorageSyncService",
        "VideoIndexer",
        "VirtualNetwork",
        "WindowsAdminCenter",
        "WindowsVirtualDesktop"
    ]

    /// Base tags that accept a ".<region>" suffix ("Can be regional? Yes" in the table).
    ///
    /// AzureBackup and AzureMonitor are marked "No" in the table, but regional entries
    /// (e.g. "AzureBackup.WestEurope", "AzureMonitor.EastUS") are published by the Service
    /// Tag Discovery API, which the same page names as the source of truth for NSG rules;
    /// tresor accepts them rather than reject a rule Azure accepts.
    public static let regional: Set<String> = [
        "ApiManagement",
        "AppService",
        "AutonomousDevelopmentPlatform",
        "AzureBackup",
        "AzureCloud",
        "AzureConnectors",
        "AzureContainerAppsService",
        "AzureContainerRegistry",
        "AzureCosmosDB",
        "AzureDevOps",
        "AzureFrontDoor.Frontend",
        "AzureFrontDoor.Backend",
        "AzureFrontDoor.FirstParty",
        "AzureIoTHub",
        "AzureKeyVault",
        "AzureMonitor",
        "AzureWebPubSub",
        "BatchNodeManagement",
        "DataFactory",
        "Dynamics365ForMarketingEmail",
        "EventHub",
        "HDInsight",
        "M365ManagementActivityApi",
        "M365ManagementActivityApiWebhook",
        "MicrosoftContainerRegistry",
        "PowerPlatformInfra",
        "PowerPlatformPlex",
        "SerialConsole",
        "ServiceBus",
        "Sql",
        "Storage"
    ]

    /// Lowercased base tag -> canonical spelling. The classic-deployment spellings of the
    /// three default tags are accepted as aliases.
    private static let canonicalBase: [String: String] = {
        var map: [String: String] = [:]
        for tag in all { map[tag.lowercased()] = tag }
        map["internet"] = "Internet"
        map["virtual_network"] = "VirtualNetwork"
        map["azure_loadbalancer"] = "AzureLoadBalancer"
        return map
    }()

    /// AzureCloud regional tags whose suffix does not follow the region's programmatic name
    /// (listed on the service tags page).
    private static let azureCloudRegionAliases: [String: String] = [
        "centralfrance": "francecentral",
        "southfrance": "francesouth",
        "germanywc": "germanywestcentral",
        "germanyn": "germanynorth",
        "norwaye": "norwayeast",
        "norwayw": "norwaywest",
        "switzerlandn": "switzerlandnorth",
        "switzerlandw": "switzerlandwest"
    ]

    /// Parses "Storage.westeurope" -> (base: "Storage", region: "westeurope");
    /// "Internet" -> (base: "Internet", region: nil).
    ///
    /// Returns nil when the text is not a known tag: unknown base, a region suffix on a
    /// non-regional tag, or an unknown region. The base matches case-insensitively and is
    /// returned in canonical spelling; the region is returned as its lowercase programmatic
    /// name ("Storage.WestEurope" -> region "westeurope").
    public static func parse(_ text: String) -> (base: String, region: String?)? {
        let lowered = text.lowercased()
        if lowered.isEmpty { return nil }
        // Whole text is a base tag (covers bases that contain a dot, e.g. AzureFrontDoor.Frontend).
        if let base = canonicalBase[lowered] {
            return (base: base, region: nil)
        }
        // Otherwise "<base>.<region>", split at the last dot.
        guard let dot = lowered.lastIndex(of: ".") else { return nil }
        let basePart = String(lowered[..<dot])
        let regionPart = String(lowered[lowered.index(after: dot)...])
        guard let base = canonicalBase[basePart], regional.contains(base), !regionPart.isEmpty else {
            return nil
        }
        if AzureRegions.isKnown(regionPart) {
            return (base: base, region: regionPart)
        }
        if base == "AzureCloud", let region = azureCloudRegionAliases[regionPart] {
            return (base: base, region: region)
        }
        return nil
    }

    /// True when `text` looks meant as a service tag rather than a CIDR, an IP address or "*":
    /// it starts with a letter. Text containing ':' is an IPv6 address or prefix
    /// ("fe80::/10" starts with a letter too), never a tag, so it returns false.
    public static func looksLikeTag(_ text: String) -> Bool {
        guard let first = text.first, first.isLetter else { return false }
        return !text.utf8.contains(UInt8(ascii: ":"))
    }
}
