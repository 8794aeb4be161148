import Foundation

/// A credential source behind its in-memory token cache: the source only knows how to fetch a
/// token; the cache decides when, and makes concurrent callers share one fetch.
final class CachedCredential: TokenCredential {
    let source: String
    private let cache: TokenCache

    /// `first` is a token the source already fetched while being detected (managed identity's
    /// probe); `now` is the clock, in seconds since 1970.
    init(
        source: String, first: AccessToken? = nil, now: @escaping @Sendable () -> Double = CachedCredential.wallClock,
        fetch: @escaping @Sendable () async throws(SignInFailure) -> AccessToken
    ) {
        self.source = source
        cache = TokenCache(now: now, fetch: fetch, first: first)
    }

    static let wallClock: @Sendable () -> Double = { Date().timeIntervalSince1970 }

    func token(forceRefresh: Bool) async throws(SignInFailure) -> AccessToken {
        try await cache.token(renew: forceRefresh ? .always : .whenStale).get()
    }

    func token(replacing rejected: AccessToken) async throws(SignInFailure) -> AccessToken {
        try await cache.token(renew: .replacing(rejected)).get()
    }
}

private actor TokenCache {
    enum Renewal {
        case whenStale
        case always
        case replacing(AccessToken)
    }

    private let now: @Sendable () -> Double
    private let fetch: @Sendable () async throws(SignInFailure) -> AccessToken
    private var current: (token: AccessToken, fetchedAt: Double)?
    private var inFlight: Task<Result<AccessToken, SignInFailure>, Never>?

    init(
        now: @escaping @Sendable () -> Double, fetch: @escaping @Sendable () async throws(SignInFailure) -> AccessToken, first: AccessToken?
    ) {
        self.now = now
        self.fetch = fetch
        current = first.map { ($0, now()) }
    }

    func token(renew: Renewal) async -> Result<AccessToken, SignInFailure> {
        // A fetch already under way serves everyone who asks meanwhile, forced or not.
        if let inFlight { return await inFlight.value }
        if let current, isFresh(current) {
            switch renew {
            case .whenStale: return .success(current.token)
            case .replacing(let rejected) where rejected != current.token: return .success(current.token)
            case .replacing, .always: break
            }
        }
        let fetch = self.fetch
        let task = Task { () -> Result<AccessToken, SignInFailure> in
            do throws(SignInFailure) { return .success(try await fetch()) } catch { return .failure(error) }
        }
        inFlight = task
        let result = await task.value
        inFlight = nil
        if case .success(let token) = result { current = (token, now()) }
        return result
    }

    /// Renewed 5 minutes before expiry, or at half its lifetime when it was issued for less than
    /// 10 minutes (so that a short-lived token is not fetched again on every request).
    private func isFresh(_ entry: (token: AccessToken, fetchedAt: Double)) -> Bool {
        let margin = min(300, (entry.token.expiresOn - entry.fetchedAt) / 2)
        return entry.token.expiresOn - now() > margin
    }
}
