// Source: seeds 003/004 ("Prepare your environment to back up Azure virtual machines",
// section "Supported operating system for backup": "Azure Backup supports a list of
// distributions that are endorsed by Azure except Core OS Linux … Other Bring-Your-Own-Linux
// distributions also might work … However, we do not endorse those distributions for backup"
// and "Windows Server: Versions older than Windows Server 2008 R2 are not supported"),
// the Azure Backup IaaS VM support matrix, and Microsoft Learn "Endorsed Linux distributions
// on Azure" (historical minimum versions and the current list); retrieved 2026.
//
// Used by rule TR305: Windows older than 2008 R2 -> error; CoreOS -> error;
// Linux distribution not endorsed -> warning.

public enum SupportedOperatingSystems {
    /// Windows Server versions in release order; a version's position is its rank.
    public static let windowsServerVersions: [String] = [
        "2000", "2003", "2003 R2", "2008", "2008 R2", "2012", "2012 R2", "2016", "2019", "2022", "2025"
    ]

    /// The oldest Windows Server version Azure Backup supports (seeds 003/004).
    public static let minimumWindowsServerVersion: String = "2008 R2"

    /// nil when `version` is not a recognised Windows version; otherwise whether Azure Backup
    /// supports it.
    ///
    /// Tolerant of spelling: "2019", "Windows Server 2019", "2012R2", "2012 r2",
    /// "2019 Datacenter", "Windows Server 2008 R2 SP1", and marketplace image SKUs such as
    /// "2012-R2-Datacenter" or "2022-datacenter-azure-edition".
    ///
    /// Client versions are recognised too and ranked by the server release that shares their
    /// kernel: XP ~ 2003 and Vista ~ 2008 (unsupported); 7 ~ 2008 R2, 8 ~ 2012, 8.1 ~ 2012 R2,
    /// 10 and 11 (supported). The support matrix names Windows 10/11 (64-bit) clients
    /// explicitly; 7/8/8.1 are accepted because the seeds' only stated limit is the
    /// 2008 R2 kernel generation, and TR305 must not reject what it cannot show is unsupported.
    public static func isSupportedWindows(_ version: String) -> Bool? {
        guard let rank = windowsRank(version) else { return nil }
        return rank >= minimumRank
    }

    /// True for CoreOS in any spelling: "CoreOS", "Core OS", "CoreOS Linux 1234",
    /// "Container Linux" (CoreOS Container Linux), and the CoreOS-derived Fedora CoreOS /
    /// Red Hat Enterprise Linux CoreOS (not endorsed, and they ship no standard Azure Linux
    /// agent, so the backup extension cannot run).
    ///
    /// Flatcar Container Linux is *not* CoreOS here: it is the community fork that replaced
    /// CoreOS Container Linux (end of life 2020), it is on Azure's endorsed-distribution list
    /// and ships the Azure Linux agent, and the seeds exclude only "Core OS Linux".
    public static func isCoreOS(_ linuxVersion: String) -> Bool {
        let flat = flatten(linuxVersion).text
        if flat.contains("flatcar") || flat.contains("kinvolk") { return false }
        return flat.contains("coreos") || flat.contains("containerlinux")
    }

    /// Whether `linuxVersion` names a Linux distribution endorsed on Azure (and so supported
    /// by Azure Backup per seeds 003/004). Free text such as "Ubuntu 22.04", "RHEL 9.2",
    /// "Debian 12", "SLES 15 SP5", or a marketplace offer/SKU ("ubuntu-24_04-lts",
    /// "sles-15-sp5", "0001-com-ubuntu-server-jammy"). The distribution name matches
    /// case-insensitively; CoreOS is never endorsed for backup (see `isCoreOS`).
    ///
    /// Distributions: Ubuntu, Red Hat Enterprise Linux, SUSE Linux Enterprise, openSUSE,
    /// Debian, CentOS (end of life June 2024 but endorsed while it was sold; existing VMs
    /// are still backed up), Oracle Linux, AlmaLinux, Rocky Linux, Flatcar Container Linux
    /// (Kinvolk), Azure Linux (formerly CBL-Mariner). CentOS Stream, Fedora, Arch, Alpine,
    /// Amazon Linux, Gentoo and other bring-your-own distributions are not endorsed (warning).
    ///
    /// Minimum versions, from the endorsed-distribution list Azure Backup referred to, and
    /// checked only when a version is given (a bare major version at the minimum's major
    /// passes): Ubuntu 12.04; Debian 7.9; RHEL 6.7; CentOS 6.3; Oracle Linux 6.4;
    /// SLES 11 SP4. openSUSE, AlmaLinux, Rocky Linux, Flatcar and Azure Linux: every
    /// release is endorsed.
    public static func isEndorsedLinux(_ linuxVersion: String) -> Bool {
        if isCoreOS(linuxVersion) { return false }
        let flattened = flatten(linuxVersion)
        let flat = flattened.text
        if flat.contains("centosstream") { return false }
        for distro in distros {
            for key in distro.keys {
                guard let range = flat.firstRange(of: key) else { continue }
                // Read the version that follows the distribution name in the original text.
                let endOffset = flat.distance(from: flat.startIndex, to: range.upperBound)
                let originalStart =
                    endOffset < flattened.offsets.count
                    ? flattened.offsets[endOffset]
                    : linuxVersion.count
                let tail = String(linuxVersion.lowercased().dropFirst(originalStart))
                guard let minimum = distro.minimum else { return true }
                guard let found = parseVersion(tail) else { return true }
                return meets(found, minimum)
            }
        }
        return false
    }

    // MARK: - Windows

