/// One HTTP exchange as the provider and sign-in see it: bytes in, bytes out, nothing retried or
/// followed behind their back.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// Whether the request carries a secret outside its Authorization header (a client secret or
    /// assertion in its body, an identity header); such a request is held to the same rule.
    public var carriesSecret: Bool

    public init(method: String, url: String, headers: [(String, String)] = [], body: [UInt8] = [], carriesSecret: Bool = false) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.carriesSecret = carriesSecret
    }

    /// Whether the transport must hold it to the rule for secrets.
    public var isSensitive: Bool { carriesSecret || header("Authorization") != nil }

    /// The value of header `name` (case-insensitive), if the request carries it.
    public func header(_ name: String) -> String? {
        let name = name.lowercased()
        return headers.first { $0.0.lowercased() == name }?.1
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        self.body = body
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// The request got no HTTP answer. Its message names the method and the URL without its query,
/// never a header or body.
public struct TransportFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// True when the request may have reached the server or may succeed if sent again (refused,
    /// reset or dropped connection, timeout); false when it was refused before sending (an
    /// Authorization header over plain http to a non-loopback host, a malformed URL).
    public var retryable: Bool

    public init(message: String, retryable: Bool = true) {
        self.message = message
        self.retryable = retryable
    }

    public var description: String { message }
}

public protocol HTTPTransport: Sendable {
    /// Sends `request` and returns the server's answer, whatever its status; `timeout` in seconds
    /// bounds the whole exchange.
    func send(_ request: HTTPRequest, timeout: Double) async throws(TransportFailure) -> HTTPResponse
}

/// Where a URL may be sent in clear. SPEC §6: bearer tokens never travel over plain http except to
/// loopback (127.0.0.0/8, ::1, localhost), which the tests' emulator and App Service's identity
/// endpoint use.
public enum Loopback {
    /// Whether `host` (as a URL spells it, IPv6 with or without brackets) is a loopback address.
    public static func contains(host: String) -> Bool {
        let host = unbracketed(host.lowercased())
        if host == "localhost" || host == "localhost." || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets[0] == "127" else { return false }
        return octets.allSatisfy { octet in
            !octet.isEmpty && octet.count <= 3 && octet.allSatisfy(\.isASCII) && octet.allSatisfy(\.isNumber)
                && Int(octet).map { $0 <= 255 } == true
        }
    }

    static func unbracketed(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }

    /// Splits an absolute URL into its lower-cased scheme and its host, or nil when it has neither.
    public static func schemeAndHost(of url: String) -> (scheme: String, host: String)? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        var authority = url[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        let host: Substring
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[...close]
        } else {
            host = authority.prefix { $0 != ":" }
        }
        guard !scheme.isEmpty, !host.isEmpty else { return nil }
        return (scheme, String(host))
    }

    /// Whether a request to `url` may carry a secret: https anywhere, http only to loopback.
    public static func maySendSecrets(to url: String) -> Bool {
        guard let (scheme, host) = schemeAndHost(of: url) else { return false }
        return scheme == "https" || (scheme == "http" && contains(host: host))
    }

    /// Why a request carrying a secret must not go to `url`, or nil when it may: plain http off
    /// loopback, or plain http to loopback that a proxy variable would route off the machine.
    static func secretRefusal(url: String, environment: [String: String]) -> String? {
        guard let (scheme, host) = schemeAndHost(of: url) else { return "not an absolute http(s) URL" }
        if scheme == "https" { return nil }
        guard scheme == "http" && contains(host: host) else {
            return "refused to send credentials over plain http to a host that is not loopback"
        }
        if let variable = ProxyEnvironment(environment: environment).plainHTTPProxyVariable(host: host) {
            return "refused to send credentials over plain http through the proxy in \(variable); add \(host) to NO_PROXY"
        }
        return nil
    }

    /// The URL without its query and fragment, for messages: queries may carry identifiers a
    /// message has no need for.
    public static func withoutQuery(_ url: String) -> String {
        String(url.prefix { $0 != "?" && $0 != "#" })
    }
}

enum Seconds {
    /// "1 s", "0.5 s": a duration as messages say it.
    static func text(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }
}
