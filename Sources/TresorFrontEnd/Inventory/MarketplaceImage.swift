/// The operating system version a marketplace image stands for, in the words manifests use
/// ("2019", "2012 R2", "Ubuntu 22.04", "RHEL 8.6"), from `storageProfile.imageReference`.
enum MarketplaceImage {
    /// nil when the image is not one tresor knows (custom and gallery images, unknown publishers).
    static func osVersion(publisher: String, offer: String, sku: String) -> String? {
        let publisher = publisher.lowercased()
        let offer = offer.lowercased()
        let sku = sku.lowercased()
        switch publisher {
        case "microsoftwindowsserver":
            // "2019-Datacenter", "2012-R2-Datacenter", "2008-R2-SP1", "2022-datacenter-azure-edition"
            let parts = sku.split(separator: "-")
            guard let year = parts.first, year.count == 4, year.allSatisfy(\.isNumber) else { return nil }
            return parts.dropFirst().first == "r2" ? "\(year) R2" : String(year)
        case "microsoftwindowsdesktop":
            // offer "Windows-10", "windows-11"
            guard let release = offer.split(separator: "-").last, ["7", "8", "10", "11"].contains(release) else { return nil }
            return "Windows \(release)"
        case "canonical":
            // offer "0001-com-ubuntu-server-jammy" with sku "22_04-lts-gen2"; "UbuntuServer" with "18.04-LTS";
            // "ubuntu-24_04-lts" with "server"
            return version(in: sku, parts: 2).map { "Ubuntu \($0)" } ?? version(in: offer, parts: 2).map { "Ubuntu \($0)" }
        case "debian":
            return version(in: sku, parts: 1).map { "Debian \($0)" } ?? version(in: offer, parts: 1).map { "Debian \($0)" }
        case "redhat":
            return version(in: sku).map { "RHEL \(majorMinor($0))" }
        case "openlogic":
            return version(in: sku).map { "CentOS \(majorMinor($0))" }
        case "suse":
            // offer "sles-15-sp5", "sles-12-sp5-basic"
            let words = offer.split(separator: "-")
            guard words.first == "sles", words.count >= 2, words[1].allSatisfy(\.isNumber) else { return nil }
            let pack = words.count > 2 && words[2].hasPrefix("sp") ? " SP\(words[2].dropFirst(2))" : ""
            return "SLES \(words[1])\(pack)"
        case "oracle":
            // sku "ol89-lvm-gen2" → 8.9, "ol9-lvm" → 9
            guard let first = sku.split(separator: "-").first, first.hasPrefix("ol") else { return nil }
            let digits = first.dropFirst(2)
            guard !digits.isEmpty, digits.allSatisfy(\.isNumber) else { return nil }
            return "Oracle Linux " + (digits.count > 1 ? "\(digits.prefix(1)).\(digits.dropFirst())" : String(digits))
        case "almalinux":
            return version(in: sku).map { "AlmaLinux \($0)" }
        case "resf":
            return version(in: sku).map { "Rocky Linux \($0)" }
        case "kinvolk":
            return "Flatcar Container Linux"
        case "microsoftcblmariner":
            return version(in: sku, parts: 1).map { "Azure Linux \($0)" } ?? "Azure Linux"
        default:
            return nil
        }
    }

    /// Red Hat and CentOS SKUs also write 8.9 as "89-gen2" and 8.10 as "810-gen2".
    private static func majorMinor(_ version: String) -> String {
        guard !version.contains("."), version.count > 1 else { return version }
        return "\(version.prefix(1)).\(version.dropFirst())"
    }

    /// The first run of digits in `text`, with up to `parts` components joined by "." (SKUs
    /// write 22_04 or 7.9 or 8_6): "22_04-lts-gen2" → "22.04", "9-lvm-gen2" → "9".
    private static func version(in text: String, parts: Int = 2) -> String? {
        var components: [String] = []
        var current = ""
        var started = false
        for character in text {
            if character.isASCII, character.isNumber {
                current.append(character)
                started = true
            } else if started, character == "_" || character == ".", components.count + 1 < parts {
                components.append(current)
                current = ""
            } else if started {
                break
            }
        }
        guard started else { return nil }
        if !current.isEmpty { components.append(current) }
        return components.joined(separator: ".")
    }
}
