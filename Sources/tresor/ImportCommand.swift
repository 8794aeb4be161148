import ArgumentParser
import TresorAzure
import TresorCore
import TresorModel
import TresorSupport

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write manifests and state for an existing estate, read from Azure or from az CLI output.",
        discussion: """
            Writes manifests in Examples/estate's layout (a folder per subscription and region) under --out, and \
            the state that makes the next plan show no changes. What the manifests cannot express is named with \
            its resource ID (TR607) and left out. --from-az reads the JSON of `az backup vault list`, \
            `az backup vault backup-properties show`, `az backup policy list`, `az backup item list`, \
            `az vm list --show-details`, `az network nsg list` and `az network nsg rule list`; with \
            `az network nic list`, `az network vnet subnet list` or `az network vnet list` it also sees the \
            NSGs on a VM's subnet. \
            Exit codes: 0 imported, 1 errors, 64 bad usage.
            """
    )

    @Option(help: ArgumentHelp("Read the estate from this Azure subscription.", valueName: "id"))
    var subscription: String?

    @Option(
        name: .customLong("resource-group"),
        help: ArgumentHelp("Only these resource groups of the subscription (repeatable).", valueName: "name"))
    var resourceGroups: [String] = []

    @Option(
        name: .customLong("from-az"), parsing: .upToNextOption,
        help: ArgumentHelp("Read the estate from az CLI JSON files instead of Azure.", valueName: "file"))
    var fromAz: [String] = []

    @Option(help: ArgumentHelp("The directory to write the manifests into.", valueName: "dir"))
    var out: String

    @OptionGroup var state: StateOption

    @Option(
        help: ArgumentHelp("AzureCloud, AzureUSGovernment or AzureChinaCloud (default: $TRESOR_CLOUD, else AzureCloud).", valueName: "name")
    )
    var cloud: String?

    @Flag(help: "Say which credential signed in, and each request sent to Azure (never a token or secret).")
    var verbose = false

    func validate() throws {
        guard (subscription == nil) != fromAz.isEmpty else {
            throw ValidationError("give either --subscription or --from-az")
        }
        if !resourceGroups.isEmpty, subscription == nil { throw ValidationError("--resource-group needs --subscription") }
        if let name = cloud ?? environment("TRESOR_CLOUD"), AzureCloud.named(name) == nil {
            throw ValidationError("unknown cloud \"\(name)\": use \(AzureCloud.all.map(\.name).joined(separator: ", "))")
        }
    }

    func run() async throws {
        var command = ImportCommand(files: fromAz, out: out, store: state.store)
        command.colored = TextRenderer.wantsColor(fileDescriptor: 1)
        if let subscription {
            let settings = AzureSettings(
                cloud: (cloud ?? environment("TRESOR_CLOUD")).flatMap(AzureCloud.named) ?? AzureCloud.all[0],
                parallelism: nil, timeout: 1800,
                log: verbose ? { @Sendable in Files.writeAll($0 + "\n", to: 2) } : nil)
            switch await AzureImport.export(
                subscription: subscription, resourceGroups: resourceGroups, settings: settings,
                environment: processEnvironment())
            {
            case .success(let exported):
                command.exported = exported
            case .failure(let failure):
                let text = TextRenderer(colored: command.colored).render(
                    DiagnosticReport(sources: SourceFiles(), diagnostics: [failure.diagnostic]))
                finish(CommandOutput(stdout: text + "\nImport failed: 1 error; nothing was written.\n", exitCode: ExitCode.failure))
            }
        }
        finish(command.run())
    }
}
