import Dispatch
import Foundation
import TresorSupport

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// HTTP through the toolchain's URLSession (libcurl on Linux). Requests without a body share
/// kept-alive connections; hundreds in flight share them.
///
/// A request with a body goes on a connection of its own, closed after the answer. When a server
/// closes a kept-alive connection as a request arrives, libcurl sends the request again on a new
/// one, and FoundationNetworking cannot give it an in-memory body a second time: the resent
/// request waits for a body that never comes, until its timeout. On a new connection libcurl does
/// not resend, so the caller sees the dropped connection at once and decides itself.
///
/// Redirects are never followed: every request tresor sends carries a secret, in its
/// Authorization header or its body, and must not be replayed to another address. A request
/// carrying a secret over plain http is refused before sending unless the host is loopback and
/// no proxy variable routes it elsewhere. Proxies: libcurl honours http_proxy, HTTPS_PROXY,
/// ALL_PROXY and NO_PROXY by itself (docs/azure-http.md).
public final class URLSessionTransport: HTTPTransport {
    /// Requests without a body.
    private let keptAlive: URLSession
    /// Requests with a body, one connection each.
    private let oneShot: URLSession
    private let environment: [String: String]

    /// `maxConnectionsPerHost` bounds the connections opened to one host; requests beyond it
    /// queue for a free connection. An apply keeps hundreds of changes in flight against one ARM
    /// host, so the default is sized for that rather than URLSession's 6. `environment` holds the
    /// proxy variables libcurl reads (it reads the process's own; tests pass others).
    public init(maxConnectionsPerHost: Int = 512, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = maxConnectionsPerHost
        configuration.httpCookieAcceptPolicy = .never
        configuration.httpShouldSetCookies = false
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        keptAlive = URLSession(configuration: configuration, delegate: RedirectRefusal(), delegateQueue: nil)
        oneShot = URLSession(configuration: configuration, delegate: RedirectRefusal(), delegateQueue: nil)
    }

    deinit {
        keptAlive.invalidateAndCancel()
        oneShot.invalidateAndCancel()
    }

    public func send(_ request: HTTPRequest, timeout: Double) async throws(TransportFailure) -> HTTPResponse {
        let described = "\(request.method) \(Loopback.withoutQuery(request.url))"
        if request.isSensitive, let refusal = Loopback.secretRefusal(url: request.url, environment: environment) {
            throw TransportFailure(message: "\(described): \(refusal)", retryable: false)
        }
        guard let url = URL(string: request.url), let scheme = url.scheme?.lowercased(),
            scheme == "https" || scheme == "http", url.host != nil
        else {
            throw TransportFailure(message: "\(described): not an http(s) URL", retryable: false)
        }
        var urlRequest = URLRequest(url: url)
        urlRequest.httpMethod = request.method
        // URLSession's own timer measures idleness in whole seconds; the deadline below bounds the
        // whole exchange.
        urlRequest.timeoutInterval = max(1, timeout.rounded(.up))
        for (name, value) in request.headers { urlRequest.addValue(value, forHTTPHeaderField: name) }
        let session: URLSession
        if request.body.isEmpty {
            session = keptAlive
        } else {
            urlRequest.httpBody = Data(request.body)
            urlRequest.setValue("close", forHTTPHeaderField: "Connection")
            session = oneShot
        }

        let exchange = Exchange()
        let outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPResponse, TransportFailure>, Never>) in
                let task = session.dataTask(with: urlRequest) { data, response, error in
                    let result: Result<HTTPResponse, TransportFailure>
                    if let response = response as? HTTPURLResponse, error == nil {
                        var headers: [String: String] = [:]
                        for (name, value) in response.allHeaderFields {
                            headers[String(describing: name).lowercased()] = String(describing: value)
                        }
                        result = .success(HTTPResponse(status: response.statusCode, headers: headers, body: data.map { [UInt8]($0) } ?? []))
                    } else {
                        result = .failure(TransportFailure(message: "\(described): \(Self.reason(error))"))
                    }
                    exchange.finish(result)
                }
                guard exchange.start(task: task, continuation: continuation) else { return }
                // Weak: a finished exchange is released at once rather than when its deadline passes.
                DispatchQueue.global().asyncAfter(deadline: .now() + max(0, timeout)) { [weak exchange] in
                    exchange?.finish(.failure(TransportFailure(message: "\(described): no answer within \(Seconds.text(timeout))")))
                }
                task.resume()
            }
        } onCancel: {
            exchange.finish(.failure(TransportFailure(message: "\(described): cancelled", retryable: false)))
        }
        return try outcome.get()
    }

    /// What went wrong, in words: URLError's own descriptions on Linux are bare error numbers.
    private static func reason(_ error: (any Error)?) -> String {
        guard let error = error as? URLError else { return error.map { "\(type(of: $0))" } ?? "no HTTP response" }
        switch error.code {
        case .timedOut: return "timed out"
        case .cannotConnectToHost: return "connection refused"
        case .networkConnectionLost: return "connection dropped before the answer was complete"
        case .cannotFindHost, .dnsLookupFailed: return "host name not found"
        case .notConnectedToInternet: return "no network"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
            .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected:
            return "TLS handshake failed"
        case .badServerResponse: return "connection closed without a valid HTTP answer"
        case .cancelled: return "cancelled"
        default: return "URL error \(error.code.rawValue)"
        }
    }
}

/// One request's completion, reached first by the answer, the deadline or cancellation; the
/// others find it finished and do nothing.
private final class Exchange: Sendable {
    typealias Continuation = CheckedContinuation<Result<HTTPResponse, TransportFailure>, Never>
    private struct State {
        var task: URLSessionDataTask?
        var continuation: Continuation?
        var finished = false
        /// The caller cancelled before the request started.
        var cancelledEarly: Result<HTTPResponse, TransportFailure>?
    }
    private let state = Locked(State())

    /// Records the request; false (the continuation already resumed) when it was cancelled before.
    func start(task: URLSessionDataTask, continuation: Continuation) -> Bool {
        let early: Result<HTTPResponse, TransportFailure>? = state.withLock { state in
            if let early = state.cancelledEarly { return early }
            state.task = task
            state.continuation = continuation
            return nil
        }
        guard let early else { return true }
        continuation.resume(returning: early)
        return false
    }

    func finish(_ result: Result<HTTPResponse, TransportFailure>) {
        let (task, continuation): (URLSessionDataTask?, Continuation?) = state.withLock { state in
            guard !state.finished else { return (nil, nil) }
            state.finished = true
            guard let continuation = state.continuation else {
                state.cancelledEarly = result
                return (nil, nil)
            }
            defer { state = State(finished: true) }
            return (state.task, continuation)
        }
        guard let continuation else { return }
        if case .failure = result { task?.cancel() }
        continuation.resume(returning: result)
    }
}

extension URLSessionDataTask: @retroactive @unchecked Sendable {}

/// Answers every redirect with "do not follow": the 3xx response goes back to the caller.
private final class RedirectRefusal: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
