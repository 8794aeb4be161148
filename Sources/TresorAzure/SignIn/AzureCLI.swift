import Foundation
import TresorSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The Azure CLI as a credential source: `az account get-access-token`, run for each new token
/// (the CLI keeps its own cache and refresh token).
struct AzureCLI: Sendable {
    /// Where `az` is; the source counts as configured when PATH has one.
    let executable: String
    let resource: String
    let environment: [String: String]
    let redaction: Redaction
    let timeout: Double

    static func find(path: String?) -> String? {
        for directory in (path ?? "").split(separator: ":") where !directory.isEmpty {
            let candidate = String(directory) + "/az"
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
                FileManager.default.isExecutableFile(atPath: candidate)
            {
                return candidate
            }
        }
        return nil
    }

    func token() async throws(SignInFailure) -> AccessToken {
        let arguments = ["account", "get-access-token", "--resource", resource, "--output", "json"]
        let output: ProcessOutput
        switch await ProcessOutput.run(executable, arguments: arguments, environment: environment, timeout: timeout) {
        case .success(let finished): output = finished
        case .failure(let failure): throw SignInFailure(message: "Azure CLI (\(executable)) \(failure.reason)")
        }
        guard output.status == 0 else {
            throw SignInFailure(
                message:
                    "Azure CLI failed (exit status \(output.status))\(quotedError(output.standardError)); run `az login`, or sign in with another source"
            )
        }
        guard let token = Self.accessToken(from: output.standardOutput) else {
            throw SignInFailure(message: "Azure CLI printed no accessToken with expires_on or expiresOn")
        }
        return token
    }

    /// The CLI's `ERROR:` lines (or its last line), scrubbed and shortened.
    private func quotedError(_ standardError: [UInt8]) -> String {
        let lines = String(decoding: standardError, as: UTF8.self).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let errors = lines.filter { $0.hasPrefix("ERROR:") }
        let chosen = (errors.isEmpty ? Array(lines.suffix(1)) : errors).joined(separator: " ")
        guard !chosen.isEmpty else { return "" }
        let scrubbed = redaction.scrub(chosen)
        return ": " + (scrubbed.count > 400 ? String(scrubbed.prefix(400)) + "..." : scrubbed)
    }

    /// `accessToken` with `expires_on` (epoch seconds, newer CLIs) or `expiresOn` (local time
    /// "YYYY-MM-DD HH:MM:SS.ffffff", all versions).
    static func accessToken(from output: [UInt8]) -> AccessToken? {
        guard let answer = JSONAnswer(output), let value = answer.string("accessToken"), !value.isEmpty else { return nil }
        if let expiresOn = answer.seconds("expires_on") { return AccessToken(value: value, expiresOn: expiresOn) }
        if let local = answer.string("expiresOn"), let expiresOn = epoch(localTime: local) {
            return AccessToken(value: value, expiresOn: expiresOn)
        }
        return nil
    }

    /// Seconds since 1970 of a local time "YYYY-MM-DD HH:MM:SS[.ffffff]" (the fraction is dropped).
    static func epoch(localTime: String) -> Double? {
        let parts = localTime.split(whereSeparator: { "- :.".contains($0) }).map { Int32($0) }
        guard parts.count == 6 || parts.count == 7, parts.allSatisfy({ $0 != nil }) else { return nil }
        var fields = tm()
        fields.tm_year = parts[0]! - 1900
        fields.tm_mon = parts[1]! - 1
        fields.tm_mday = parts[2]!
        fields.tm_hour = parts[3]!
        fields.tm_min = parts[4]!
        fields.tm_sec = parts[5]!
        fields.tm_isdst = -1
        let seconds = mktime(&fields)
        return seconds == -1 ? nil : Double(seconds)
    }
}

struct ProcessFailure: Error {
    var reason: String
}

/// A finished child process's exit status and output.
struct ProcessOutput: Sendable {
    var status: Int32
    var standardOutput: [UInt8]
    var standardError: [UInt8]

    /// Runs `executable` with no input and waits for it, at most `timeout` seconds (then it is
    /// killed). The failure is a reason to append to the program's name.
    static func run(_ executable: String, arguments: [String], environment: [String: String], timeout: Double) async -> Result<
        ProcessOutput, ProcessFailure
    > {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return .failure(ProcessFailure(reason: "could not be started: \(error.localizedDescription)"))
        }
        let timedOut = Flag()
        let killer = DispatchWorkItem {
            if process.isRunning {
                timedOut.set()
                // Foundation starts the child in a process group of its own: this ends `az`'s
                // Python under its shell wrapper too, which holds the pipes open.
                kill(-process.processIdentifier, SIGKILL)
            }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
        // Blocking reads on their own threads, both pipes at once, so that a chatty stderr cannot
        // stall the child.
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<ProcessOutput, Never>) in
            Thread.detachNewThread {
                let standardError = Pending()
                Thread.detachNewThread { standardError.finish([UInt8](errors.fileHandleForReading.readDataToEndOfFile())) }
                let standardOutput = [UInt8](output.fileHandleForReading.readDataToEndOfFile())
                let errorBytes = standardError.wait()
                process.waitUntilExit()
                continuation.resume(
                    returning: ProcessOutput(status: process.terminationStatus, standardOutput: standardOutput, standardError: errorBytes))
            }
        }
        killer.cancel()
        if timedOut.value { return .failure(ProcessFailure(reason: "did not answer within \(Seconds.text(timeout))")) }
        return .success(result)
    }
}

private final class Flag: Sendable {
    private let raised = Locked(false)
    func set() { raised.withLock { $0 = true } }
    var value: Bool { raised.withLock { $0 } }
}

/// Bytes read on another thread, waited for.
private final class Pending: Sendable {
    private let bytes = Locked<[UInt8]>([])
    private let done = DispatchSemaphore(value: 0)
    func finish(_ value: [UInt8]) {
        bytes.withLock { $0 = value }
        done.signal()
    }
    func wait() -> [UInt8] {
        done.wait()
        return bytes.withLock { $0 }
    }
}
