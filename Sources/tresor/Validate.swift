import ArgumentParser
import TresorCore
import TresorModel

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check manifests and report every problem with its file, line and column.",
        discussion:
            "PATH is a file or a directory, searched recursively for *.yaml and *.yml. Exit codes: 0 valid, 1 errors found (or warnings with --strict), 64 bad usage."
    )

    @Argument(help: "Manifest files or directories (default: the current directory).")
    var paths: [String] = []

    @OptionGroup var inventory: InventoryOption

    @Option(help: "Output format.")
    var format: DiagnosticFormat = .text

    @Flag(help: "Treat warnings as errors.")
    var strict = false

    func run() throws {
        var command = ValidateCommand(paths: paths)
        command.inventories = inventory.files
        command.format = format
        command.strict = strict
        command.colored = TextRenderer.wantsColor(fileDescriptor: 1)
        finish(command.run())
    }
}
