/// TR606: reported by plan and apply when no credential can sign in to Azure.
package enum SignInRule: FrontEndRule {
    package static let description = RuleDescription(
        code: "TR606", severity: .error,
        title: "cannot sign in to Azure",
        rationale: """
            With the Azure provider, apply needs a token for Azure Resource Manager before it changes anything. \
            tresor tries the credential sources of Azure SDKs' DefaultAzureCredential in order: a client secret \
            (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET), workload identity (AZURE_FEDERATED_TOKEN_FILE), \
            GitHub Actions OIDC (ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN with tenant and client), managed identity, \
            and the Azure CLI's signed-in account. When none is configured or the one configured is refused, the \
            run stops before any request to Azure Resource Manager, names what it tried, and never reports success \
            without having changed Azure. No secret or token appears in the message. `--provider record` plans and \
            applies without Azure.
            """,
        source: "Azure Identity's DefaultAzureCredential; SPEC §6",
        triggering: [], nonTriggering: [])
}
