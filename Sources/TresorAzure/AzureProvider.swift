import Foundation
import TresorModel
import TresorPlan
import TresorState
import TresorSupport

/// How the Azure provider connects and behaves (SPEC §6).
public struct AzureSettings: Sendable {
    public var cloud: AzureCloud
    /// `TRESOR_ARM_ENDPOINT`: ARM's base URL instead of the cloud's.
    public var armEndpoint: String?
    /// `--parallelism N`; nil for `auto`.
    public var parallelism: Int?
    /// `--timeout`: seconds one change may take, polls and retries included.
    public var timeout: Double
    /// Whether requests are paced by the remaining-budget headers (off only to measure the
    /// difference: `TRESOR_ARM_PACING=off`).
    public var pacing: Bool
    /// `--verbose`: one line per request and the credential used. Never given a secret.
    public var log: (@Sendable (String) -> Void)?

    public init(
        cloud: AzureCloud, armEndpoint: String? = nil, parallelism: Int? = nil, timeout: Double = 1800,
        pacing: Bool = true, log: (@Sendable (String) -> Void)? = nil
    ) {
        self.cloud = cloud
        self.armEndpoint = armEndpoint
        self.parallelism = parallelism
        self.timeout = timeout
        self.pacing = pacing
        self.log = log
    }

    /// ARM's base URL without a trailing slash.
    var resourceManager: String {
        var url = armEndpoint ?? cloud.resourceManager
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}

/// Applies changes through Azure Resource Manager's REST API: the requests of SPEC §6's table
/// at the pinned api-versions, long-running operations followed to their end, each change
/// within its timeout.
public final class AzureProvider: Provider {
    let client: ARMClient
    private let poller: OperationPoller
    let timeout: Double

    init(settings: AzureSettings, transport: any HTTPTransport, credential: any TokenCredential) {
        client = ARMClient(
            baseURL: settings.resourceManager, transport: transport, credential: credential,
            pacer: ThrottlePacer(pacing: settings.pacing), inFlight: InFlightLimit(fixed: settings.parallelism),
            log: settings.log)
        poller = OperationPoller(client: client, durations: OperationDurations())
        timeout = settings.timeout
    }

    /// Signs in before any change: resolves the first configured credential source and fetches
    /// a token, so that an apply without credentials fails before it sends anything to ARM.
    /// `TRESOR_ARM_ENDPOINT` and `TRESOR_ARM_PACING=off` are read from `environment` when the
    /// settings do not say.
    public static func connect(settings: AzureSettings, environment: [String: String]) async -> Result<AzureProvider, FatalDiagnostic> {
        var settings = settings
        if settings.armEndpoint == nil, let endpoint = environment["TRESOR_ARM_ENDPOINT"], !endpoint.isEmpty {
            settings.armEndpoint = endpoint
        }
        if environment["TRESOR_ARM_PACING"]?.lowercased() == "off" { settings.pacing = false }
        let endpoint = settings.resourceManager
        guard Loopback.maySendSecrets(to: endpoint) else {
            return .failure(
                FatalDiagnostic(
                    SignInRule.diagnostic(
                        "the ARM endpoint \(Loopback.withoutQuery(endpoint)) is neither https nor loopback", at: nil,
                        help: "bearer tokens travel over https only (plain http to 127.0.0.1, ::1 or localhost is allowed for tests)")))
        }
        let transport = URLSessionTransport()
        let credential: any TokenCredential
        switch await CredentialChain.resolve(environment: environment, cloud: settings.cloud, transport: transport) {
        case .success(let resolved): credential = resolved
        case .failure(let failure): return .failure(signInDiagnostic(failure))
        }
        do throws(SignInFailure) {
            _ = try await credential.token(forceRefresh: false)
        } catch {
            return .failure(signInDiagnostic(error))
        }
        settings.log?("signed in with \(credential.source); Resource Manager at \(endpoint)")
        return .success(AzureProvider(settings: settings, transport: transport, credential: credential))
    }

