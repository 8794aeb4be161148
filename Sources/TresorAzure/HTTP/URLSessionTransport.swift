import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// HTTP through the toolchain's URLSession (libcurl on Linux). One session for the process, so
/// connections stay open between requests and hundreds of requests in flight share them.
///
/// Redirects are never followed: every request tresor sends carries a secret, in its
/// Authorization header or its body, and must not be replayed to another address. A request
/// with an Authorization header over plain http is refused before sending unless the host is
/// loopback.
public final class URLSessionTransport: HTTPTransport {
    private let session: URLSession

    /// `maxConnectionsPerHost` bounds the connections opened to one host; requests beyond it
    /// queue for a free connection. An apply keeps hundreds of changes in flight against one ARM
    /// host, so the default is sized for that rather than URLSession's 6.
    public init(maxConnectionsPerHost: Int = 512) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = maxConnectionsPerHost
        configuration.httpCookieAcceptPolicy = .never
        configuration.httpShouldSetCookies = false
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration, delegate: RedirectRefusal(), delegateQueue: nil)
    }

    deinit { session.invalidateAndCancel() }

    public func send(_ request: HTTPRequest, timeout: Double) async throws(TransportFailure) -> HTTPResponse {
        let described = "\(request.method) \(Loopback.withoutQuery(request.url))"
        if request.header("Authorization") != nil && !Loopback.maySendSecrets(to: request.url) {
            throw TransportFailure(
                message: "\(described): refused to send credentials over plain http to a host that is not loopback",
                retryable: false)
        }
        guard let url = URL(string: request.url), let scheme = url.scheme?.lowercased(),
              scheme == "https" || scheme == "http", url.host != nil else {
            throw TransportFailure(message: "\(described): not an http(s) URL", retryable: false)
        }
        var urlRequest = URLRequest(url: url)
        urlRequest.httpMethod = request.method
        // URLSession's own timer measures idleness in whole seconds; the deadline below bounds the
        // whole exchange.
        urlRequest.timeoutInterval = max(1, timeout.rounded(.up))
        for (name, value) in request.headers { urlRequest.addValue(value, forHTTPHeaderField: name) }
        if !request.body.isEmpty { urlRequest.httpBody = Data(request.body) }

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
                exchange.start(task: task, continuation: continuation)
                DispatchQueue.global().asyncAfter(deadline: .now() + max(0, timeout)) {
                    exchange.finish(.failure(TransportFailure(message: "\(described): no answer within \(Self.seconds(timeout))")))
                }
                task.resume()
            }
        } onCancel: {
            exchange.finish(.failure(TransportFailure(message: "\(described): cancelled", retryable: false)))
        }
        return try outcome.get()
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
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
        case .badServerResponse: return "malformed HTTP response"
        case .cancelled: return "cancelled"
        default: return "URL error \(error.code.rawValue)"
        }
    }
}

/// One request's completion, reached first by the answer, the deadline or cancellation; the
/// others find it finished and do nothing.
private final class Exchange: Sendable {
    private struct Pending {
        var task: URLSessionDataTask?
        var continuation: CheckedContinuation<Result<HTTPResponse, TransportFailure>, Never>?
        var early: Result<HTTPResponse, TransportFailure>?
    }
    private let pending = Mutex(Pending())

    func start(task: URLSessionDataTask, continuation: CheckedContinuation<Result<HTTPResponse, TransportFailure>, Never>) {
        let early: Result<HTTPResponse, TransportFailure>? = pending.withLock { state in
            if let early = state.early { return early }
            state.task = task
            state.continuation = continuation
            return nil
        }
        if let early {
            task.cancel()
            continuation.resume(returning: early)
        }
    }

    func finish(_ result: Result<HTTPResponse, TransportFailure>) {
        let (task, continuation): (URLSessionDataTask?, CheckedContinuation<Result<HTTPResponse, TransportFailure>, Never>?) = pending.withLock { state in
            guard state.early == nil else { return (nil, nil) }
            state.early = result
            defer { state.task = nil; state.continuation = nil }
            return (state.task, state.continuation)
        }
        guard let continuation else { return }
        if case .failure = result { task?.cancel() }
        continuation.resume(returning: result)
    }
}

extension URLSessionDataTask: @retroactive @unchecked Sendable {}

/// Answers every redirect with "do not follow": the 3xx response goes back to the caller.
private final class RedirectRefusal: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        completionHandler(nil)
    }
}
