import TresorModel

/// TR305: the guest operating systems Azure Backup supports.
enum OperatingSystemRule: EstateRule {
    private typealias Example = ExampleManifests

    static let description = RuleDescription(
        code: "TR305", severity: .error,
        title: "Windows older than 2008 R2 (error); Linux CoreOS (error); Linux distro not endorsed (warning)",
        rationale: """
            Azure Backup does not support Windows Server older than 2008 R2, nor Core OS Linux. Other Linux \
            distributions that Azure does not endorse might work if the VM agent and Python are present, \
            but are not supported: a warning. A Windows version tresor does not recognise is a warning too, \
            since its support cannot be shown either way.
            """,
        source:
            #"seeds 003, 004 ("Versions older than Windows Server 2008 R2 are not supported"; "endorsed by Azure except Core OS Linux")"#,
        triggering: [
            Example.vm(os: #"{type: Windows, version: ↓"2008"}"#),
            Example.vm(os: "{type: Linux, version: ↓CoreOS}", agent: #"{installed: true, version: "2.2.10"}"#),
            Example.vm(os: #"{type: Linux, version: ↓"Arch Linux"}"#, agent: #"{installed: true, version: "2.9.1.1"}"#)
        ],
        nonTriggering: [
            Example.vm(os: #"{type: Windows, version: "2008 R2"}"#),
            Example.vm(os: #"{type: Linux, version: "Ubuntu 22.04"}"#, agent: #"{installed: true, version: "2.9.1.1"}"#)
        ])

    private struct Key: Hashable {
        var type: OSType
        var version: String
    }

    private enum Verdict {
        case supported
        case unsupported(String)
        case doubtful(String)
    }

    static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic]) {
        // Estates repeat a handful of OS descriptions across many VMs: judge each once.
        var verdicts: [Key: Verdict] = [:]
        let vms = context.estate.virtualMachines
        for index in vms.indices {
            let os = vms[index].os
            let key = Key(type: os.type.value, version: os.version.value)
            let verdict: Verdict
            if let known = verdicts[key] {
                verdict = known
            } else {
                verdict = judge(os.type.value, os.version.value)
                verdicts[key] = verdict
            }
            switch verdict {
            case .supported:
                break
            case .unsupported(let message):
                diagnostics.append(
                    diagnostic(
                        message, at: os.version.range,
                        help: "upgrade or replace the VM with a supported operating system before protecting it"))
            case .doubtful(let message):
                diagnostics.append(
                    diagnostic(
                        .warning, message, at: os.version.range,
                        help: os.type.value == .Windows
                            ? "write the Windows Server version, e.g. \"2019\" or \"2012 R2\""
                            : "prefer an Azure-endorsed distribution (Ubuntu, RHEL, SLES, Debian, …); otherwise make sure the VM agent and Python are present"
                    ))
            }
        }
    }

    private static func judge(_ type: OSType, _ version: String) -> Verdict {
        switch type {
        case .Windows:
            switch SupportedOperatingSystems.isSupportedWindows(version) {
            case true?: return .supported
            case false?:
                return .unsupported(
                    "Windows \"\(version)\" is older than Windows Server \(SupportedOperatingSystems.minimumWindowsServerVersion), the oldest Azure Backup supports"
                )
            case nil:
                return .doubtful(
                    "tresor does not recognise Windows version \"\(version)\"; Azure Backup supports Windows Server \(SupportedOperatingSystems.minimumWindowsServerVersion) and later"
                )
            }
        case .Linux:
            if SupportedOperatingSystems.isCoreOS(version) {
                return .unsupported("Azure Backup does not support Core OS Linux (\"\(version)\")")
            }
            if !SupportedOperatingSystems.isEndorsedLinux(version) {
                return .doubtful(
                    "\"\(version)\" is not a Linux distribution (or version) that Azure endorses; Azure Backup might work on it but does not endorse it"
                )
            }
            return .supported
        }
    }
}
