import ArgumentParser
import TresorAzure
import TresorCore
import TresorModel
import TresorPlan
import TresorState
import TresorSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The state file option every state command takes.
struct StateOption: ParsableArguments {
    @Option(
        name: .customLong("state"),
        help: ArgumentHelp(
            "The local state file (default: $TRESOR_STATE, else tresor.state.json in the working directory). `backend: postgres` in tresor.yaml or TRESOR_BACKEND=postgres keeps state in PostgreSQL instead.",
            valueName: "file"))
    var path: String?

    var store: any StateBackend { selectedBackend(statePath: path) }
}

struct Plan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check manifests and show the changes that would bring the stored state to them.",
        discussion: """
            Symbols: + create, ~ update or stop protection, - delete, -/+ replace. Exit codes: 0 success \
            (with --detailed-exitcode: no changes), 1 errors, 2 changes (only with --detailed-exitcode), 64 bad usage.
            """
    )

    @Argument(help: "Manifest files or directories (default: the current directory).")
    var paths: [String] = []

    @OptionGroup var state: StateOption

    @OptionGroup var inventory: InventoryOption

    @Option(help: ArgumentHelp("Save the plan, for `tresor apply FILE`.", valueName: "file"))
    var out: String?

    @Option(help: "Output format.")
    var format: PlanFormat = .text

    @OptionGroup var lockTimeout: LockTimeoutOption

    @Flag(help: "Exit with 2 when the plan has changes, 0 when it has none.")
    var detailedExitcode = false

    @Flag(help: "Allow changes that delete recovery points (TR601).")
    var allowDestroy = false

    @OptionGroup var providerOptions: ProviderOptions

    @OptionGroup var refresh: RefreshOptions

    func validate() throws {
        try refresh.check(providerOptions.chosen)
    }

    func run() async throws {
        var command = PlanCommand(paths: paths, store: state.store)
        if providerOptions.chosen == .record { command.banner = RecordingProvider().banner }
        command.refresher = providerOptions.refresher(refresh)
        command.refreshOnly = refresh.refreshOnly
        command.inventories = inventory.files
        command.out = out
        command.format = format
        command.detailedExitCode = detailedExitcode
        command.lockTimeout = lockTimeout.seconds
        command.allowDestroy = allowDestroy
        command.colored = format == .text && TextRenderer.wantsColor(fileDescriptor: 1)
        finish(await command.run())
    }
}

