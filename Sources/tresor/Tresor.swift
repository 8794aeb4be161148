import ArgumentParser
import TresorCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@main
struct Tresor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tresor",
        abstract: "Compile, check, plan and apply Azure Backup manifests.",
        version: TresorVersion.current,
        subcommands: [Validate.self, Plan.self, Apply.self, Show.self, Unlock.self, Rules.self, Explain.self, Schema.self]
    )
}

/// Prints a command's output and exits with its code, at once: `exit` ends the process while
/// the output still holds the command's working set, which is never freed object by object.
func finish(_ output: CommandOutput) -> Never {
    writeAll(output.stdout, to: 1)
    writeAll(output.stderr, to: 2)
    exit(output.exitCode)
}

/// Writes all of `text` to a file descriptor (large plans exceed one write).
func writeAll(_ text: String, to descriptor: Int32) {
    var text = text
    text.withUTF8 { buffer in
        var offset = 0
        while offset < buffer.count {
            let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}

extension DiagnosticFormat: ExpressibleByArgument {}
