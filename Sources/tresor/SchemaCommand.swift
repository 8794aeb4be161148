import ArgumentParser
import TresorCore
import TresorFrontEnd

struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the JSON Schema (draft 2020-12) of the manifests.",
        discussion:
            "The same schema is in Schemas/tresor-v1.schema.json. Editors that use yaml-language-server complete and check manifests with it."
    )

    func run() throws {
        finish(CommandOutput(stdout: ManifestSchema.text))
    }
}
