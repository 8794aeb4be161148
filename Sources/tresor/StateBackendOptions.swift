import ArgumentParser
import TresorCore
import TresorFrontEnd
import TresorModel
import TresorPostgres
import TresorState
import TresorSupport

/// The state backend a command uses (SPEC §8): `backend:` in the working directory's
/// tresor.yaml or TRESOR_BACKEND; the local file, `--state` or TRESOR_STATE, by default.
/// A wrong configuration ends the command with its diagnostics.
func selectedBackend(statePath: String?) -> any StateBackend {
    let environment = processEnvironment()
    let (configuration, problems) = BackendConfiguration.load(environment: environment)
    if let problems {
        finish(
            CommandOutput(
                stdout: TextRenderer(colored: TextRenderer.wantsColor(fileDescriptor: 1)).render(problems),
                exitCode: ExitCode.failure))
    }
    switch configuration.kind {
    case .local:
        return StateStore.resolve(option: statePath, environment: environment)
    case .postgres:
        if statePath != nil {
            finish(
                CommandOutput(
                    stderr: "error: --state names a local state file, but the backend is postgres "
                        + "(tresor.yaml or \(BackendConfiguration.variable)); use `tresor state push` to move a file there\n",
                    exitCode: ExitCode.usage))
        }
        return PostgresBackend(
            settings: PostgresSettings(
                environment: environment, schema: configuration.schema,
                workspace: configuration.workspace))
    }
}

/// `--lock-timeout DURATION`: how long to wait for a lock another run holds.
struct LockTimeoutOption: ParsableArguments {
    @Option(
        name: .customLong("lock-timeout"),
        help: ArgumentHelp(
            "Wait this long for a state lock another run holds, instead of failing at once (90s, 5m, 1h; default 0).",
            valueName: "duration"))
    var duration: LockDuration?

    var seconds: Double { duration?.seconds ?? 0 }
}

/// A duration such as `90`, `90s`, `5m` or `1h30m` (DurationText).
struct LockDuration: ExpressibleByArgument {
    var seconds: Double

    init?(argument: String) {
        guard let seconds = DurationText.seconds(argument), seconds.isFinite else { return nil }
        self.seconds = seconds
    }
}

struct StateGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "Move the stored state between backends: pull prints it, push replaces it.",
        subcommands: [Pull.self, Push.self])

    struct Pull: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the stored state as a state file.",
            discussion: "The output is a local state file byte for byte: `tresor state pull > tresor.state.json`.")

        @OptionGroup var state: StateOption

        func run() throws {
            finish(StatePullCommand(store: state.store).run())
        }
    }

    struct Push: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the stored state with a state file.",
            discussion: """
                Refused when the file is another estate's state (its lineage differs) or not newer than the stored one \
                (its serial is not higher), unless --force. Takes the state lock.
                """)

        @Argument(help: ArgumentHelp("A state file, such as tresor.state.json or the output of `tresor state pull`.", valueName: "file"))
        var file: String

        @OptionGroup var state: StateOption

        @Flag(help: "Replace the stored state even when the file's lineage differs or its serial is not newer.")
        var force = false

        @OptionGroup var lockTimeout: LockTimeoutOption

        func run() throws {
            var command = StatePushCommand(file: file, store: state.store)
            command.force = force
            command.lockTimeout = lockTimeout.seconds
            finish(command.run())
        }
    }
}
