import ArgumentParser
import TresorCore
import TresorModel
import TresorState

struct Graph: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw the estate as a Mermaid or Graphviz DOT diagram.",
        discussion: """
            Subscriptions and regions as groups; vaults, policies, protected and unprotected VMs; NSGs with whether \
            backup traffic reaches storage through them (TR401, TR405). Mermaid is for markdown on GitHub and GitLab; DOT \
            for Graphviz (`tresor graph --format dot | dot -Tsvg > estate.svg`). Large estates collapse to counts per \
            policy (details: docs/graph.md). Diagnostics go to standard error; with errors the \
            diagram shows what could be read, with the error count in its title. Exit codes: 0 drawn, 1 errors, 64 bad usage.
            """
    )

    @Argument(help: "Manifest files or directories (default: the current directory).")
    var paths: [String] = []

    @OptionGroup var inventory: InventoryOption

    @Option(help: "Output format.")
    var format: GraphFormat = .mermaid

    @Option(
        name: .customLong("state"),
        help: ArgumentHelp(
            "Also show what this state file holds: resources only in state, stopped protections, resources not applied yet.",
            valueName: "file"))
    var statePath: String?

    func run() throws {
        var command = GraphCommand(paths: paths)
        command.inventories = inventory.files
        command.format = format
        command.store = statePath.map(StateStore.init(path:))
        command.colored = TextRenderer.wantsColor(fileDescriptor: 2)
        finish(command.run())
    }
}

extension GraphFormat: ExpressibleByArgument {}
