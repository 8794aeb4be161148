import Foundation
import Synchronization
import XCTest

@testable import TresorAzure

/// The real transport, noting the URL of every request it was asked to send.
final class RecordingTransport: HTTPTransport {
    private let inner = URLSessionTransport()
    private let urls = Mutex<[String]>([])

    var sent: [String] { urls.withLock { $0 } }

    func send(_ request: HTTPRequest, timeout: Double) async throws(TransportFailure) -> HTTPResponse {
        urls.withLock { $0.append(request.url) }
        return try await inner.send(request, timeout: timeout)
    }
}

/// A transport that sends nothing and answers every request with one canned response.
final class CannedTransport: HTTPTransport {
    let response: HTTPResponse
    private let urls = Mutex<[String]>([])

    init(status: Int, body: String) {
        response = HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: Array(body.utf8))
    }

    var sent: [String] { urls.withLock { $0 } }

    func send(_ request: HTTPRequest, timeout: Double) async throws(TransportFailure) -> HTTPResponse {
        urls.withLock { $0.append(request.url) }
        return response
    }
}

/// A clock the test moves.
final class TestClock: Sendable {
    private let seconds = Mutex(Date().timeIntervalSince1970)
    var now: @Sendable () -> Double { { self.seconds.withLock { $0 } } }
    func advance(_ by: Double) { seconds.withLock { $0 += by } }
}

/// A temporary directory removed on deinit, for PATH, fake `az` scripts and token files.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "tresor-signin-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ name: String, _ text: String, executable: Bool = false) throws -> String {
        let file = path + "/" + name
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file) }
        return file
    }
}

extension EmulatorProcess {
    /// How the emulator answers a Resource Manager read carrying `token`: 401 when it does not
    /// accept it, 404 (no such vault) when it does.
    func armStatus(with token: AccessToken) async throws -> Int {
        let url =
            baseURL
            + "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/none?api-version=2026-08-01"
        let response = try await URLSessionTransport().send(
            HTTPRequest(method: "GET", url: url, headers: [("Authorization", "Bearer " + token.value)]), timeout: 10)
        return response.status
    }

    /// The decoded query parameters of the sign-in requests the emulator received, in order.
    func signInQueries() async throws -> [[String: String]] {
        let requests = try await json("/_emulator/requests").arrayValue ?? []
        return requests.filter { $0["kind"] == "token" }.map { request in
            var components = URLComponents()
            components.percentEncodedQuery = request["query"]?.stringValue ?? ""
            return Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        }
    }

    /// The paths of the sign-in requests the emulator received, in order.
    func signInPaths() async throws -> [String] {
        let requests = try await json("/_emulator/requests").arrayValue ?? []
        return requests.filter { $0["kind"] == "token" }.compactMap { $0["path"]?.stringValue }
    }
}
