import Foundation

/// SPEC §6's five credential sources, in the order of the Azure SDKs' DefaultAzureCredential; the
/// first one configured is used, and its failures are reported rather than skipped.
///
/// "Configured" is decided from the environment alone, without waiting, except for IMDS:
/// 1. client secret: AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET all set;
/// 2. workload identity: AZURE_FEDERATED_TOKEN_FILE, AZURE_TENANT_ID and AZURE_CLIENT_ID set;
/// 3. GitHub Actions OIDC: ACTIONS_ID_TOKEN_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_TOKEN,
///    AZURE_TENANT_ID and AZURE_CLIENT_ID set;
/// 4. managed identity: IDENTITY_ENDPOINT and IDENTITY_HEADER set (App Service, Functions,
///    Container Apps); else one token request to IMDS with a 1 s timeout: a token, or an IMDS
///    JSON error other than 400 ("no identity assigned"), means configured; no answer in time,
///    a 400, or an answer not shaped like IMDS's (a proxy answering for it) means not;
/// 5. Azure CLI: an executable `az` on PATH (whether it is signed in shows when it is run).
/// So a machine with nothing configured waits at most IMDS's 1 s, and not at all when
/// AZURE_POD_IDENTITY_AUTHORITY_HOST points at a closed port (the tests).
public enum CredentialChain {
    public static let imdsProbeTimeout = 1.0
    public static let azureCLITimeout = 10.0
    static let tokenEndpointTimeout = 30.0

    public static func resolve(
        environment: [String: String], cloud: AzureCloud,
        transport: any HTTPTransport
    ) async -> Result<any TokenCredential, SignInFailure> {
        await resolve(environment: environment, cloud: cloud, transport: transport, now: CachedCredential.wallClock)
    }

    static func resolve(
        environment: [String: String], cloud: AzureCloud, transport: any HTTPTransport,
        now: @escaping @Sendable () -> Double
    ) async -> Result<any TokenCredential, SignInFailure> {
        let settings = SignInEnvironment(environment: environment)
        let request = TokenRequest(transport: transport, now: now)
        let redaction = Redaction(secrets: settings.secrets)
        var tried: [String] = []

        // 1-3: the confidential-client sources, all of which post to Entra ID's token endpoint.
        let tenant = settings["AZURE_TENANT_ID"]
        let client = settings["AZURE_CLIENT_ID"]
        let clientNames = [("AZURE_TENANT_ID", tenant), ("AZURE_CLIENT_ID", client)]
        func missing(_ names: [(String, String?)]) -> String {
            names.filter { $0.1 == nil }.map(\.0).joined(separator: ", ") + " not set"
        }
        let principal: (tenant: String, client: String)? = if let tenant, let client { (tenant, client) } else { nil }
        func entra(_ principal: (tenant: String, client: String)) -> Result<EntraTokenEndpoint, SignInFailure> {
            EntraTokenEndpoint.make(
                settings: settings, cloud: cloud, tenant: principal.tenant, client: principal.client,
                request: request, redaction: redaction)
        }

        let secret = settings["AZURE_CLIENT_SECRET"]
        let secretNames = clientNames + [("AZURE_CLIENT_SECRET", secret)]
        if let secret, let principal {
            return entra(principal).map { endpoint in
                CachedCredential(source: "client secret (AZURE_CLIENT_SECRET)", now: now) { () async throws(SignInFailure) in
                    try await endpoint.token(proof: [("client_secret", secret)], redaction: redaction)
                }
            }
        }
        tried.append("client secret: " + missing(secretNames))

        let tokenFile = settings["AZURE_FEDERATED_TOKEN_FILE"]
        if let tokenFile, let principal {
            return entra(principal).map { endpoint in
                CachedCredential(source: "workload identity (AZURE_FEDERATED_TOKEN_FILE)", now: now) { () async throws(SignInFailure) in
                    // Re-read for every token: the kubelet rotates the file.
                    let assertion = try readAssertion(path: tokenFile)
                    return try await endpoint.token(proof: assertionProof(assertion), redaction: redaction.adding(assertion))
                }
            }
        }
        tried.append("workload identity: " + missing([("AZURE_FEDERATED_TOKEN_FILE", tokenFile)] + clientNames))

        let oidcURL = settings["ACTIONS_ID_TOKEN_REQUEST_URL"]
        let oidcToken = settings["ACTIONS_ID_TOKEN_REQUEST_TOKEN"]
        if let oidcURL, let oidcToken, let principal {
            let github = GitHubIDToken(url: oidcURL, requestToken: oidcToken, transport: transport, redaction: redaction)
            return entra(principal).map { endpoint in
                CachedCredential(source: "GitHub Actions OIDC", now: now) { () async throws(SignInFailure) in
                    // A fresh ID token for every access token: GitHub's are short-lived.
                    let assertion = try await github.idToken()
                    return try await endpoint.token(proof: assertionProof(assertion), redaction: redaction.adding(assertion))
                }
            }
        }
        tried.append(
            "GitHub Actions OIDC: "
                + missing([("ACTIONS_ID_TOKEN_REQUEST_URL", oidcURL), ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", oidcToken)] + clientNames))

        switch await ManagedIdentity.detect(settings: settings, cloud: cloud, request: request, redaction: redaction) {
        case .configured(let identity, let first):
            return .success(
                CachedCredential(source: identity.source, first: first, now: now) { () async throws(SignInFailure) in
                    try await identity.token()
                })
        case .refused(let failure):
            return .failure(failure)
        case .absent(let reason):
            tried.append("managed identity: " + reason)
        }

        if let az = AzureCLI.find(path: settings["PATH"]) {
            let cli = AzureCLI(
                executable: az, resource: cloud.tokenResource, environment: environment, redaction: redaction, timeout: azureCLITimeout)
            return .success(CachedCredential(source: "Azure CLI", now: now) { () async throws(SignInFailure) in try await cli.token() })
        }
        tried.append("Azure CLI: az not found on PATH")

        return .failure(
            SignInFailure(
                message:
                    "no Azure credentials found: set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_FEDERATED_TOKEN_FILE), run in GitHub Actions with `permissions: id-token: write`, on Azure with a managed identity, or after `az login`",
                tried: tried))
    }

    private static func assertionProof(_ assertion: String) -> [(String, String)] {
        [("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"), ("client_assertion", assertion)]
    }

    private static func readAssertion(path: String) throws(SignInFailure) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SignInFailure(message: "cannot read AZURE_FEDERATED_TOKEN_FILE \"\(path)\"")
        }
        let assertion = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !assertion.isEmpty else { throw SignInFailure(message: "AZURE_FEDERATED_TOKEN_FILE \"\(path)\" is empty") }
        return assertion
    }
}

/// The environment as sign-in reads it: an empty variable counts as unset.
struct SignInEnvironment: Sendable {
    let environment: [String: String]

