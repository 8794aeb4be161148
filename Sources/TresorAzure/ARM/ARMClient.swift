import Foundation
import Synchronization
import TresorPlan
import TresorSupport

/// Sends ARM requests: adds the bearer token, paces by the subscription's budget, renews the
/// token once on a 401, and retries what may succeed when sent again (429, 408, 500, 502, 503,
/// 504, no answer) with backoff until the change's deadline. Every write tresor sends is a PUT,
/// PATCH or DELETE of a fixed ID, so sending it again is safe. Logs one line per answer (method,
/// URL without its query but the api-version, status, duration, correlation ID), never a header.
final class ARMClient: Sendable {
    let baseURL: String
    let pacer: ThrottlePacer
    let inFlight: InFlightLimit
    private let transport: any HTTPTransport
    private let credential: any TokenCredential
    private let log: (@Sendable (String) -> Void)?
    /// Requests waiting out a 429's Retry-After.
    private let backingOff = Atomic<Int>(0)

    /// Longest wait for one answer; ARM itself gives up on a provider after 60 s (504).
    static let requestTimeout = 120.0

    init(
        baseURL: String, transport: any HTTPTransport, credential: any TokenCredential, pacer: ThrottlePacer,
        inFlight: InFlightLimit, log: (@Sendable (String) -> Void)?
    ) {
        self.baseURL = baseURL
        self.transport = transport
        self.credential = credential
        self.pacer = pacer
        self.inFlight = inFlight
        self.log = log
    }

    /// Whether requests wait on throttling now (budget pacing or a 429's Retry-After).
    var isThrottled: Bool { backingOff.load(ordering: .relaxed) > 0 || pacer.isWaiting }

    /// Sends until an answer that is final (anything but the retried statuses) and returns it;
    /// throws when the deadline passes first or the request cannot be sent.
    func send(
        _ method: String, _ url: String, body: JSON? = nil, deadline: Double,
        correlationID: String
    ) async throws(ProviderFailure) -> HTTPResponse {
        let subscription = ARMPaths.subscription(in: url) ?? ""
        var attempt = 0
        var renewed = false
        var rejectedToken: AccessToken?
        while true {
            let budget = pacer.budget(method: method, subscription: subscription)
            await pacer.acquire(budget, subscription: subscription)
            let token: AccessToken
            do throws(SignInFailure) {
                if let rejectedToken {
                    token = try await credential.token(replacing: rejectedToken)
                } else {
                    token = try await credential.token(forceRefresh: false)
                }
            } catch {
                pacer.record(nil, budget: budget, subscription: subscription, retryAfter: nil)
                throw ProviderFailure(message: "sign-in failed: \(error.message)", retryable: false)
            }
            rejectedToken = nil
            var headers = [
                ("Authorization", "Bearer \(token.value)"), ("Accept", "application/json"),
                ("x-ms-correlation-request-id", correlationID), ("User-Agent", "tresor")
            ]
            if body != nil { headers.append(("Content-Type", "application/json")) }
            let request = HTTPRequest(method: method, url: url, headers: headers, body: body?.bytes ?? [])
            let started = MonotonicClock.seconds()
            let remaining = deadline - started
            guard remaining > 0 else {
                pacer.record(nil, budget: budget, subscription: subscription, retryAfter: nil)
                throw timedOut(method, url, correlationID: correlationID)
            }

            let retryAfter: Double?
            var failure: ProviderFailure
            do throws(TransportFailure) {
                let response = try await transport.send(request, timeout: min(remaining, Self.requestTimeout))
                let answerRetryAfter = Backoff.retryAfter(response)
                // A 401 was refused before ARM counted it.
                pacer.record(
                    response.status == 401 ? nil : response, budget: budget, subscription: subscription,
                    retryAfter: answerRetryAfter)
                let correlation = response.header("x-ms-correlation-request-id") ?? correlationID
                log?(
                    "\(method) \(Self.loggable(url)) \(response.status) in \(Self.milliseconds(since: started)) ms (correlation \(correlation))"
                )
                switch response.status {
                case 401 where !renewed:
                    renewed = true
                    rejectedToken = token
                    continue
                case 429:
                    inFlight.throttled()
                    fallthrough
                case 408, 500, 502, 503, 504:
                    retryAfter = answerRetryAfter
                    failure = ARMError.failure(
                        status: response.status, body: response.body, correlationID: correlation,
                        retryable: true, retryAfter: answerRetryAfter)
                default:
                    return response
                }
            } catch {
                pacer.record(nil, budget: budget, subscription: subscription, retryAfter: nil)
                log?("\(method) \(Self.loggable(url)) no answer after \(Self.milliseconds(since: started)) ms: \(error.message)")
                failure = ProviderFailure(message: error.message, retryable: error.retryable, correlationID: correlationID)
                guard error.retryable else { throw failure }
                retryAfter = nil
            }

            let delay = Backoff.delay(attempt: attempt, retryAfter: retryAfter)
            attempt += 1
            guard MonotonicClock.seconds() + delay < deadline else { throw failure }
            let throttledWait = failure.httpStatus == 429
            if throttledWait { backingOff.add(1, ordering: .relaxed) }
            try? await Task.sleep(nanoseconds: UInt64(delay * 1e9))
            if throttledWait { backingOff.subtract(1, ordering: .relaxed) }
        }
    }

    /// The failure of a change whose deadline passed.
    func timedOut(_ method: String, _ url: String, correlationID: String) -> ProviderFailure {
        ProviderFailure(
            message: "timed out before \(method) \(Self.loggable(url)) was answered; the change's time (--timeout) ran out",
            retryable: true, correlationID: correlationID)
    }

    /// The URL for a log line or message: without its query, but its api-version.
    static func loggable(_ url: String) -> String {
        let path = Loopback.withoutQuery(url)
        guard let query = url.split(separator: "?", maxSplits: 1).dropFirst().first else { return path }
        let version = query.split(separator: "&").first { $0.lowercased().hasPrefix("api-version=") }
        return version.map { "\(path)?\($0)" } ?? path
    }

    private static func milliseconds(since start: Double) -> Int {
        Int(((MonotonicClock.seconds() - start) * 1000).rounded())
    }
}
