import Foundation
import XCTest

@testable import TresorAzure

/// The five credential sources against the emulator on loopback. IMDS always points at loopback
/// (a closed port, or the emulator) and PATH at a directory holding at most a fake `az`.
final class SignInTests: XCTestCase {
    private var emulator: EmulatorProcess!
    private var directory: TemporaryDirectory!
    /// Nothing configured: IMDS at a closed loopback port, an empty PATH.
    private var bare: [String: String] = [:]
    private let cloud = AzureCloud.named("AzureCloud")!
    private let plantedSecret = "planted-Secret-0123456789-abcdef"

    override func setUpWithError() throws {
        emulator = try EmulatorProcess(emulatorArguments: ["--client-secret", "emulator-secret"])
        directory = try TemporaryDirectory()
        bare = ["AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://127.0.0.1:\(EmulatorProcess.closedPort())", "PATH": directory.path]
    }

    override func tearDown() {
        emulator.stop()
        directory = nil
    }

    private var servicePrincipal: [String: String] {
        bare.merging(["AZURE_TENANT_ID": "tenant-1", "AZURE_CLIENT_ID": "client-1", "AZURE_AUTHORITY_HOST": emulator.baseURL]) { $1 }
    }

    private func resolve(
        _ environment: [String: String], transport: any HTTPTransport = URLSessionTransport(),
        clock: TestClock? = nil
    ) async throws -> any TokenCredential {
        let result = await CredentialChain.resolve(
            environment: environment, cloud: cloud, transport: transport,
            now: clock?.now ?? CachedCredential.wallClock)
        switch result {
        case .success(let credential): return credential
        case .failure(let failure): throw failure
        }
    }

    private func failure(_ environment: [String: String], transport: any HTTPTransport = URLSessionTransport()) async -> SignInFailure? {
        if case .failure(let failure) = await CredentialChain.resolve(environment: environment, cloud: cloud, transport: transport) {
            return failure
        }
        return nil
    }

    /// The message of the failure `attempt` ends in; nil, failing the test, when it succeeds.
    private func failureMessage(
        _ attempt: () async throws(SignInFailure) -> AccessToken,
        file: StaticString = #filePath, line: UInt = #line
    ) async -> String? {
        do {
            _ = try await attempt()
            XCTFail("signed in", file: file, line: line)
            return nil
        } catch {
            return error.message
        }
    }

    private func fakeAz(_ script: String) throws {
        try directory.write("az", "#!/bin/sh\n" + script + "\n", executable: true)
    }

    // MARK: each source

    func testClientSecret() async throws {
        let credential = try await resolve(servicePrincipal.merging(["AZURE_CLIENT_SECRET": "emulator-secret"]) { $1 })
        XCTAssertEqual(credential.source, "client secret (AZURE_CLIENT_SECRET)")
        let token = try await credential.token(forceRefresh: false)
        let status = try await emulator.armStatus(with: token)
        XCTAssertEqual(status, 404)
        let paths = try await emulator.signInPaths()
        XCTAssertEqual(paths, ["/tenant-1/oauth2/v2.0/token"])
    }

