import Foundation
import TresorSupport

/// ARM's request budget for one subscription and one kind of request (reads, writes or
/// deletes), as the `x-ms-ratelimit-remaining-subscription-*` headers show it: a token bucket
/// whose size is the largest remaining count seen and whose refill rate is estimated from how
/// the count moves between responses. Requests are released first come, first served, while the
/// estimate holds a token, so a large apply runs at the refill rate instead of into 429s.
///
/// The estimate is conservative: each response resets it to the remaining count less every
/// request still unanswered (some of which ARM may already have counted), and a 429 empties it
/// until its Retry-After.
final class RequestBucket: Sendable {
    private struct State {
        /// Estimated tokens at `updatedAt`; nil until a header was seen.
        var tokens: Double?
        var capacity: Double = 0
        /// Tokens per second; nil until measured.
        var rate: Double?
        var updatedAt: Double = 0
        var issued = 0
        var answered = 0
        /// The last count used to measure the rate: (time, remaining, answered).
        var sample: (time: Double, remaining: Double, answered: Int)?
        var blockedUntil: Double = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
        var waiterHead = 0
        var releasing = false
    }

    /// Rate measurements shorter than this are too noisy (the count is an integer, and answers
    /// arrive in another order than ARM counted them).
    private static let minimumSampleSeconds = 1.0

    /// Tokens kept back from the estimate, a twentieth of the bucket (at least 2): the headers
    /// lag the requests in flight and the measured rate is noisy. Holding the bucket a little
    /// above empty costs nothing: it still refills at its full rate.
    private static func reserve(_ state: State) -> Double {
        max(2, state.capacity / 20)
    }

    private let state = Locked(State())
    private let clock = MonotonicClock.seconds

    /// Waits until the budget allows one more request, and counts it as sent.
    func acquire() async {
        let now = clock()
        let immediate = state.withLock { state -> Bool in
            guard state.waiters.count == state.waiterHead, Self.wait(state, now: now) == 0 else { return false }
            Self.take(&state, now: now)
            return true
        }
        if immediate { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let startReleasing = state.withLock { state -> Bool in
                state.waiters.append(continuation)
                defer { state.releasing = true }
                return !state.releasing
            }
            if startReleasing { Task.detached { await self.releaseWaiters() } }
        }
    }

    /// Whether requests are waiting for the budget now.
    var isWaiting: Bool {
        let now = clock()
        return state.withLock { $0.waiters.count > $0.waiterHead || $0.blockedUntil > now }
    }

    /// Whether the budget has clearly more than it needs: unknown yet, or above a tenth of its size.
    var hasRoom: Bool {
        let now = clock()
        return state.withLock { state in
            guard state.blockedUntil <= now, let tokens = Self.tokens(state, now: now) else { return state.blockedUntil <= now }
            return tokens > max(Self.reserve(state) + 1, state.capacity / 10)
        }
    }

    /// Records an answer that carried the remaining count (a request ARM counted).
    func answered(remaining: Int) {
        let now = clock()
        state.withLock { state in
            state.answered += 1
            let remaining = Double(remaining)
            state.capacity = max(state.capacity, remaining + 1)
            // Measure the refill rate while the bucket is neither full nor empty at both ends.
            if remaining < state.capacity - 1, remaining > 0 {
                if let sample = state.sample, sample.remaining < state.capacity - 1 {
                    let elapsed = now - sample.time
                    if elapsed >= Self.minimumSampleSeconds {
                        let measured = (remaining - sample.remaining + Double(state.answered - sample.answered)) / elapsed
                        if measured > 0 { state.rate = state.rate.map { 0.7 * $0 + 0.3 * measured } ?? measured }
                        state.sample = (now, remaining, state.answered)
                    }
                } else {
                    state.sample = (now, remaining, state.answered)
                }
            } else {
                state.sample = nil
            }
            state.tokens = remaining - Double(max(0, state.issued - state.answered))
            state.updatedAt = now
        }
    }

    /// Records an answer that carried no count, or a request that got no answer.
    func unanswered() {
        state.withLock { state in state.answered += 1 }
    }

    /// Records a 429: nothing is released before `retryAfter` seconds.
    func throttled(retryAfter: Double) {
        let now = clock()
        state.withLock { state in
            state.answered += 1
            state.blockedUntil = max(state.blockedUntil, now + retryAfter)
            state.tokens = 0
            state.updatedAt = now
            state.sample = nil
        }
    }

    private func releaseWaiters() async {
        while true {
            let now = clock()
            let (next, delay) = state.withLock { state -> (CheckedContinuation<Void, Never>?, Double) in
                guard state.waiters.count > state.waiterHead else {
                    state.waiters.removeAll()
                    state.waiterHead = 0
                    state.releasing = false
                    return (nil, -1)
                }
                let delay = Self.wait(state, now: now)
                guard delay == 0 else { return (nil, delay) }
                Self.take(&state, now: now)
                let next = state.waiters[state.waiterHead]
                state.waiterHead += 1
                if state.waiterHead > 1024 {
                    state.waiters.removeFirst(state.waiterHead)
                    state.waiterHead = 0
                }
                return (next, 0)
            }
            if let next {
                next.resume()
            } else if delay < 0 {
                return
            } else {
                try? await Task.sleep(nanoseconds: UInt64(delay * 1e9))
            }
        }
    }

    /// Seconds until a request may go: 0 when now. Re-checked after at most a second, as
    /// answers keep correcting the estimate.
    private static func wait(_ state: State, now: Double) -> Double {
        if state.blockedUntil > now { return state.blockedUntil - now }
        guard let tokens = tokens(state, now: now) else { return 0 }
        let missing = reserve(state) + 1 - tokens
        guard missing > 0 else { return 0 }
        return min(1, max(0.001, missing / rate(state)))
    }

    private static func tokens(_ state: State, now: Double) -> Double? {
        guard let tokens = state.tokens else { return nil }
        return min(state.capacity, tokens + rate(state) * max(0, now - state.updatedAt))
    }

    /// The measured refill rate; before there is one, a twentieth of the size a second (ARM's
    /// documented buckets refill in 20 s for writes, 10 s for reads).
    private static func rate(_ state: State) -> Double {
        state.rate ?? max(1, state.capacity / 20)
    }

    private static func take(_ state: inout State, now: Double) {
        state.issued += 1
        if let tokens = tokens(state, now: now) {
            state.tokens = tokens - 1
            state.updatedAt = now
        }
    }
}
