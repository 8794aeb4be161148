import Foundation
import TresorPlan
import TresorSupport

/// Follows ARM's long-running operations (SPEC §6, facts §2.1): a 201/202 carrying
/// `Azure-AsyncOperation` (preferred) or `Location` is polled at the URL as given (a path is put
/// on the ARM endpoint), Backup's unmarked 202s included. `Retry-After` sets the least wait
/// before each poll (a poll answered without one keeps the last one given); without any the
/// wait starts at 2 s and grows by half up to 30 s. When Azure
/// reports how long earlier operations of the same kind took (status `startTime`/`endTime`), the
/// first poll waits about that long, so a typical operation costs one poll.
struct OperationPoller: Sendable {
    let client: ARMClient
    let durations: OperationDurations

    /// Where a finished operation left the resource.
    enum Outcome {
        /// Polled through `Azure-AsyncOperation`: succeeded, no resource in the answer.
        case succeeded
        /// The final answer (synchronous, or the `Location` result): 200/201 with the resource, 204 without.
        case result(HTTPResponse)
    }

    private static let firstWaitWithoutRetryAfter = 2.0
    private static let longestWaitWithoutRetryAfter = 30.0

    /// Waits for the operation `response` (the answer to `method` on `url`) started, if any.
    /// `kind` groups operations that take alike long ("PUT ProtectedItem").
    func outcome(
        of response: HTTPResponse, method: String, url: String, kind: String, deadline: Double,
        correlationID: String
    ) async throws(ProviderFailure) -> Outcome {
        let statusURL = response.header("azure-asyncoperation").map { ARMPaths.absolute($0, base: client.baseURL) }
        let resultURL = response.header("location").map { ARMPaths.absolute($0, base: client.baseURL) }
        let correlation = response.header("x-ms-correlation-request-id") ?? correlationID
        let pending =
            response.status == 202 || (response.status == 201 && (statusURL != nil || resultURL != nil))
            || Self.isProvisioning(response)
        guard pending else { return .result(response) }

        let accepted = MonotonicClock.seconds()
        var fallbackWait = Self.firstWaitWithoutRetryAfter
        var cadence = Backoff.retryAfter(response)
        var wait = max(cadence ?? fallbackWait, durations.expected(kind) ?? 0)
        while true {
            guard MonotonicClock.seconds() + wait < deadline else {
                throw ProviderFailure(
                    message: "timed out waiting for the \(method) operation to finish; the change's time (--timeout) ran out",
                    retryable: true, httpStatus: response.status, correlationID: correlation)
            }
            try? await Task.sleep(nanoseconds: UInt64(wait * 1e9))
            let poll: HTTPResponse
            if let statusURL {
                poll = try await client.send("GET", statusURL, deadline: deadline, correlationID: correlationID)
                if poll.status == 200 {
                    let body = ResponseJSON.parse(poll.body)
                    switch body?["status"]?.stringValue?.asciiFolded {
                    case "succeeded"?:
                        durations.record(kind, seconds: Self.serverDuration(body) ?? MonotonicClock.seconds() - accepted)
                        return .succeeded
                    case "failed"?, "canceled"?, "cancelled"?:
                        let error = ARMError(json: body)
                        throw ProviderFailure(
                            message: error.message ?? "the \(method) operation ended \(body?["status"]?.stringValue ?? "")",
                            retryable: false, httpStatus: response.status, code: error.code, correlationID: correlation)
                    default:
                        break
                    }
                } else if poll.status != 404 {
                    // A 404 right after acceptance means the status is not readable yet: keep polling.
                    throw Self.unreadable(poll, correlationID: correlation)
                }
            } else {
                poll = try await client.send("GET", resultURL ?? url, deadline: deadline, correlationID: correlationID)
                switch poll.status {
                case 202:
                    break
                case 404 where method == "DELETE":
                    return .result(poll)
                case 404:
                    break
                case 200, 201, 204:
                    // Polling the resource itself: done once it leaves provisioning.
                    if resultURL == nil && Self.isProvisioning(poll) { break }
                    durations.record(kind, seconds: MonotonicClock.seconds() - accepted)
                    return .result(poll)
                default:
                    throw ARMError.failure(status: poll.status, body: poll.body, correlationID: correlation)
                }
            }
            // A status answer without Retry-After keeps the pace the operation was accepted with.
            if let retryAfter = Backoff.retryAfter(poll) ?? cadence {
                wait = retryAfter
                cadence = retryAfter
            } else {
                wait = fallbackWait
                fallbackWait = min(Self.longestWaitWithoutRetryAfter, fallbackWait * 1.5)
            }
        }
    }

    /// A 200/201 whose resource is still being provisioned (ARM's provisioningState protocol).
    private static func isProvisioning(_ response: HTTPResponse) -> Bool {
        guard response.status == 200 || response.status == 201,
            let state = ResponseJSON.parse(response.body)?["properties"]?["provisioningState"]?.stringValue?.asciiFolded
        else { return false }
        return !["succeeded", "failed", "canceled", "cancelled"].contains(state)
    }

    private static func unreadable(_ poll: HTTPResponse, correlationID: String) -> ProviderFailure {
        var failure = ARMError.failure(status: poll.status, body: poll.body, correlationID: correlationID)
        failure.message = "reading the operation's status failed: \(failure.message)"
        return failure
    }

    /// `endTime - startTime` of a finished operation's status, in seconds.
    private static func serverDuration(_ status: JSON?) -> Double? {
        guard let start = status?["startTime"]?.stringValue.flatMap(date), let end = status?["endTime"]?.stringValue.flatMap(date),
            end >= start
        else { return nil }
        return end.timeIntervalSince(start)
    }

    private static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}

/// How long operations of each kind took lately (a moving average), for the first poll's wait.
final class OperationDurations: Sendable {
    private let averages = Locked<[String: Double]>([:])

    func expected(_ kind: String) -> Double? {
        averages.withLock { $0[kind] }.map { $0 * 1.02 + 0.05 }
    }

    func record(_ kind: String, seconds: Double) {
        averages.withLock { averages in
            averages[kind] = averages[kind].map { 0.8 * $0 + 0.2 * seconds } ?? seconds
        }
    }
}
