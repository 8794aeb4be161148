import Dispatch
import Foundation
import FuzzSupport

@testable import TresorAzure
@testable import TresorFrontEnd
@testable import TresorModel
@testable import TresorPlan
@testable import TresorState
@testable import TresorSupport

/// Azure Resource Manager's answers, as the Azure provider reads them, from a transport that
/// answers with the input instead of the network. An answer is written as a status line (its
/// first number; 200 when it has none), header lines `Name: value`, a blank line and the body;
/// answers are separated by a line `%%`. The first byte picks what runs:
/// - `r`: refresh of the fuzz estate's state. Answers go, in order, to each vault's GET, its
///   `backupPolicies` and its `backupProtectedItems` lists, then each NSG's `securityRules`
///   list; the answers after those to any other URL asked (`nextLink` pages), in the order asked.
///   A refresh that reads brings the state up to date (`Refreshed`), and that state, and its
///   drift plan recorded, load again and plan; a refresh that fails is TR605.
/// - `o`: a long-running operation: the first answer is the one to a PUT (the second byte
///   `d`: a DELETE) of a vault, the others answer its polls in order.
/// - `t`: a token endpoint's answer (Entra ID, as `TokenRequest` fetches it), and the Azure
///   CLI's output: a token has an expiry that is a time; a refusal never quotes the client
///   secret or a JWT-shaped access token from the answer.
/// - anything else: one answer read as ARM's error, its Retry-After, its rate-limit headers fed
///   to the request pacing, and as a GET's answer.
/// Statuses the client retries after a random backoff (408, 429, 5xx) answer as 409 in `r` and
/// `o`, so that a run is quick and repeatable; the answer mode sees them as they are.
/// Every message made from answers must hold neither the bearer token nor the client secret.
func fuzzARM(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let (mode, rest) = Fuzz.partAndRest(data, size) else { return 0 }
    switch mode {
    case UInt8(ascii: "r"):
        refresh(answers(rest))
    case UInt8(ascii: "o"):
        operation(answers(rest.dropFirst()), method: rest.first == UInt8(ascii: "d") ? "DELETE" : "PUT")
    case UInt8(ascii: "t"):
        token(answer(rest[...]))
    default:
        single(answer(rest[...]))
    }
    return 0
}

let bearerToken = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.fuzz-bearer-token-value"
let clientSecret = "Fz8Q~fuzz-client-secret-value"
let base = "https://management.azure.com"

func refresh(_ answers: [HTTPResponse]) {
    let scope = RefreshScope(state: Fuzz.appliedState)
    let lists =
        scope.vaults.flatMap { [$0, $0 + "/backupPolicies", $0 + "/backupProtectedItems"] }
        + scope.networkSecurityGroups.map { $0 + "/securityRules" }
    let transport = AnsweringTransport(
        routes: Array(zip(lists, answers.map(quick))), after: answers.dropFirst(lists.count).map(quick),
        otherwise: HTTPResponse(status: 404))
    let provider = AzureProvider(
        settings: AzureSettings(cloud: AzureCloud.all[0], armEndpoint: base, timeout: 30, pacing: false),
        transport: transport, credential: FixedToken())
    switch blocking({ await Refreshed.read(Fuzz.appliedState, through: provider) }) {
    case .success(let refreshed?):
        Fuzz.expectLoadsAgain(refreshed.state, "the refreshed state")
        Fuzz.planAndRecord(against: refreshed.state, "the refreshed state")
        var drifted = Fuzz.appliedState
        drifted.record(refreshed.driftPlan(from: Fuzz.appliedState))
        Fuzz.expectLoadsAgain(drifted, "the state with the drift plan recorded")
    case .success(nil):
        Fuzz.expect(false, "the Azure provider refreshes")
    case .failure(let failure):
        Fuzz.expect(failure.diagnostic.code == "TR605", "a refresh that cannot read Azure is TR605")
        expectNoSecret(
            TextRenderer(colored: false).render(DiagnosticReport(sources: SourceFiles(), diagnostics: [failure.diagnostic])),
            "a refresh's failure")
    }
}