    func testWorkloadIdentityRereadsTheFileForEachToken() async throws {
        let file = try directory.write("federated-token", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl\n")
        let credential = try await resolve(servicePrincipal.merging(["AZURE_FEDERATED_TOKEN_FILE": file]) { $1 })
        XCTAssertEqual(credential.source, "workload identity (AZURE_FEDERATED_TOKEN_FILE)")
        let token = try await credential.token(forceRefresh: false)
        let status = try await emulator.armStatus(with: token)
        XCTAssertEqual(status, 404)

        // The kubelet rotated the file to something the token endpoint refuses: the next token
        // reads it, and the refusal does not quote it.
        try directory.write("federated-token", "rotated-but-not-a-jwt-assertion")
        let malformed = await failureMessage { () async throws(SignInFailure) in try await credential.token(forceRefresh: true) }
        XCTAssertEqual(
            malformed,
            "Entra ID token endpoint \(emulator.baseURL)/tenant-1/oauth2/v2.0/token refused the sign-in: HTTP 401: invalid_client: AADSTS50027: JWT token is invalid or malformed."
        )
        try FileManager.default.removeItem(atPath: file)
        let missing = await failureMessage { () async throws(SignInFailure) in try await credential.token(forceRefresh: true) }
        XCTAssertEqual(missing, "cannot read AZURE_FEDERATED_TOKEN_FILE \"\(file)\"")
    }

    func testGitHubActionsOIDCFetchesAnIDTokenForEachAccessToken() async throws {
        let credential = try await resolve(
            servicePrincipal.merging([
                "ACTIONS_ID_TOKEN_REQUEST_URL": emulator.baseURL + "/_github/oidc?api-version=2.0",
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "github-request-token"
            ]) { $1 })
        XCTAssertEqual(credential.source, "GitHub Actions OIDC")
        let first = try await credential.token(forceRefresh: false)
        let second = try await credential.token(forceRefresh: true)
        XCTAssertNotEqual(first, second)
        let status = try await emulator.armStatus(with: second)
        XCTAssertEqual(status, 404)
        let paths = try await emulator.signInPaths()
        XCTAssertEqual(paths, ["/_github/oidc", "/tenant-1/oauth2/v2.0/token", "/_github/oidc", "/tenant-1/oauth2/v2.0/token"])
        let queries = try await emulator.signInQueries()
        XCTAssertEqual(queries.first, ["api-version": "2.0", "audience": "api://AzureADTokenExchange"])
    }

    func testManagedIdentityOfAppService() async throws {
        let credential = try await resolve(
            bare.merging([
                "IDENTITY_ENDPOINT": emulator.baseURL + "/_msi/token", "IDENTITY_HEADER": "identity-header"
            ]) { $1 })
        XCTAssertEqual(credential.source, "managed identity (IDENTITY_ENDPOINT)")
        let token = try await credential.token(forceRefresh: false)
        let status = try await emulator.armStatus(with: token)
        XCTAssertEqual(status, 404)
        XCTAssertGreaterThan(token.expiresOn, Date().timeIntervalSince1970 + 3000, "expires_on read as a string of epoch seconds")
    }

    func testManagedIdentityOfIMDSKeepsTheProbesToken() async throws {
        let credential = try await resolve(
            bare.merging(["AZURE_POD_IDENTITY_AUTHORITY_HOST": emulator.baseURL, "AZURE_CLIENT_ID": "user-assigned"]) { $1 })
        XCTAssertEqual(credential.source, "managed identity (IMDS)")
        let token = try await credential.token(forceRefresh: false)
        let status = try await emulator.armStatus(with: token)
        XCTAssertEqual(status, 404)
        let queries = try await emulator.signInQueries()
        XCTAssertEqual(
            queries, [["api-version": "2018-02-01", "resource": "https://management.azure.com", "client_id": "user-assigned"]],
            "the probe's token is used, not fetched again")
    }

    func testIMDSWithoutAnIdentityIsNotConfigured() async throws {
        // The emulator answers 400 to a probe without `Metadata: true`, as IMDS answers 400 to a
        // machine without an identity; a CannedTransport plays that IMDS.
        let imds = CannedTransport(status: 400, body: #"{"error":"invalid_request","error_description":"Identity not found"}"#)
        let failure = await failure(bare, transport: imds)
        XCTAssertEqual(
            failure?.tried.last(where: { $0.hasPrefix("managed identity") }),
            "managed identity: IDENTITY_ENDPOINT, IDENTITY_HEADER not set; IMDS at \(bare["AZURE_POD_IDENTITY_AUTHORITY_HOST"]!) has no identity for this machine (HTTP 400: invalid_request: Identity not found)"
        )
    }

    func testAnswerNotShapedLikeIMDSIsNotManagedIdentity() async throws {
        // What a corporate proxy from http_proxy answers when asked for 169.254.169.254.
        let proxy = CannedTransport(status: 502, body: "<html>Bad Gateway</html>")
        let failure = await failure(bare, transport: proxy)
        XCTAssertEqual(
            failure?.tried.last(where: { $0.hasPrefix("managed identity") }),
            "managed identity: IDENTITY_ENDPOINT, IDENTITY_HEADER not set; \(bare["AZURE_POD_IDENTITY_AUTHORITY_HOST"]!) answered HTTP 502, not as IMDS does (if a proxy answered, add its host to NO_PROXY)"
        )
        // IMDS itself, busy: managed identity is the source, and its failure is reported later.
        let busy = CannedTransport(status: 503, body: #"{"error":"service_unavailable","error_description":"try later"}"#)
        let credential = try await resolve(bare, transport: busy)
        XCTAssertEqual(credential.source, "managed identity (IMDS)")
    }

    func testAzureCLI() async throws {
        let arguments = directory.path + "/arguments"
        try fakeAz(
            "echo \"$@\" > \(arguments)\necho '{\"accessToken\": \"cli-token\", \"expires_on\": 4102444800, \"expiresOn\": \"2099-12-31 23:00:00.000000\", \"tokenType\": \"Bearer\"}'"
        )
        let credential = try await resolve(bare)
        XCTAssertEqual(credential.source, "Azure CLI")
        let token = try await credential.token(forceRefresh: false)
        XCTAssertEqual(token.value, "cli-token")
        XCTAssertEqual(token.expiresOn, 4_102_444_800)
        XCTAssertEqual(
            try String(contentsOfFile: arguments, encoding: .utf8),
            "account get-access-token --resource https://management.azure.com --output json\n")
    }

    func testAzureCLIsLocalExpiryOfOlderVersions() async throws {
        try fakeAz("echo '{\"accessToken\": \"cli-token\", \"expiresOn\": \"2099-12-31 23:00:00.123456\"}'")
        let token = try await resolve(bare.merging(["TZ": "UTC"]) { $1 }).token(forceRefresh: false)
        XCTAssertNotNil(AzureCLI.epoch(localTime: "2099-12-31 23:00:00.123456"))
        let expected = AzureCLI.epoch(localTime: "2099-12-31 23:00:00")!
        XCTAssertEqual(token.expiresOn, expected)
        XCTAssertNil(AzureCLI.epoch(localTime: "31/12/2099 23:00"))
    }

    func testAzureCLINotSignedInQuotesItsErrorWithoutSecrets() async throws {
        try fakeAz(
            "echo \"ERROR: Please run 'az login' to setup account. $AZURE_CLIENT_SECRET eyJhbGciOiJub25lIn0.eyJ4IjoxfQ.c2ln\" >&2\nexit 1")
        // A secret without tenant and client configures nothing, but must still never be quoted.
        let credential = try await resolve(bare.merging(["AZURE_CLIENT_SECRET": plantedSecret]) { $1 })
        let message = await failureMessage { () async throws(SignInFailure) in try await credential.token(forceRefresh: false) }
        XCTAssertEqual(
            message,
            "Azure CLI failed (exit status 1): ERROR: Please run 'az login' to setup account. [redacted] [redacted]; run `az login`, or sign in with another source"
        )
    }

    func testAzureCLIThatHangsIsStoppedAfterItsTimeout() async throws {
        let az = try directory.write("az", "#!/bin/sh\n/bin/sleep 30\n", executable: true)
        let cli = AzureCLI(
            executable: az, resource: cloud.tokenResource, environment: bare, redaction: Redaction(secrets: []), timeout: 0.5)
        let message = await failureMessage { () async throws(SignInFailure) in try await cli.token() }
        XCTAssertEqual(message, "Azure CLI (\(az)) did not answer within 0.5 s")
    }

    // MARK: order

    func testFirstConfiguredSourceWins() async throws {
        try fakeAz("exit 1")
        let file = try directory.write("federated-token", "a.b.c")
        var environment = servicePrincipal.merging([
            "AZURE_CLIENT_SECRET": "emulator-secret",
            "AZURE_FEDERATED_TOKEN_FILE": file,
            "ACTIONS_ID_TOKEN_REQUEST_URL": emulator.baseURL + "/_github/oidc",
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "github-request-token",
            "IDENTITY_ENDPOINT": emulator.baseURL + "/_msi/token", "IDENTITY_HEADER": "identity-header",
            "AZURE_POD_IDENTITY_AUTHORITY_HOST": emulator.baseURL
        ]) { $1 }
        var sources: [String] = []
        for next in [
            "AZURE_CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE", "ACTIONS_ID_TOKEN_REQUEST_URL", "IDENTITY_ENDPOINT",
            "AZURE_POD_IDENTITY_AUTHORITY_HOST"
        ] {
            sources.append(try await resolve(environment).source)
            environment[next] = nil
        }
        environment["AZURE_POD_IDENTITY_AUTHORITY_HOST"] = bare["AZURE_POD_IDENTITY_AUTHORITY_HOST"]
        sources.append(try await resolve(environment).source)
        XCTAssertEqual(
            sources,
            [
                "client secret (AZURE_CLIENT_SECRET)", "workload identity (AZURE_FEDERATED_TOKEN_FILE)", "GitHub Actions OIDC",
                "managed identity (IDENTITY_ENDPOINT)", "managed identity (IMDS)", "Azure CLI"
            ])
    }

    func testNothingConfiguredListsEverySourceAndSendsNothingBeyondLoopback() async throws {
        let transport = RecordingTransport()
        let environment = bare.merging(["AZURE_CLIENT_ID": "client-1", "AZURE_CLIENT_SECRET": plantedSecret]) { $1 }
        guard let failure = await failure(environment, transport: transport) else { return XCTFail("resolved") }
        XCTAssertEqual(
            failure.tried,
            [
                "client secret: AZURE_TENANT_ID not set",
                "workload identity: AZURE_FEDERATED_TOKEN_FILE, AZURE_TENANT_ID not set",
                "GitHub Actions OIDC: ACTIONS_ID_TOKEN_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_TOKEN, AZURE_TENANT_ID not set",
                "managed identity: IDENTITY_ENDPOINT, IDENTITY_HEADER not set; IMDS at \(environment["AZURE_POD_IDENTITY_AUTHORITY_HOST"]!) did not answer within 1 s",
                "Azure CLI: az not found on PATH"
            ])
        XCTAssertTrue(failure.message.hasPrefix("no Azure credentials found: "))
        XCTAssertFalse(failure.description.contains(plantedSecret))
        XCTAssertEqual(transport.sent.count, 1, "the IMDS probe only")
        for url in transport.sent {
            XCTAssertTrue(Loopback.schemeAndHost(of: url).map { Loopback.contains(host: $0.host) } ?? false, url)
        }
    }

    // MARK: cache

    func testTokenNearExpiryIsRenewed() async throws {
        let clock = TestClock()
        let credential = try await resolve(servicePrincipal.merging(["AZURE_CLIENT_SECRET": "emulator-secret"]) { $1 }, clock: clock)
        let first = try await credential.token(forceRefresh: false)
        XCTAssertEqual(first.expiresOn, clock.now() + 3600, accuracy: 1)
        clock.advance(3000)
        let cached = try await credential.token(forceRefresh: false)
        XCTAssertEqual(cached, first, "10 minutes left: kept")
        clock.advance(350)
        let renewed = try await credential.token(forceRefresh: false)
        XCTAssertNotEqual(renewed, first, "4 minutes left: renewed")
        let paths = try await emulator.signInPaths()
        XCTAssertEqual(paths.count, 2)
    }

    func testShortLivedTokenIsKeptForHalfItsLifetime() async throws {
        let clock = TestClock()
        try await emulator.json("/_emulator/config", method: "POST", body: #"{"token_seconds": 120}"#)
        let credential = try await resolve(servicePrincipal.merging(["AZURE_CLIENT_SECRET": "emulator-secret"]) { $1 }, clock: clock)
        let first = try await credential.token(forceRefresh: false)
        clock.advance(50)
        let kept = try await credential.token(forceRefresh: false)
        XCTAssertEqual(kept, first)
        clock.advance(20)
        let renewed = try await credential.token(forceRefresh: false)
        XCTAssertNotEqual(renewed, first)
    }

    func testUnauthorizedTokenIsReplacedOnceForAllCallers() async throws {
        let credential = try await resolve(servicePrincipal.merging(["AZURE_CLIENT_SECRET": "emulator-secret"]) { $1 })
        let first = try await credential.token(forceRefresh: false)
        try await emulator.json("/_emulator/expire-tokens", method: "POST", body: "{}")
        let rejected = try await emulator.armStatus(with: first)
        XCTAssertEqual(rejected, 401)

        // Fifty requests saw the 401 at once; the first to ask renews, the others share it,
        // including those that ask after the renewal finished.
        let tokens = await withTaskGroup(of: AccessToken?.self) { group in
            for _ in 0..<50 { group.addTask { try? await credential.token(replacing: first) } }
            var tokens: [AccessToken?] = []
            for await token in group { tokens.append(token) }
            return tokens
        }
        let late = try await credential.token(replacing: first)
        XCTAssertEqual(Set(tokens.map { $0?.value }), [late.value])
        XCTAssertNotEqual(late, first)
        let accepted = try await emulator.armStatus(with: late)
        XCTAssertEqual(accepted, 404)
        let paths = try await emulator.signInPaths()
        XCTAssertEqual(paths.count, 2, "one fetch, one renewal")

        let forced = try await credential.token(forceRefresh: true)
        XCTAssertNotEqual(forced, late)
    }

    func testConcurrentFirstCallersShareOneFetch() async throws {
        let credential = try await resolve(servicePrincipal.merging(["AZURE_CLIENT_SECRET": "emulator-secret"]) { $1 })
        let values = await withTaskGroup(of: String?.self) { group in
            for _ in 0..<100 { group.addTask { try? await credential.token(forceRefresh: false).value } }
            var values: Set<String?> = []
            for await value in group { values.insert(value) }
            return values
        }
        XCTAssertEqual(values.count, 1)
        XCTAssertNotNil(values.first!)
        let paths = try await emulator.signInPaths()
        XCTAssertEqual(paths.count, 1)
    }

    func testTokenEndpointFaultsAreRetriedThreeTimes() async throws {
        try await emulator.json("/_emulator/faults", method: "POST", body: #"{"method":"POST","path":"oauth2","status":503,"count":1}"#)
        try await emulator.json("/_emulator/faults", method: "POST", body: #"{"method":"POST","path":"oauth2","drop":true,"count":1}"#)
        let credential = try await resolve(servicePrincipal.merging(["AZURE_CLIENT_SECRET": "emulator-secret"]) { $1 })
        let token = try await credential.token(forceRefresh: false)
        let status = try await emulator.armStatus(with: token)
        XCTAssertEqual(status, 404)
        let paths = try await emulator.signInPaths()
        XCTAssertEqual(paths.count, 3)

        try await emulator.json("/_emulator/faults", method: "POST", body: #"{"method":"POST","path":"oauth2","status":500,"count":3}"#)
        let message = await failureMessage { () async throws(SignInFailure) in try await credential.token(forceRefresh: true) }
        XCTAssertEqual(message, "Entra ID token endpoint \(emulator.baseURL)/tenant-1/oauth2/v2.0/token refused the sign-in: HTTP 500")
        let after = try await emulator.signInPaths()
        XCTAssertEqual(after.count, 6)
    }

    // MARK: secrets and refusals

    func testRefusedSecretIsNeverQuoted() async throws {
        let credential = try await resolve(servicePrincipal.merging(["AZURE_CLIENT_SECRET": plantedSecret]) { $1 })
        do {
            _ = try await credential.token(forceRefresh: false)
            XCTFail("signed in with a wrong secret")
        } catch {
            XCTAssertEqual(
                error.message,
                "Entra ID token endpoint \(emulator.baseURL)/tenant-1/oauth2/v2.0/token refused the sign-in: HTTP 401: invalid_client: AADSTS7000215: Invalid client secret provided."
            )
            XCTAssertFalse("\(error)".contains(plantedSecret))
            XCTAssertFalse(String(reflecting: error).contains(plantedSecret))
        }
    }

    func testErrorAnswersAreQuotedByTheirErrorFieldsOnly() async throws {
        let jwt = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwcyJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
        let body =
            #"{"error":"invalid_client","error_description":"AADSTS7000215: secret \#(plantedSecret) assertion \#(jwt) opaque 0123456789abcdefABCDEF0123456789abcdef Trace ID: 0000aaaa-11bb-cc22-dd33-44ee55ff6600","access_token":"\#(jwt)","secret":"\#(plantedSecret)"}"#
        let transport = CannedTransport(status: 400, body: body)
        let credential = try await resolve(servicePrincipal.merging(["AZURE_CLIENT_SECRET": plantedSecret]) { $1 }, transport: transport)
        let message = await failureMessage { () async throws(SignInFailure) in try await credential.token(forceRefresh: false) }
        XCTAssertEqual(
            message,
            "Entra ID token endpoint \(emulator.baseURL)/tenant-1/oauth2/v2.0/token refused the sign-in: HTTP 400: invalid_client: AADSTS7000215: secret [redacted] assertion [redacted] opaque [redacted] Trace ID: 0000aaaa-11bb-cc22-dd33-44ee55ff6600"
        )
    }

    func testTokensPrintRedacted() throws {
        let token = AccessToken(value: plantedSecret, expiresOn: 1)
        var dumped = ""
        dump(token, to: &dumped)
        for text in ["\(token)", String(reflecting: token), dumped, "\([token])"] {
            XCTAssertFalse(text.contains(plantedSecret), text)
        }
        XCTAssertEqual("\(token)", "AccessToken(redacted)")
    }

    func testPlainHTTPAuthorityOffLoopbackIsRefusedBeforeSending() async throws {
        let transport = RecordingTransport()
        let environment = servicePrincipal.merging([
            "AZURE_CLIENT_SECRET": plantedSecret, "AZURE_AUTHORITY_HOST": "http://login.example.com/"
        ]) { $1 }
        let failure = await failure(environment, transport: transport)
        XCTAssertEqual(
            failure?.message,
            "AZURE_AUTHORITY_HOST \"http://login.example.com\" is refused: sign-in sends a secret to it, so it must be https:// (plain http:// only to loopback)"
        )
        XCTAssertEqual(transport.sent, [])

        let identity = await self.failure(
            bare.merging(["IDENTITY_ENDPOINT": "http://10.0.0.1/msi/token", "IDENTITY_HEADER": "h"]) { $1 }, transport: transport)
        XCTAssertEqual(
            identity?.message,
            "IDENTITY_ENDPOINT \"http://10.0.0.1/msi/token\" is refused: IDENTITY_HEADER is a secret, so it must be https:// or loopback")
        XCTAssertEqual(transport.sent, [])

        // GitHub's request token goes in an Authorization header: the transport refuses it.
        let github = try await resolve(
            servicePrincipal.merging([
                "ACTIONS_ID_TOKEN_REQUEST_URL": "http://0.0.0.0:\(emulator.port)/_github/oidc",
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "github-request-token"
            ]) { $1 }, transport: transport)
        let message = await failureMessage { () async throws(SignInFailure) in try await github.token(forceRefresh: false) }
        XCTAssertEqual(
            message,
            "GitHub Actions ID token endpoint http://0.0.0.0:\(emulator.port)/_github/oidc could not be reached: GET http://0.0.0.0:\(emulator.port)/_github/oidc: refused to send credentials over plain http to a host that is not loopback"
        )
        let paths = try await emulator.signInPaths()
        XCTAssertEqual(paths, [])
    }

    func testMalformedTenantIsRefused() async throws {
        let failure = await failure(servicePrincipal.merging(["AZURE_CLIENT_SECRET": "s3cret", "AZURE_TENANT_ID": "../evil"]) { $1 })
        XCTAssertEqual(failure?.message, "AZURE_TENANT_ID \"../evil\" is not a tenant ID or domain name")
    }

    // MARK: answers

    func testTokenAnswersInTheirShapes() {
        let now = 1_000_000.0
        func token(_ json: String) -> AccessToken? { TokenRequest.accessToken(from: Array(json.utf8), now: now) }
        XCTAssertEqual(token(#"{"access_token":"a","expires_in":3599}"#), AccessToken(value: "a", expiresOn: now + 3599))
        XCTAssertEqual(token(#"{"access_token":"a","expires_in":"3599"}"#), AccessToken(value: "a", expiresOn: now + 3599))
        XCTAssertEqual(token(#"{"access_token":"a","expires_in":3599.5,"ratio":0.25}"#), AccessToken(value: "a", expiresOn: now + 3599.5))
        XCTAssertEqual(
            token(#"{"access_token":"a","expires_on":"2000000","expires_in":"10"}"#), AccessToken(value: "a", expiresOn: 2_000_000))
        XCTAssertEqual(token(#"{"access_token":"a","expires_on":2000000}"#), AccessToken(value: "a", expiresOn: 2_000_000))
        XCTAssertNil(token(#"{"access_token":"a"}"#))
        XCTAssertNil(token(#"{"expires_in":10}"#))
        XCTAssertNil(token("not json"))
    }

    func testGitHubAudienceIsAddedUnlessNamed() {
        func url(_ base: String) -> String {
            GitHubIDToken(
                url: base, requestToken: "t", transport: CannedTransport(status: 500, body: ""), redaction: Redaction(secrets: [])
            ).requestURL
        }
        XCTAssertEqual(url("https://x/token?api-version=2.0"), "https://x/token?api-version=2.0&audience=api://AzureADTokenExchange")
        XCTAssertEqual(url("https://x/token"), "https://x/token?audience=api://AzureADTokenExchange")
        XCTAssertEqual(url("https://x/token?audience=custom"), "https://x/token?audience=custom")
    }
}
