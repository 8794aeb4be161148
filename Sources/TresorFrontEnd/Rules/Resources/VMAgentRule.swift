import TresorModel

/// TR304: the VM agent that the backup extension runs in.
enum VMAgentRule: EstateRule {
    private typealias Example = ExampleManifests

    /// The oldest Windows agent (WaAppAgent.exe product version) Azure Backup supports.
    static let minimumWindowsAgent = "2.6.1198.718"

    static let description = RuleDescription(
        code: "TR304", severity: .error,
        title: "VM agent not installed, or Windows agent older than 2.6.1198.718",
        rationale: """
            Azure Backup installs its extension into the VM agent, so a VM without the agent cannot be \
            backed up: gallery images have it, VMs migrated from on-premises may not. On Windows the agent \
            (WaAppAgent.exe) must be version 2.6.1198.718 or later, compared number by number. The seeds give \
            no minimum for the Linux agent (N/A), so Linux agent versions are not checked. A VM whose agent \
            is not described, or a Windows agent without a version, is not checked.
            """,
        source: #"seeds 000–004 ("The Product Version field should be 2.6.1198.718 or higher"; Linux: N/A)"#,
        triggering: [
            Example.vm(agent: #"{installed: true, version: ↓"2.6.1198.717"}"#),
            Example.vm(os: #"{type: Linux, version: "Ubuntu 22.04"}"#, agent: "{installed: ↓false}")
        ],
        nonTriggering: [
            Example.vm(agent: #"{installed: true, version: "2.6.1198.718"}"#),
            Example.vm(os: #"{type: Linux, version: "Ubuntu 22.04"}"#, agent: #"{installed: true, version: "2.2.10"}"#)
        ])

    static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic]) {
        let vms = context.estate.virtualMachines
        // Estates repeat a handful of agent versions across many VMs: compare each once.
        var olderByVersion: [String: Bool?] = [:]
        for index in vms.indices {
            guard let agent = vms[index].agent else { continue }
            let name = vms[index].name.value
            guard agent.installed.value else {
                diagnostics.append(
                    diagnostic(
                        "VM \"\(name)\" has no VM agent; Azure Backup runs its extension in it",
                        at: agent.installed.range,
                        help:
                            "install the VM agent (Windows: the agent MSI; Linux: the distribution's walinuxagent package), then set `installed: true`"
                    ))
                continue
            }
            guard vms[index].os.type.value == .Windows, let version = agent.version else { continue }
            let older = olderByVersion[version.value] ?? isOlder(version.value, than: minimumWindowsAgent)
            olderByVersion[version.value] = older
            switch older {
            case nil:
                diagnostics.append(
                    diagnostic(
                        "VM agent version \"\(version.value)\" is not a version number like \(minimumWindowsAgent)",
                        at: version.range, help: "write the Product Version of WaAppAgent.exe, numbers separated by dots"))
            case true?:
                diagnostics.append(
                    diagnostic(
                        "Windows VM agent \(version.value) on VM \"\(name)\" is older than \(minimumWindowsAgent), the oldest Azure Backup supports",
                        at: version.range, help: "update the VM agent to \(minimumWindowsAgent) or later, while no backup is running"))
            case false?:
                break
            }
        }
    }

    /// Whether dotted version `text` is older than `minimum`, comparing numbers component by
    /// component (missing components are 0); nil when `text` is not such a version. Compares
    /// digit strings, so no number is too long.
    static func isOlder(_ text: String, than minimum: String) -> Bool? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { (48...57).contains($0) } }) else { return nil }
        let least = minimum.split(separator: ".")
        for index in 0..<max(parts.count, least.count) {
            let number = index < parts.count ? significant(parts[index]) : "0"
            let bound = index < least.count ? significant(least[index]) : "0"
            if number != bound {
                return number.count != bound.count ? number.count < bound.count : number < bound
            }
        }
        return false
    }

    private static func significant(_ digits: Substring) -> Substring {
        let trimmed = digits.drop { $0 == "0" }
        return trimmed.isEmpty ? "0" : trimmed
    }
}