    subscript(name: String) -> String? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        return value
    }

    /// Every secret the environment holds, to be scrubbed from whatever sign-in quotes.
    var secrets: [String] {
        ["AZURE_CLIENT_SECRET", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "IDENTITY_HEADER", "AZURE_CLIENT_CERTIFICATE_PASSWORD"].compactMap {
            self[$0]
        }
    }
}

extension Redaction {
    func adding(_ secret: String) -> Redaction { Redaction(secrets: secrets + [secret]) }
}

/// Entra ID's v2 token endpoint for the client-credentials grant.
struct EntraTokenEndpoint: Sendable {
    let url: String
    let clientID: String
    let scope: String
    let request: TokenRequest

    /// Checks the authority (https, or http to loopback only: the request carries a secret) and
    /// the tenant (it becomes a path segment).
    static func make(
        settings: SignInEnvironment, cloud: AzureCloud, tenant: String, client: String, request: TokenRequest,
        redaction: Redaction
    ) -> Result<EntraTokenEndpoint, SignInFailure> {
        var authority = settings["AZURE_AUTHORITY_HOST"] ?? cloud.authorityHost
        while authority.hasSuffix("/") { authority.removeLast() }
        guard Loopback.maySendSecrets(to: authority) else {
            return .failure(
                SignInFailure(
                    message:
                        "AZURE_AUTHORITY_HOST \"\(redaction.scrub(authority))\" is refused: sign-in sends a secret to it, so it must be https:// (plain http:// only to loopback)"
                ))
        }
        guard tenant.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }) else {
            return .failure(SignInFailure(message: "AZURE_TENANT_ID \"\(redaction.scrub(tenant))\" is not a tenant ID or domain name"))
        }
        return .success(
            EntraTokenEndpoint(url: "\(authority)/\(tenant)/oauth2/v2.0/token", clientID: client, scope: cloud.scope, request: request))
    }

    /// `proof` is the client secret or the client assertion fields.
    func token(proof: [(String, String)], redaction: Redaction) async throws(SignInFailure) -> AccessToken {
        let body = TokenRequest.form([("grant_type", "client_credentials"), ("client_id", clientID), ("scope", scope)] + proof)
        let post = HTTPRequest(
            method: "POST", url: url,
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")], body: body,
            carriesSecret: true)
        return try await request.fetch(
            post, endpoint: "Entra ID token endpoint \(url)", timeout: CredentialChain.tokenEndpointTimeout, redaction: redaction)
    }
}

/// GitHub Actions' ID token service (`permissions: id-token: write`).
struct GitHubIDToken: Sendable {
    static let audience = "api://AzureADTokenExchange"
    let url: String
    let requestToken: String
    let transport: any HTTPTransport
    let redaction: Redaction

    /// The request URL with the audience Entra ID's federated credentials expect, unless it names one.
    var requestURL: String {
        if url.contains("?audience=") || url.contains("&audience=") { return url }
        return url + (url.contains("?") ? "&" : "?") + "audience=" + Self.audience
    }

    func idToken() async throws(SignInFailure) -> String {
        let endpoint = "GitHub Actions ID token endpoint \(Loopback.withoutQuery(url))"
        let get = HTTPRequest(
            method: "GET", url: requestURL, headers: [("Authorization", "Bearer " + requestToken), ("Accept", "application/json")])
        let response: HTTPResponse
        do {
            response = try await transport.send(get, timeout: CredentialChain.tokenEndpointTimeout)
        } catch {
            throw SignInFailure(message: "\(endpoint) could not be reached: \(redaction.scrub(error.message))")
        }
        guard response.status == 200 else {
            let quoted = redaction.quoteError(response.body, fields: ["message"]).map { ": " + $0 } ?? ""
            throw SignInFailure(message: "\(endpoint) refused: HTTP \(response.status)\(quoted)")
        }
        guard let value = JSONAnswer(response.body)?.string("value"), !value.isEmpty else {
            throw SignInFailure(message: "\(endpoint) answered HTTP 200 without an ID token")
        }
        return value
    }
}
