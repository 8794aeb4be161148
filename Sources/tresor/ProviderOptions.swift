import ArgumentParser
import TresorAzure

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where plan and apply take their changes (SPEC §6, §9).
enum ProviderName: String, ExpressibleByArgument, CaseIterable {
    case azure, record
}

/// The options plan and apply share for choosing and reaching the provider.
struct ProviderOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "azure changes Azure through Resource Manager; record only records changes in state (default: $TRESOR_PROVIDER, else azure).",
            valueName: "azure|record"))
    var provider: ProviderName?

    @Option(
        help: ArgumentHelp("AzureCloud, AzureUSGovernment or AzureChinaCloud (default: $TRESOR_CLOUD, else AzureCloud).", valueName: "name")
    )
    var cloud: String?

    @Flag(help: "Say which credential signed in, and each request sent to Azure (never a token or secret).")
    var verbose = false

    var chosen: ProviderName {
        provider ?? environment("TRESOR_PROVIDER").flatMap(ProviderName.init(rawValue:)) ?? .azure
    }

    func validate() throws {
        if provider == nil, let variable = environment("TRESOR_PROVIDER"), ProviderName(rawValue: variable) == nil {
            throw ValidationError("TRESOR_PROVIDER must be azure or record, not \"\(variable)\"")
        }
        if let name = cloud ?? environment("TRESOR_CLOUD"), AzureCloud.named(name) == nil {
            throw ValidationError("unknown cloud \"\(name)\": use \(AzureCloud.all.map(\.name).joined(separator: ", "))")
        }
    }

    var azureCloud: AzureCloud {
        (cloud ?? environment("TRESOR_CLOUD")).flatMap(AzureCloud.named) ?? AzureCloud.all[0]
    }
}

/// The process environment as a dictionary, for sign-in.
func processEnvironment() -> [String: String] {
    var result: [String: String] = [:]
    var entry = environ
    while let pointer = entry.pointee {
        let pair = String(cString: pointer)
        if let equals = pair.firstIndex(of: "=") {
            result[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        entry += 1
    }
    return result
}

func environment(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
}