func operation(_ answers: [HTTPResponse], method: String) {
    guard let first = answers.first.map(quick) else { return }
    // As the provider's writes: an answer other than 2xx is ARM's refusal, not an operation.
    guard (200..<300).contains(first.status) else {
        return expectFailure(ARMError.failure(status: first.status, body: first.body, correlationID: "fuzz-correlation"), "a refusal")
    }
    let transport = AnsweringTransport(
        routes: [], after: answers.dropFirst().map(quick),
        otherwise: HTTPResponse(status: 400, body: Array(#"{"error":{"code":"FuzzEnd","message":"no more answers"}}"#.utf8)))
    let provider = AzureProvider(
        settings: AzureSettings(cloud: AzureCloud.all[0], armEndpoint: base, timeout: 30, pacing: false),
        transport: transport, credential: FixedToken())
    let poller = OperationPoller(client: provider.client, durations: OperationDurations())
    let url = ARMPaths.url(base: base, id: Fuzz.appliedState.resources[0].id, apiVersion: ARMAPIVersion.vaults)
    // Polls waiting (Retry-After, or 2 s without one) beyond the deadline end the operation at once.
    let deadline = MonotonicClock.seconds() + 0.05
    let outcome = blocking { () -> Result<OperationPoller.Outcome, ProviderFailure> in
        do throws(ProviderFailure) {
            return .success(
                try await poller.outcome(
                    of: first, method: method, url: url, kind: "\(method) Vault",
                    deadline: deadline, correlationID: "fuzz-correlation"))
        } catch {
            return .failure(error)
        }
    }
    switch outcome {
    case .success(.succeeded):
        break
    case .success(.result(let response)):
        Fuzz.expect(
            (200..<300).contains(response.status) || (method == "DELETE" && response.status == 404),
            "an operation ends with the resource's answer, not HTTP \(response.status)")
    case .failure(let failure):
        expectFailure(failure, "an operation's failure")
    }
}

func token(_ response: HTTPResponse) {
    let request = HTTPRequest(
        method: "POST", url: "https://login.microsoftonline.com/tenant/oauth2/v2.0/token",
        body: TokenRequest.form([("client_secret", clientSecret)]), carriesSecret: true)
    let fetch = TokenRequest(transport: AnsweringTransport(routes: [], after: [response], otherwise: response), now: { 1_800_000_000 })
    let fetched = blocking { () -> Result<AccessToken, SignInFailure> in
        do throws(SignInFailure) {
            return .success(
                try await fetch.fetch(
                    request, endpoint: "Entra ID token endpoint", timeout: 1, attempts: 1,
                    redaction: Redaction(secrets: [clientSecret])))
        } catch {
            return .failure(error)
        }
    }
    switch fetched {
    case .success(let token):
        Fuzz.expect(!token.value.isEmpty && token.expiresOn.isFinite, "a token has a value and an expiry")
    case .failure(let failure):
        Fuzz.expect(!failure.message.contains(clientSecret), "a refused sign-in does not quote the client secret")
        if let value = JSONAnswer(response.body)?.string("access_token"), value.hasPrefix("eyJ"), value.count >= 32,
            value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.~+/=".contains($0)) })
        {
            Fuzz.expect(!failure.message.contains(value), "a refused sign-in does not quote the access token")
        }
    }
    if let token = AzureCLI.accessToken(from: response.body) {
        Fuzz.expect(!token.value.isEmpty && token.expiresOn.isFinite, "the Azure CLI's token has a value and an expiry")
    }
}

func single(_ response: HTTPResponse) {
    let retryAfter = Backoff.retryAfter(response)
    Fuzz.expect(
        retryAfter.map { $0 >= 0 && $0 <= Backoff.longestRetryAfter } ?? true,
        "Retry-After \(retryAfter ?? 0) is a wait from now of at most \(Backoff.longestRetryAfter) s")
    let failure = ARMError.failure(
        status: response.status, body: response.body, correlationID: "fuzz-correlation",
        retryable: true, retryAfter: retryAfter)
    expectFailure(failure, "ARM's error")
    Fuzz.expect(failure.code.map { !$0.isEmpty } ?? true, "an ARM error code is not empty")

    let pacer = ThrottlePacer(pacing: true)
    for method in ["GET", "PUT", "DELETE"] {
        let budget = pacer.budget(method: method, subscription: "fuzz")
        pacer.record(response, budget: budget, subscription: "fuzz", retryAfter: retryAfter)
        _ = pacer.hasRoom(subscription: "fuzz")
    }
    _ = pacer.isWaiting

    let provider = AzureProvider(
        settings: AzureSettings(cloud: AzureCloud.all[0], armEndpoint: base, timeout: 30, pacing: false),
        transport: AnsweringTransport(routes: [], after: [quick(response)], otherwise: HTTPResponse(status: 404)),
        credential: FixedToken())
    let reader = ARMReader(client: provider.client, timeout: 30)
    let read = blocking { () -> Result<JSON?, ProviderFailure> in
        do throws(ProviderFailure) {
            return .success(try await reader.get("/subscriptions/fuzz", apiVersion: ARMAPIVersion.vaults))
        } catch {
            return .failure(error)
        }
    }
    if case .failure(let failure) = read { expectFailure(failure, "a read's failure") }
}

/// A failure says something, and quotes no secret (what the provider's diagnostics are made of).
func expectFailure(_ failure: ProviderFailure, _ what: String) {
    Fuzz.expect(!failure.message.isEmpty, "\(what) has a message")
    Fuzz.expect(failure.retryAfter.map { $0 >= 0 && $0 <= Backoff.longestRetryAfter } ?? true, "\(what) waits a sane time")
    expectNoSecret(failure.cause, what)
}

func expectNoSecret(_ text: String, _ what: String) {
    Fuzz.expect(!text.contains(bearerToken) && !text.contains(clientSecret), "\(what) quotes no secret")
}

/// The answers in `bytes`, separated by lines `%%`.
func answers(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> [HTTPResponse] {
    var result: [HTTPResponse] = []
    var rest = bytes[...]
    let separator = Array("\n%%\n".utf8)
    while let range = rest.firstRange(of: separator) {
        result.append(answer(rest[..<range.lowerBound]))
        rest = rest[range.upperBound...]
    }
    result.append(answer(rest))
    return result
}

/// One answer: a status line, header lines, a blank line, the body.
func answer(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> HTTPResponse {
    let blank = bytes.firstRange(of: Array("\n\n".utf8))
    let head = String(decoding: bytes[..<(blank?.lowerBound ?? bytes.endIndex)], as: UTF8.self)
    let body = blank.map { Array(bytes[$0.upperBound...]) } ?? []
    var lines = head.split(separator: "\n", omittingEmptySubsequences: false)
    let statusLine = lines.isEmpty ? "" : lines.removeFirst()
    let status = Int(statusLine.drop { !$0.isNumber }.prefix { $0.isNumber }.prefix(3)) ?? 200
    var headers: [String: String] = [:]
    for line in lines {
        guard let colon = line.firstIndex(of: ":") else { continue }
        headers[String(line[..<colon]).trimmingCharacters(in: .whitespaces)] =
            String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
    }
    return HTTPResponse(status: status, headers: headers, body: body)
}

/// `response` with a status the client retries after a random backoff answered as 409 instead.
func quick(_ response: HTTPResponse) -> HTTPResponse {
    var response = response
    if [408, 429, 500, 502, 503, 504].contains(response.status) { response.status = 409 }
    return response
}

/// Answers the first request to each of the given resource IDs (the URL's path, whatever its
/// query) with its answer, any other request with the next of `after`, and once those are used
/// up with `otherwise`.
final class AnsweringTransport: HTTPTransport {
    private let routes: Locked<[String: HTTPResponse]>
    private let after: Locked<ArraySlice<HTTPResponse>>
    private let otherwise: HTTPResponse

    init(routes: [(String, HTTPResponse)], after: [HTTPResponse], otherwise: HTTPResponse) {
        self.routes = Locked(
            Dictionary(
                routes.map { (AnsweringTransport.key(ARMPaths.url(base: base, id: $0.0, apiVersion: "")), $0.1) },
                uniquingKeysWith: { first, _ in first }))
        self.after = Locked(after[...])
        self.otherwise = otherwise
    }

    static func key(_ url: String) -> String { Loopback.withoutQuery(url).lowercased() }

    func send(_ request: HTTPRequest, timeout: Double) async throws(TransportFailure) -> HTTPResponse {
        Fuzz.expect(
            request.header("Authorization") == nil || request.header("Authorization") == "Bearer \(bearerToken)",
            "requests carry the bearer token as it was given")
        if let answer = routes.withLock({ $0.removeValue(forKey: Self.key(request.url)) }) { return answer }
        return after.withLock { $0.popFirst() } ?? otherwise
    }
}

struct FixedToken: TokenCredential {
    var source: String { "fuzz" }
    func token(forceRefresh: Bool) async throws(SignInFailure) -> AccessToken {
        AccessToken(value: bearerToken, expiresOn: 4_000_000_000)
    }
}

/// `body`'s result, waited for on this thread (libFuzzer calls the target synchronously).
func blocking<Value: Sendable>(_ body: @escaping @Sendable () async -> Value) -> Value {
    let box = Box<Value>()
    let done = DispatchSemaphore(value: 0)
    Task {
        // Read only after `done` is signalled.
        box.value = await body()
        done.signal()
    }
    done.wait()
    return box.value!
}

final class Box<Value>: @unchecked Sendable {
    var value: Value?
}

// Last: top-level code runs in order, and this does not return.
Fuzz.run(fuzzARM)