    private static func signInDiagnostic(_ failure: SignInFailure) -> FatalDiagnostic {
        FatalDiagnostic(
            SignInRule.diagnostic(
                "cannot sign in to Azure: \(failure.message)", at: nil,
                notes: failure.tried.map { DiagnosticNote("tried \($0)") },
                help:
                    "set AZURE_TENANT_ID and AZURE_CLIENT_ID with AZURE_CLIENT_SECRET, AZURE_FEDERATED_TOKEN_FILE or GitHub Actions OIDC, "
                    + "run on a managed identity, or sign in with `az login`; `plan --no-refresh` needs no sign-in, and `--provider record` changes state only"
            ))
    }

    public var banner: String? { nil }

    public var inFlightLimit: Int { client.inFlight.value }

    public var progressNote: String? { client.isThrottled ? "waiting on throttling" : nil }

    public func perform(_ change: PlannedChange, context: ApplyContext) async throws(ProviderFailure) -> StateResource? {
        let subscription = ARMPaths.subscription(in: change.id) ?? ""
        if client.pacer.hasRoom(subscription: subscription) { client.inFlight.changeStarted() }
        defer { if client.pacer.hasRoom(subscription: subscription) { client.inFlight.changeEnded() } }
        let run = ChangeRun(
            change: change, client: client, poller: poller,
            deadline: MonotonicClock.seconds() + timeout, correlationID: UUID().uuidString.lowercased())
        switch change.action {
        case .create, .update:
            return try await run.put()
        case .replace:
            try await run.remove()
            return try await run.put()
        case .delete:
            try await run.remove()
            return nil
        case .stopProtection:
            return try await run.stopProtection()
        }
    }
}

/// The requests of one change.
private struct ChangeRun {
    let change: PlannedChange
    let client: ARMClient
    let poller: OperationPoller
    let deadline: Double
    let correlationID: String

    private var apiVersion: String { ARMAPIVersion.of(change.kind) }
    private var url: String { ARMPaths.url(base: client.baseURL, id: change.id, apiVersion: apiVersion) }
    private var after: JSON { change.after ?? .object([]) }

    // MARK: Create and update

    func put() async throws(ProviderFailure) -> StateResource {
        switch change.kind {
        case .vault: return try await putVault()
        case .backupPolicy: return try await putPolicy()
        case .networkRule: return try await putSecurityRule()
        case .protectedItem: return try await protect()
        }
    }

    /// Create: PUT, unless the vault exists already (a run that died before recording it, or a
    /// vault made outside tresor), which is PATCHed like an update so that nothing tresor does
    /// not model is reset. Update: PATCH of the changed fields.
    private func putVault() async throws(ProviderFailure) -> StateResource {
        var current = change.action == .update ? change.before : nil
        if current == nil, let existing = try await get() {
            let attributes = ARMAttributes.vault(existing, planned: after)
            if attributes["region"] == after["region"] { current = attributes }
        }
        var final: JSON?
        if let current {
            if let patch = ARMBodies.vaultPatch(from: current, to: after) {
                final = try await write("PATCH", body: patch)
            }
        } else {
            final = try await write("PUT", body: ARMBodies.vault(after))
        }
        return try await recorded(final, ARMAttributes.vault)
    }

    /// Read-modify-write: what Azure holds in the policy and tresor does not model is kept.
    private func putPolicy() async throws(ProviderFailure) -> StateResource {
        let existing = try await get()?["properties"]
        let final = try await write("PUT", body: ARMBodies.policy(after, existing: existing))
        return try await recorded(final, ARMAttributes.policy)
    }

    private func putSecurityRule() async throws(ProviderFailure) -> StateResource {
        let final = try await write("PUT", body: ARMBodies.securityRule(after))
        return try await recorded(final, ARMAttributes.securityRule)
    }

