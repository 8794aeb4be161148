import ArgumentParser
import TresorAzure
import TresorModel
import TresorPlan
import TresorSupport

/// Whether plan and apply first read what Azure holds (SPEC §7).
struct RefreshOptions: ParsableArguments {
    @Flag(help: "Plan from stored state without reading Azure first (needs no credentials).")
    var noRefresh = false

    @Flag(help: "Only the changes made outside tresor: plan shows them; apply records Azure's values in state, changing nothing in Azure.")
    var refreshOnly = false

    func validate() throws {
        if noRefresh, refreshOnly { throw ValidationError("--no-refresh and --refresh-only exclude each other") }
    }

    /// `--refresh-only` reads Azure, which the recording provider never does.
    func check(_ provider: ProviderName) throws {
        if refreshOnly, provider == .record { throw ValidationError("--refresh-only reads Azure: it needs --provider azure") }
    }
}

extension ProviderOptions {
    func azureSettings(parallelism: Int?, timeout: Double) -> AzureSettings {
        AzureSettings(
            cloud: azureCloud, parallelism: parallelism, timeout: timeout,
            log: verbose ? { @Sendable in Files.writeAll($0 + "\n", to: 2) } : nil)
    }

    /// Signs in to Azure for plan's refresh; nil when plan reads no provider (`--provider record`,
    /// `--no-refresh`).
    func refresher(_ refresh: RefreshOptions) -> (@Sendable () async -> Result<any Provider, FatalDiagnostic>)? {
        guard chosen == .azure, !refresh.noRefresh else { return nil }
        let settings = azureSettings(parallelism: nil, timeout: 1800)
        return { await AzureProvider.connect(settings: settings, environment: processEnvironment()).map { $0 } }
    }
}