    /// Each server version's position in `windowsServerVersions`, by its lowercased name.
    private static let serverRanks: [String: Int] =
        Dictionary(uniqueKeysWithValues: windowsServerVersions.enumerated().map { ($1.lowercased(), $0) })

    private static let minimumRank = serverRanks[minimumWindowsServerVersion.lowercased()]!

    /// Client releases on the server scale, by the server release that shares their kernel.
    private static let clientRanks: [String: Int] = [
        "xp": 1, "vista": 3, "7": 4, "8": 5, "8.1": 6, "10": 7, "11": 9
    ]

    private static func windowsRank(_ version: String) -> Int? {
        var words: [String] = []
        var current = ""
        for ch in version.lowercased() {
            if ch.isLetter || ch.isNumber || ch == "." {
                current.append(ch)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }

        // Split glued forms: "2012r2" -> "2012", "r2"; "win10"/"windows10" -> "10";
        // strip trailing dots ("2019." at the end of a sentence).
        var tokens: [String] = []
        for var word in words {
            while word.hasSuffix(".") { word.removeLast() }
            if word.isEmpty { continue }
            if word.hasSuffix("r2"), word.count > 2, serverRanks[String(word.dropLast(2))] != nil {
                tokens.append(String(word.dropLast(2)))
                tokens.append("r2")
                continue
            }
            for prefix in ["windows", "win"] where word.hasPrefix(prefix) && word.count > prefix.count {
                let rest = String(word.dropFirst(prefix.count))
                if clientRanks[rest] != nil || rest == "81" {
                    word = rest == "81" ? "8.1" : rest
                }
                break
            }
            tokens.append(word)
        }

        for (index, token) in tokens.enumerated() {
            if let rank = serverRanks[token] {
                let isR2 = index + 1 < tokens.count && tokens[index + 1] == "r2"
                return isR2 ? serverRanks["\(token) r2"] ?? rank : rank
            }
        }
        for token in tokens {
            if let rank = clientRanks[token] { return rank }
        }
        return nil
    }

    // MARK: - Linux

    private struct Version {
        var major: Int
        var minor: Int?
        var servicePack: Int?
    }

    private struct Distro {
        /// Keys matched against the lowercased text with everything but letters and digits
        /// removed; more specific keys come first.
        let keys: [String]
        let minimum: Version?
    }

    private static let distros: [Distro] = [
        Distro(keys: ["opensuse"], minimum: nil),
        Distro(
            keys: ["suselinuxenterprise", "sles", "suse"],
            minimum: Version(major: 11, minor: nil, servicePack: 4)),
        Distro(keys: ["ubuntu"], minimum: Version(major: 12, minor: 4, servicePack: nil)),
        Distro(
            keys: ["redhatenterpriselinux", "redhat", "rhel"],
            minimum: Version(major: 6, minor: 7, servicePack: nil)),
        Distro(keys: ["debian"], minimum: Version(major: 7, minor: 9, servicePack: nil)),
        Distro(keys: ["centos"], minimum: Version(major: 6, minor: 3, servicePack: nil)),
        Distro(keys: ["oraclelinux", "oracle"], minimum: Version(major: 6, minor: 4, servicePack: nil)),
        Distro(keys: ["almalinux", "alma"], minimum: nil),
        Distro(keys: ["rockylinux", "rocky"], minimum: nil),
        Distro(keys: ["flatcar", "kinvolk"], minimum: nil),
        Distro(keys: ["azurelinux", "cblmariner", "mariner"], minimum: nil)
    ]

    /// Lowercased letters and digits of `text`, with, for each kept character, its offset in
    /// the original string (plus one trailing entry: the original length).
    private static func flatten(_ text: String) -> (text: String, offsets: [Int]) {
        var out = ""
        var offsets: [Int] = []
        var position = 0
        for ch in text.lowercased() {
            if ch.isLetter || ch.isNumber {
                out.append(ch)
                offsets.append(position)
            }
            position += 1
        }
        offsets.append(position)
        return (out, offsets)
    }

    /// First "major[.minor]" in `text` ('_' also separates: "24_04"), and an "SP<n>" after it.
    private static func parseVersion(_ text: String) -> Version? {
        let chars = Array(text)
        var i = 0
        while i < chars.count && !chars[i].isNumber { i += 1 }
        guard i < chars.count else { return nil }
        func number(at start: Int) -> (Int, Int)? {
            var j = start
            var digits = ""
            while j < chars.count, chars[j].isNumber, digits.count < 9 {
                digits.append(chars[j])
                j += 1
            }
            guard let value = Int(digits) else { return nil }
            return (value, j)
        }
        guard let (major, afterMajor) = number(at: i) else { return nil }
        var version = Version(major: major, minor: nil, servicePack: nil)
        var k = afterMajor
        if k + 1 < chars.count, chars[k] == "." || chars[k] == "_", chars[k + 1].isNumber,
            let (minor, afterMinor) = number(at: k + 1)
        {
            version.minor = minor
            k = afterMinor
        }
        // Service pack: "sp5", "sp 5", "-sp5".
        while k + 1 < chars.count {
            if chars[k] == "s" && chars[k + 1] == "p" {
                var m = k + 2
                while m < chars.count && chars[m] == " " { m += 1 }
                if m < chars.count, chars[m].isNumber, let (sp, _) = number(at: m) {
                    version.servicePack = sp
                }
                break
            }
            k += 1
        }
        return version
    }

    private static func meets(_ found: Version, _ minimum: Version) -> Bool {
        if found.major != minimum.major { return found.major > minimum.major }
        if let requiredMinor = minimum.minor, let minor = found.minor, minor < requiredMinor {
            return false
        }
        if let requiredSP = minimum.servicePack, let sp = found.servicePack, sp < requiredSP {
            return false
        }
        return true
    }
}
