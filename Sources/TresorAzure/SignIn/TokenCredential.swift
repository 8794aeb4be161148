/// A bearer token for Resource Manager. Its value is a secret: it prints, dumps and reflects as
/// redacted.
public struct AccessToken: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var value: String
    /// When it expires, in seconds since 1970.
    public var expiresOn: Double

    public init(value: String, expiresOn: Double) {
        self.value = value
        self.expiresOn = expiresOn
    }

    public var description: String { "AccessToken(redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["expiresOn": expiresOn]) }
}

/// Why no token could be had. `message` says what went wrong and how to fix it; `tried` names
/// each credential source considered, with the reason it was not used. Neither ever holds a
/// secret, token, assertion or Authorization value.
public struct SignInFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var tried: [String]

    public init(message: String, tried: [String] = []) {
        self.message = message
        self.tried = tried
    }

    public var description: String {
        tried.isEmpty ? message : message + "\n" + tried.map { "  - " + $0 }.joined(separator: "\n")
    }
}

/// One credential source, with its token cache.
public protocol TokenCredential: Sendable {
    /// Which source this is, as `--verbose` names it: "client secret (AZURE_CLIENT_SECRET)",
    /// "workload identity (AZURE_FEDERATED_TOKEN_FILE)", "GitHub Actions OIDC",
    /// "managed identity (...)", "Azure CLI".
    var source: String { get }

    /// A token for Resource Manager: the cached one while it has more than 5 minutes left (or half
    /// its lifetime, for short-lived tokens), else a new one. `forceRefresh` fetches a new one
    /// regardless. Concurrent callers share one fetch.
    func token(forceRefresh: Bool) async throws(SignInFailure) -> AccessToken

    /// After Resource Manager answered 401 to `rejected`: a new token, unless another caller
    /// already replaced it. Hundreds of requests in flight see the same 401 and share one renewal.
    func token(replacing rejected: AccessToken) async throws(SignInFailure) -> AccessToken
}

extension TokenCredential {
    public func token(replacing rejected: AccessToken) async throws(SignInFailure) -> AccessToken {
        try await token(forceRefresh: true)
    }
}
