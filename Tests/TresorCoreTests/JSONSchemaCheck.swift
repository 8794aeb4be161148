import Foundation

/// The repository's root folder in the source tree.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// Runs Fixtures/jsonschema-check.py (python-jsonschema and PyYAML, the clients that check
/// manifests in other people's pipelines) with `request` and decodes what it prints.
func jsonSchemaCheck<Output: Decodable>(_ mode: String, _ request: [String: Any], as _: Output.Type) throws -> Output {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tresor-jsonschema-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let requestFile = folder.appendingPathComponent("request.json")
    try JSONSerialization.data(withJSONObject: request).write(to: requestFile)
    let (status, stdout, stderr) = try runProcess(
        ["python3", fixturesDirectory.appendingPathComponent("jsonschema-check.py").path, mode, requestFile.path])
    guard status == 0 else {
        throw CheckFailure(
            "jsonschema-check.py \(mode) exited \(status): \(stderr)"
                + (status == 3 ? " (python3 with jsonschema and PyYAML is needed: pip install jsonschema pyyaml)" : ""))
    }
    return try JSONDecoder().decode(Output.self, from: stdout)
}

struct CheckFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs a program found on PATH; returns its exit status, stdout and stderr.
func runProcess(_ arguments: [String], currentDirectory: URL? = nil) throws -> (Int32, Data, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    if let currentDirectory { process.currentDirectoryURL = currentDirectory }
    let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("tresor-stderr-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: errorFile) }
    let output = Pipe()
    process.standardOutput = output
    process.standardError = try FileHandle(forWritingTo: errorFile)
    try process.run()
    let stdout = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let stderr = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
    return (process.terminationStatus, stdout, stderr)
}
