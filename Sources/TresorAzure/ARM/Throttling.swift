import Foundation
import TresorSupport

/// ARM's request budgets by subscription (SPEC §6: a token bucket per subscription for reads,
/// writes and, where Azure counts them apart, deletes), and the pacing of requests by them.
final class ThrottlePacer: Sendable {
    enum Budget: String, Sendable {
        case reads, writes, deletes
        var header: String { "x-ms-ratelimit-remaining-subscription-\(rawValue)" }
    }

    let pacing: Bool
    private let buckets = Locked<[String: RequestBucket]>([:])
    /// Subscriptions whose answers count deletes apart from writes.
    private let separateDeletes = Locked<Set<String>>([])

    init(pacing: Bool) {
        self.pacing = pacing
    }

    /// The budget a request spends: GET reads, DELETE deletes where Azure counts them apart
    /// (writes otherwise, as ARM did before 2024), anything else writes.
    func budget(method: String, subscription: String) -> Budget {
        switch method {
        case "GET", "HEAD": .reads
        case "DELETE": separateDeletes.withLock { $0.contains(subscription) } ? .deletes : .writes
        default: .writes
        }
    }

    func bucket(_ budget: Budget, subscription: String) -> RequestBucket {
        buckets.withLock { buckets in
            let key = "\(subscription)/\(budget.rawValue)"
            if let bucket = buckets[key] { return bucket }
            let bucket = RequestBucket()
            buckets[key] = bucket
            return bucket
        }
    }

    /// Waits for the budget when pacing.
    func acquire(_ budget: Budget, subscription: String) async {
        guard pacing else { return }
        await bucket(budget, subscription: subscription).acquire()
    }

    /// Feeds an answer's remaining count (or its 429) back to the bucket the request spent.
    func record(_ response: HTTPResponse?, budget: Budget, subscription: String, retryAfter: Double?) {
        guard pacing else { return }
        if budget == .writes, response?.header(Budget.deletes.header) != nil {
            separateDeletes.withLock { _ = $0.insert(subscription) }
        }
        let bucket = bucket(budget, subscription: subscription)
        if response?.status == 429 {
            bucket.throttled(retryAfter: retryAfter ?? 1)
        } else if let remaining = response?.header(budget.header).flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) {
            bucket.answered(remaining: remaining)
        } else {
            bucket.unanswered()
        }
    }

    /// Whether any request waits for a budget now.
    var isWaiting: Bool {
        buckets.withLock { Array($0.values) }.contains { $0.isWaiting }
    }

    /// Whether `subscription`'s write budget has room for more changes in flight.
    func hasRoom(subscription: String) -> Bool {
        !pacing || bucket(.writes, subscription: subscription).hasRoom
    }
}

/// How many changes may be in flight (SPEC §6 Concurrency): fixed by `--parallelism N`, or for
/// `auto` grown while the write budget has room and halved on a 429 (at most once a second, as
/// one burst of 429s is one signal), within 1...1,000. The applier reads the limit when a change
/// ends, so growth comes in steps there: one more for each change started with room, and an
/// quarter more for each change ended with room (from 16, a few hundred within a few waves of
/// operations, as ARM's write budget needs when each operation takes seconds).
final class InFlightLimit: Sendable {
    static let initial = 16
    static let maximum = 1000

    private let fixed: Int?
    private let state = Locked<(limit: Int, lastDecrease: Double)>((InFlightLimit.initial, -1))

    init(fixed: Int?) {
        self.fixed = fixed.map { max(1, $0) }
    }

    var value: Int { fixed ?? state.withLock { $0.limit } }

    func changeStarted() {
        guard fixed == nil else { return }
        state.withLock { $0.limit = min(Self.maximum, $0.limit + 1) }
    }

    func changeEnded() {
        guard fixed == nil else { return }
        state.withLock { $0.limit = min(Self.maximum, $0.limit + max(1, $0.limit / 4)) }
    }

    func throttled() {
        guard fixed == nil else { return }
        let now = MonotonicClock.seconds()
        state.withLock { state in
            guard now - state.lastDecrease >= 1 else { return }
            state.limit = max(1, state.limit / 2)
            state.lastDecrease = now
        }
    }
}

/// Waits between attempts: exponential backoff with full jitter (a random wait up to 1 s, 2 s,
/// 4 s, ... 60 s), never shorter than the server's Retry-After.
enum Backoff {
    static func delay(attempt: Int, retryAfter: Double?) -> Double {
        let ceiling = min(60, Double(1 << min(attempt, 6)))
        return max(retryAfter ?? 0, Double.random(in: 0...ceiling))
    }

    /// The longest Retry-After taken as given: an hour. Longer ones (up to "inf", which parses)
    /// would overflow the waits they set; no change waits that long anyway (--timeout).
    static let longestRetryAfter = 3600.0

    /// A Retry-After header in seconds (ARM sends an integer; an HTTP date is not used by ARM),
    /// at most `longestRetryAfter`; nil when absent, negative or not a number.
    static func retryAfter(_ response: HTTPResponse) -> Double? {
        guard let text = response.header("retry-after")?.trimmingCharacters(in: .whitespaces),
            let seconds = Double(text), seconds >= 0
        else { return nil }
        return min(seconds, longestRetryAfter)
    }
}
