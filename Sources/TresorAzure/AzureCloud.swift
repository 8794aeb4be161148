/// An Azure cloud: where its Resource Manager and its Entra ID authority are (SPEC §6).
public struct AzureCloud: Sendable, Equatable {
    public var name: String
    /// Resource Manager's base URL, no trailing slash.
    public var resourceManager: String
    /// Entra ID's authority host, no trailing slash.
    public var authorityHost: String
    /// The resource a token is asked for; the scope is this + `/.default`, also when
    /// `TRESOR_ARM_ENDPOINT` points requests elsewhere.
    public var tokenResource: String

    public static let all: [AzureCloud] = [
        AzureCloud(
            name: "AzureCloud", resourceManager: "https://management.azure.com",
            authorityHost: "https://login.microsoftonline.com", tokenResource: "https://management.azure.com"),
        AzureCloud(
            name: "AzureUSGovernment", resourceManager: "https://management.usgovcloudapi.net",
            authorityHost: "https://login.microsoftonline.us", tokenResource: "https://management.usgovcloudapi.net"),
        AzureCloud(
            name: "AzureChinaCloud", resourceManager: "https://management.chinacloudapi.cn",
            authorityHost: "https://login.chinacloudapi.cn", tokenResource: "https://management.chinacloudapi.cn")
    ]

    public static func named(_ name: String) -> AzureCloud? {
        all.first { $0.name.lowercased() == name.lowercased() }
    }

    public var scope: String { tokenResource + "/.default" }
}
