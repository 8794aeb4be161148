/// Managed identity: App Service's local identity endpoint (IDENTITY_ENDPOINT + IDENTITY_HEADER),
/// else the VM's Instance Metadata Service.
struct ManagedIdentity: Sendable {
    enum Detection {
        /// Use it; `first` is the token the IMDS probe already fetched.
        case configured(ManagedIdentity, first: AccessToken?)
        /// Not on this machine, and why.
        case absent(String)
        /// Configured in a way that must not be used (its secret header over plain http).
        case refused(SignInFailure)
    }

    static let defaultIMDS = "http://169.254.169.254"

    let source: String
    let url: String
    let headers: [(String, String)]
    /// App Service's identity header is a secret; IMDS's `Metadata: true` is not.
    let carriesSecret: Bool
    let endpoint: String
    let errorFields: [String]
    let request: TokenRequest
    let redaction: Redaction

    static func detect(settings: SignInEnvironment, cloud: AzureCloud, request: TokenRequest, redaction: Redaction) async -> Detection {
        let resource =
            "resource=" + TokenRequest.formEncoded(cloud.tokenResource)
            + (settings["AZURE_CLIENT_ID"].map { "&client_id=" + TokenRequest.formEncoded($0) } ?? "")

        if let endpoint = settings["IDENTITY_ENDPOINT"], let header = settings["IDENTITY_HEADER"] {
            guard Loopback.maySendSecrets(to: endpoint) else {
                return .refused(
                    SignInFailure(
                        message:
                            "IDENTITY_ENDPOINT \"\(Loopback.withoutQuery(endpoint))\" is refused: IDENTITY_HEADER is a secret, so it must be https:// or loopback"
                    ))
            }
            let url = endpoint + (endpoint.contains("?") ? "&" : "?") + "api-version=2019-08-01&" + resource
            return .configured(
                ManagedIdentity(
                    source: "managed identity (IDENTITY_ENDPOINT)", url: url, headers: [("X-IDENTITY-HEADER", header)], carriesSecret: true,
                    endpoint: "managed identity endpoint \(Loopback.withoutQuery(endpoint))",
                    errorFields: ["error", "error_description", "message"],
                    request: request, redaction: redaction), first: nil)
        }

        var base = settings["AZURE_POD_IDENTITY_AUTHORITY_HOST"] ?? defaultIMDS
        while base.hasSuffix("/") { base.removeLast() }
        let identity = ManagedIdentity(
            source: "managed identity (IMDS)", url: base + "/metadata/identity/oauth2/token?api-version=2018-02-01&" + resource,
            headers: [("Metadata", "true")], carriesSecret: false, endpoint: "IMDS \(base)", errorFields: ["error", "error_description"],
            request: request, redaction: redaction)
        let probe = HTTPRequest(method: "GET", url: identity.url, headers: identity.headers)
        let response: HTTPResponse
        do {
            response = try await request.transport.send(probe, timeout: CredentialChain.imdsProbeTimeout)
        } catch {
            return .absent("IDENTITY_ENDPOINT, IDENTITY_HEADER not set; IMDS at \(base) did not answer within 1 s")
        }
        if response.status == 400 {
            let quoted = redaction.quoteError(response.body).map { ": " + $0 } ?? ""
            return .absent(
                "IDENTITY_ENDPOINT, IDENTITY_HEADER not set; IMDS at \(base) has no identity for this machine (HTTP 400\(quoted))")
        }
        if response.status == 200, let first = TokenRequest.accessToken(from: response.body, now: request.now()) {
            return .configured(identity, first: first)
        }
        // IMDS failing for now (429, 5xx while an identity is assigned) still answers with its JSON
        // error; anything else is not IMDS, typically a proxy from http_proxy answering for it.
        guard response.status != 200, JSONAnswer(response.body)?.string("error") != nil else {
            return .absent(
                "IDENTITY_ENDPOINT, IDENTITY_HEADER not set; \(base) answered HTTP \(response.status), not as IMDS does (if a proxy answered, add its host to NO_PROXY)"
            )
        }
        return .configured(identity, first: nil)
    }

    func token() async throws(SignInFailure) -> AccessToken {
        try await request.fetch(
            HTTPRequest(method: "GET", url: url, headers: headers, carriesSecret: carriesSecret), endpoint: endpoint,
            timeout: CredentialChain.tokenEndpointTimeout, errorFields: errorFields, redaction: redaction)
    }
}
