import Foundation

/// One token fetched over HTTP, shared by the sources that ask an endpoint: retries of what may
/// succeed when sent again, the expiry in either of its shapes, and error messages that quote
/// only the error fields of an answer, scrubbed.
struct TokenRequest: Sendable {
    let transport: any HTTPTransport
    let now: @Sendable () -> Double

    /// `endpoint` names the endpoint in messages ("Entra ID token endpoint https://login.../token").
    /// `errorFields` are the members of an error answer that may be quoted.
    func fetch(
        _ request: HTTPRequest, endpoint: String, timeout: Double, attempts: Int = 3,
        errorFields: [String] = ["error", "error_description"], redaction: Redaction
    ) async throws(SignInFailure) -> AccessToken {
        var attempt = 1
        while true {
            let response: HTTPResponse
            do {
                response = try await transport.send(request, timeout: timeout)
            } catch {
                guard error.retryable, attempt < attempts else {
                    throw SignInFailure(message: "\(endpoint) could not be reached: \(redaction.scrub(error.message))")
                }
                attempt += 1
                await pause(seconds: Double(attempt - 1))
                continue
            }
            if response.status == 429 || response.status >= 500, attempt < attempts {
                attempt += 1
                await pause(seconds: min(30, Backoff.retryAfter(response) ?? Double(attempt - 1)))
                continue
            }
            guard response.status == 200 else {
                let quoted = redaction.quoteError(response.body, fields: errorFields).map { ": " + $0 } ?? ""
                throw SignInFailure(message: "\(endpoint) refused the sign-in: HTTP \(response.status)\(quoted)")
            }
            guard let token = Self.accessToken(from: response.body, now: now()) else {
                throw SignInFailure(message: "\(endpoint) answered HTTP 200 without an access token and its expiry")
            }
            return token
        }
    }

    private func pause(seconds: Double) async {
        try? await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000))
    }

    /// `access_token` with `expires_on` (epoch seconds, number or string: managed identity) or
    /// `expires_in` (seconds from now, number or string: Entra ID).
    static func accessToken(from body: [UInt8], now: Double) -> AccessToken? {
        guard let answer = JSONAnswer(body), let value = answer.string("access_token"), !value.isEmpty else { return nil }
        if let expiresOn = answer.seconds("expires_on") { return AccessToken(value: value, expiresOn: expiresOn) }
        if let expiresIn = answer.seconds("expires_in") { return AccessToken(value: value, expiresOn: now + expiresIn) }
        return nil
    }

    /// `value` escaped for a query string or a form body: everything but unreserved characters.
    static func formEncoded(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func form(_ fields: [(String, String)]) -> [UInt8] {
        Array(fields.map { formEncoded($0.0) + "=" + formEncoded($0.1) }.joined(separator: "&").utf8)
    }
}

/// The top-level members of a JSON object answer. Read with Foundation: answers from elsewhere may
/// hold numbers with fractions, which TresorCore's integer-only reader refuses.
struct JSONAnswer {
    private let members: [String: Any]

    init?(_ body: [UInt8]) {
        guard let members = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { return nil }
        self.members = members
    }

    func string(_ key: String) -> String? { members[key] as? String }

    /// A finite count of seconds given as a number or as a string holding one ("inf" and "nan"
    /// parse, and would make a token that never or always expires).
    func seconds(_ key: String) -> Double? {
        let value =
            (members[key] as? String).map { Double($0.trimmingCharacters(in: .whitespaces)) }
            ?? (members[key] as? NSNumber)?.doubleValue
        return value.flatMap { $0.isFinite ? $0 : nil }
    }
}
