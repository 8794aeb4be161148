import ArgumentParser
import TresorSupport
import TresorFrontEnd
import TresorPlan
import TresorCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@main
struct Tresor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tresor",
        abstract: "Compile, check, plan and apply Azure Backup manifests.",
        version: TresorVersion.current,
        subcommands: [Validate.self, Plan.self, Apply.self, Import.self, Show.self, StateGroup.self, Unlock.self, Graph.self, Rules.self, Explain.self, Schema.self]
    )
}

/// Prints a command's output and exits with its code, at once: `exit` ends the process while
/// the output still holds the command's working set, which is never freed object by object.
func finish(_ output: CommandOutput) -> Never {
    Files.writeAll(output.stdout, to: 1)
    Files.writeAll(output.stderr, to: 2)
    exit(output.exitCode)
}

extension DiagnosticFormat: ExpressibleByArgument {}
