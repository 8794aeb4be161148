import TresorCore

/// `tresor import --subscription`: reads an estate from Azure Resource Manager and hands it to
/// TresorCore's import in the az CLI's JSON shapes.
public enum AzureImport {
    /// The lists import needs, as `(what was read, JSON text)`.
    public static func export(subscription: String, resourceGroups: [String], settings: AzureSettings,
                              environment: [String: String]) async -> Result<[(path: String, text: String)], FatalDiagnostic> {
        .failure(FatalDiagnostic(Diagnostic("TR606", .error, "reading an estate from Azure needs the Azure provider, which this build lacks; "
                                            + "import from az CLI output with --from-az", at: nil)))
    }
}
