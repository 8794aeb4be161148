import ArgumentParser

/// `--inventory FILE`, repeatable, on validate and plan (SPEC §5).
struct InventoryOption: ParsableArguments {
    @Option(
        name: .customLong("inventory"),
        help: ArgumentHelp(
            "Observed VMs and NSGs: the JSON of `az vm list --show-details -o json` or `az network nsg list -o json`. Repeatable.",
            valueName: "file"))
    var files: [String] = []
}
