import TresorCore

/// What the CLI sets for the Azure provider.
public struct AzureSettings: Sendable {
    public var cloud: AzureCloud
    /// `--parallelism N`; nil for auto.
    public var parallelism: Int?
    /// Seconds one change may take, polls and retries included.
    public var timeout: Double
    /// `--verbose`: one line per credential choice and request; never a token or secret.
    public var log: (@Sendable (String) -> Void)?

    public init(cloud: AzureCloud, parallelism: Int?, timeout: Double, log: (@Sendable (String) -> Void)?) {
        self.cloud = cloud
        self.parallelism = parallelism
        self.timeout = timeout
        self.log = log
    }
}

// Placeholder until the ARM provider lands (branch `arm`): replaced there.
public struct AzureProvider: Provider {
    public var banner: String? { nil }
    public var inFlightLimit: Int { 1 }
    public var progressNote: String? { nil }

    public static func connect(settings: AzureSettings, environment: [String: String]) async -> Result<AzureProvider, FatalDiagnostic> {
        .failure(FatalDiagnostic(Diagnostic("TR606", .error, "the Azure provider is not built yet", at: nil)))
    }

    public func perform(_ change: PlannedChange, context: ApplyContext) async throws(ProviderFailure) -> StateResource? {
        throw ProviderFailure(message: "not built yet")
    }
}
