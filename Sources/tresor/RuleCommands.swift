import ArgumentParser
import TresorCore
import TresorFrontEnd

struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List every rule: code, severity and title.")

    func run() throws {
        finish(CommandOutput(stdout: RuleDocs.catalog()))
    }
}

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain one rule: its title, rationale, source and examples.")

    @Argument(help: "A rule code, such as TR301.")
    var code: String

    func validate() throws {
        guard RuleCatalog.description(of: code) != nil else {
            let hint = RuleDocs.suggestion(for: code).map { " Did you mean \($0)?" } ?? " `tresor rules` lists them."
            throw ValidationError("unknown rule code \"\(code)\".\(hint)")
        }
    }

    func run() throws {
        finish(CommandOutput(stdout: RuleDocs.explain(RuleCatalog.description(of: code)!)))
    }
}
