import Foundation
import Glibc
import TresorFrontEnd
import TresorSupport

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A Python server on loopback for one test: the ARM emulator (`Tests/Emulator/arm_emulator.py`)
/// or a script given inline. It prints `listening on http://127.0.0.1:PORT` as its first line;
/// `stop()` (call it from tearDown) kills it.
final class EmulatorProcess {
    struct StartFailure: Error {
        var message: String
    }

    let baseURL: String
    private let process: Process

    /// The repository's root: the nearest folder above this file with a Package.swift (tests run
    /// from a clone; this file is linked into more than one test target).
    static let repositoryRoot: URL = {
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path), folder.path != "/" {
            folder = folder.deletingLastPathComponent()
        }
        return folder
    }()

    /// Starts the ARM emulator with `arguments` after `--port 0`.
    convenience init(emulatorArguments arguments: [String] = []) throws {
        let script = Self.repositoryRoot.appendingPathComponent("Tests/Emulator/arm_emulator.py").path
        try self.init(pythonArguments: [script, "--port", "0"] + arguments)
    }

    /// Starts `python3` with `arguments` (`["-c", source]` for an inline script).
    init(pythonArguments arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-u"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        self.process = process

        var line: [UInt8] = []
        let reader = output.fileHandleForReading
        while true {
            let byte = reader.readData(ofLength: 1)
            guard let first = byte.first else { break }
            if first == UInt8(ascii: "\n") { break }
            line.append(first)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("listening on ") else {
            process.terminate()
            process.waitUntilExit()
            throw StartFailure(message: "server did not start: first line \"\(text)\"")
        }
        baseURL = String(text.dropFirst("listening on ".count))
        // Later output is drained so that a chatty server never blocks on a full pipe.
        Thread.detachNewThread { while !reader.availableData.isEmpty {} }
    }

    var port: Int { Int(baseURL.split(separator: ":").last ?? "") ?? 0 }

    /// A service principal the emulator accepts, with ARM and the authority at the emulator and
    /// managed identity's endpoint at a closed loopback port.
    var signInEnvironment: [String: String] {
        [
            "AZURE_TENANT_ID": "tenant", "AZURE_CLIENT_ID": "client", "AZURE_CLIENT_SECRET": "emulator-secret",
            "AZURE_AUTHORITY_HOST": baseURL, "TRESOR_ARM_ENDPOINT": baseURL,
            "AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://127.0.0.1:\(Self.closedPort())"
        ]
    }

    func stop() {
        guard process.isRunning else { return }
        // SIGKILL: a server busy with open connections must not keep the test waiting.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }

    /// GETs `path` from the server and decodes its JSON answer (control endpoints).
    @discardableResult
    func json(_ path: String, method: String = "GET", body: String? = nil) async throws -> JSON {
        var request = URLRequest(url: URL(string: baseURL + path)!)
        request.httpMethod = method
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, _) = try await URLSession.shared.data(for: request)
        return Self.json(fromFoundation: try JSONSerialization.jsonObject(with: data))
    }

    /// Foundation's parse as TresorCore's JSON (the control API's times have fractions, which
    /// JSONReader refuses): numbers become integers, truncated.
    static func json(fromFoundation value: Any) -> JSON {
        switch value {
        case let text as String: return .string(text)
        case let number as NSNumber: return .int(number.intValue)
        case let array as [Any]: return .array(array.map(json(fromFoundation:)))
        case let object as [String: Any]: return .object(object.sorted { $0.key < $1.key }.map { ($0.key, json(fromFoundation: $0.value)) })
        default: return .null
        }
    }

    /// A loopback port nothing listens on: bound, read and closed again.
    static func closedPort() -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
