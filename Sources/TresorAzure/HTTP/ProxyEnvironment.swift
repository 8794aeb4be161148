import Foundation

/// The proxy variables as libcurl (URLSession on Linux) reads them, which it does by itself for
/// every request: `http_proxy` (lower case only: libcurl ignores HTTP_PROXY, which a CGI request
/// could set), `https_proxy`/`HTTPS_PROXY`, `all_proxy`/`ALL_PROXY`, exempted by
/// `no_proxy`/`NO_PROXY`. Read here only to know whether a plain-http request to loopback would
/// leave the machine, in clear, through a proxy.
struct ProxyEnvironment: Sendable {
    let environment: [String: String]

    /// The variable that would send a plain-http request to `host` through a proxy, or nil when
    /// it goes direct.
    func plainHTTPProxyVariable(host: String) -> String? {
        let variable = ["http_proxy", "all_proxy", "ALL_PROXY"].first { !(environment[$0] ?? "").isEmpty }
        guard let variable, !bypasses(host: host) else { return nil }
        return variable
    }

    /// Whether `no_proxy`/`NO_PROXY` exempts `host`: `*`, the host itself, or a domain it is in.
    /// (libcurl also reads CIDR ranges; an address inside one counts as proxied here, which only
    /// errs toward refusing.)
    private func bypasses(host: String) -> Bool {
        let list = [environment["no_proxy"], environment["NO_PROXY"]].compactMap { $0 }.first { !$0.isEmpty } ?? ""
        let host = Loopback.unbracketed(host.lowercased())
        return list.split(separator: ",").contains { entry in
            var pattern = Loopback.unbracketed(entry.trimmingCharacters(in: .whitespaces).lowercased())
            while pattern.hasPrefix(".") { pattern.removeFirst() }
            return pattern == "*" || (!pattern.isEmpty && (host == pattern || host.hasSuffix("." + pattern)))
        }
    }
}