struct Apply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply a saved plan exactly, or plan the manifests and apply that.",
        discussion: """
            With one saved plan file (from `tresor plan --out`), applies exactly its changes, or fails with TR602 \
            when the state changed since. With manifests, plans and asks for 'yes' on a terminal; without a \
            terminal it needs --auto-approve. Exit codes: 0 applied, 1 errors or failure, 64 bad usage.
            """
    )

    @Argument(
        help: ArgumentHelp(
            "A saved plan file, or manifest files or directories (default: the current directory).",
            valueName: "planfile-or-paths"))
    var arguments: [String] = []

    @OptionGroup var state: StateOption

    @OptionGroup var lockTimeout: LockTimeoutOption

    @Flag(help: "Apply without asking (required when standard input is not a terminal).")
    var autoApprove = false

    @Flag(help: "Allow changes that delete recovery points (TR601).")
    var allowDestroy = false

    @OptionGroup var providerOptions: ProviderOptions

    @OptionGroup var refresh: RefreshOptions

    @Option(
        help: ArgumentHelp(
            "How many changes may be in flight at once: a number, or auto to follow Azure's write budget (up to 1000).",
            valueName: "n|auto"))
    var parallelism: String = "auto"

    @Option(help: ArgumentHelp("How long one change may take, polls and retries included (e.g. 30m, 90s).", valueName: "duration"))
    var timeout: String = "30m"

    func validate() throws {
        try refresh.check(providerOptions.chosen)
        guard parallelism == "auto" || (Int(parallelism).map { $0 >= 1 && $0 <= 1000 } ?? false) else {
            throw ValidationError("--parallelism takes auto or a number from 1 to 1000, not \"\(parallelism)\"")
        }
        guard let seconds = DurationText.seconds(timeout), seconds > 0 else {
            throw ValidationError("--timeout takes a duration such as 30m or 90s, not \"\(timeout)\"")
        }
    }

    func run() async throws {
        let planFile = ApplyCommand.isPlanFile(arguments) ? arguments[0] : nil
        let provider: any Provider
        switch providerOptions.chosen {
        case .record:
            provider = RecordingProvider()
        case .azure:
            let settings = providerOptions.azureSettings(parallelism: Int(parallelism), timeout: DurationText.seconds(timeout) ?? 1800)
            switch await AzureProvider.connect(settings: settings, environment: processEnvironment()) {
            case .success(let azure):
                provider = azure
            case .failure(let failure):
                let text = TextRenderer(colored: TextRenderer.wantsColor(fileDescriptor: 1))
                    .render(DiagnosticReport(sources: SourceFiles(), diagnostics: [failure.diagnostic]))
                finish(CommandOutput(stdout: text + "\nApply failed before any change: 1 error.\n", exitCode: ExitCode.failure))
            }
        }
        var command = ApplyCommand(paths: planFile == nil ? arguments : [], planFile: planFile, store: state.store, provider: provider)
        command.autoApprove = autoApprove
        command.lockTimeout = lockTimeout.seconds
        command.allowDestroy = allowDestroy
        command.refreshes = !refresh.noRefresh
        command.refreshOnly = refresh.refreshOnly
        command.colored = TextRenderer.wantsColor(fileDescriptor: 1)
        let progressLine = ProgressLine()
        let onTerminal = isatty(2) == 1
        let console = ApplyConsole(
            show: { Files.writeAll($0, to: 1) },
            confirm: isatty(0) == 1 ? { askYes($0) } : nil,
            progress: onTerminal ? { progressLine.update($0) } : nil,
            // Off a terminal (CI), one line per finished change, as Terraform's "Creation complete
            // after 32s"; the recording provider's changes take no time worth a line.
            finished: !onTerminal && providerOptions.chosen == .azure ? { Files.writeAll($0 + "\n", to: 1) } : nil)
        Interruption.install()
        finish(await command.run(console))
    }
}

/// Prints the question and reads one line; only "yes" goes ahead.
private func askYes(_ question: String) -> Bool {
    Files.writeAll(question, to: 1)
    return readLine() == "yes"
}

/// "applying 1200/100000 (1%), 240 in flight, waiting on throttling" on standard error, redrawn
/// at most ten times a second; cleared when done.
private final class ProgressLine {
    private var lastDraw = 0.0

    func update(_ progress: ApplyProgress) {
        let (done, total) = (progress.done, progress.total)
        if done == total {
            Files.writeAll("\r\u{1B}[K", to: 2)
            return
        }
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let seconds = Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
        guard seconds - lastDraw >= 0.1 else { return }
        lastDraw = seconds
        var line = "\rapplying \(done)/\(total) (\(done * 100 / total)%)"
        if progress.inFlight > 0 { line += ", \(progress.inFlight) in flight" }
        if let note = progress.note { line += ", \(note)" }
        Files.writeAll(line + "\u{1B}[K", to: 2)
    }
}

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a saved plan, or the stored state.")

    @Argument(help: ArgumentHelp("A saved plan file (default: show the state).", valueName: "planfile"))
    var planFile: String?

    @OptionGroup var state: StateOption

    @Option(help: "Output format.")
    var format: ShowFormat = .text

    func run() throws {
        var command = ShowCommand(planFile: planFile, store: state.store)
        command.format = format
        finish(command.run())
    }
}

struct Unlock: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove the record of a state lock whose holder is gone.",
        discussion: """
            The lock is released when its run ends, however it ends: a file lock for the local backend, a PostgreSQL \
            advisory lock for postgres. Its record stays behind; a lock that a running process holds is never \
            removed. LOCK-ID is the ID that TR603 names.
            """
    )

    @Argument(help: ArgumentHelp("The lock's ID, as TR603 reports it.", valueName: "lock-id"))
    var lockID: String

    @OptionGroup var state: StateOption

    func run() throws {
        finish(UnlockCommand(lockID: lockID, store: state.store).run())
    }
}

extension PlanFormat: ExpressibleByArgument {}
extension ShowFormat: ExpressibleByArgument {}