    /// Protects the VM with the planned policy. The item is read first: a soft-deleted one is
    /// undeleted (`isRehydrate`) before it is protected again; a live one keeps its disk
    /// exclusion and is left alone when it is already protected by that policy.
    private func protect() async throws(ProviderFailure) -> StateResource {
        let vm = after[ProtectedItemAttribute.vm]?.stringValue ?? ""
        let policyName = after[ProtectedItemAttribute.policy]?.stringValue ?? BackupPolicy.defaultName
        let vaultID = ARMPaths.vaultID(ofChild: change.id) ?? ""
        let policyID = ResourceID.backupPolicy(vaultID: vaultID, name: policyName)
        var existing = try await get()
        if let item = existing?["properties"], item["isScheduledForDeferredDelete"]?.boolValue == true {
            _ = try await write("PUT", body: ARMBodies.rehydrate())
            existing = nil
        } else if let item = existing, ARMAttributes.protectedItem(item, planned: after) == after {
            return StateResource(kind: change.kind, id: change.id, name: change.name, attributes: after)
        }
        let final = try await write("PUT", body: ARMBodies.protection(vm: vm, policyID: policyID, existing: existing?["properties"]))
        return resource(final.map { ARMAttributes.protectedItem($0, planned: after) } ?? after)
    }

    func stopProtection() async throws(ProviderFailure) -> StateResource {
        let vm = (change.before ?? after)[ProtectedItemAttribute.vm]?.stringValue ?? ""
        let final = try await write("PUT", body: ARMBodies.stopProtection(vm: vm))
        return resource(final.map { ARMAttributes.protectedItem($0, planned: after) } ?? after)
    }

    // MARK: Delete

    /// DELETE, followed to its end. Gone already counts as done (a run that died before
    /// recording it); so does a protected item already soft-deleted, whose data Azure keeps for
    /// its retention days whatever tresor sends.
    func remove() async throws(ProviderFailure) {
        if change.kind == .protectedItem {
            guard let item = try await get(), item["properties"]?["isScheduledForDeferredDelete"]?.boolValue != true else { return }
        }
        let response = try await client.send("DELETE", url, deadline: deadline, correlationID: correlationID)
        switch response.status {
        case 404, 204:
            return
        case 200, 201, 202:
            _ = try await poller.outcome(
                of: response, method: "DELETE", url: url, kind: "DELETE \(change.kind.rawValue)",
                deadline: deadline, correlationID: correlationID)
        default:
            throw ARMError.failure(
                status: response.status, body: response.body,
                correlationID: response.header("x-ms-correlation-request-id") ?? correlationID)
        }
    }

    // MARK: Requests

    /// GET of the change's resource: its body, or nil when it does not exist.
    private func get() async throws(ProviderFailure) -> JSON? {
        let response = try await client.send("GET", url, deadline: deadline, correlationID: correlationID)
        if response.status == 404 { return nil }
        guard response.status == 200 else {
            throw ARMError.failure(
                status: response.status, body: response.body,
                correlationID: response.header("x-ms-correlation-request-id") ?? correlationID)
        }
        return ResponseJSON.parse(response.body)
    }

    /// Sends a write and follows its operation; returns the resource when the final answer
    /// carried it.
    private func write(_ method: String, body: JSON) async throws(ProviderFailure) -> JSON? {
        let response = try await client.send(method, url, body: body, deadline: deadline, correlationID: correlationID)
        guard (200..<300).contains(response.status) else {
            throw ARMError.failure(
                status: response.status, body: response.body,
                correlationID: response.header("x-ms-correlation-request-id") ?? correlationID)
        }
        let outcome = try await poller.outcome(
            of: response, method: method, url: url, kind: "\(method) \(change.kind.rawValue)",
            deadline: deadline, correlationID: correlationID)
        guard case .result(let final) = outcome, final.status == 200 || final.status == 201,
            let resource = ResponseJSON.parse(final.body), resource["properties"] != nil
        else { return nil }
        return resource
    }

    /// The resource as Azure recorded it: from the operation's final answer, or read again.
    private func recorded(_ final: JSON?, _ attributes: (JSON, JSON?) -> JSON) async throws(ProviderFailure) -> StateResource {
        var body = final
        if body == nil { body = try await get() }
        guard let body else {
            throw ProviderFailure(
                message: "Azure confirmed the \(change.kind.rawValue) \(change.name), but reading it back found nothing",
                retryable: true, correlationID: correlationID)
        }
        return resource(attributes(body, after))
    }

    private func resource(_ attributes: JSON) -> StateResource {
        StateResource(kind: change.kind, id: change.id, name: change.name, attributes: attributes)
    }
}
