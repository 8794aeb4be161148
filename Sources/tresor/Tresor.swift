import ArgumentParser
import TresorCore
import TresorFrontEnd
import TresorPlan
import TresorSupport

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
        subcommands: [
            Validate.self, Plan.self, Apply.self, Import.self, Show.self, StateGroup.self, Unlock.self, Graph.self, Rules.self,
            Explain.self, Schema.self
        ]
    )

    /// The process ends after its command: what the command built is never freed object by
    /// object (`keepUntilExit`).
    static func main() async {
        keepingUntilExit()
        await main(nil)
    }
}

/// Prints a command's output and exits with its code, at once.
func finish(_ output: CommandOutput) -> Never {
    Files.writeAll(output.stdout, to: 1)
    Files.writeAll(output.stderr, to: 2)
    exit(output.exitCode)
}

extension DiagnosticFormat: ExpressibleByArgument {}
