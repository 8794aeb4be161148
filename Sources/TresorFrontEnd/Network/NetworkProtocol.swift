import TresorModel

/// The protocols an NSG security rule can name.
enum NetworkProtocol: String, ManifestEnum {
    case Tcp, Udp, Icmp, Esp, Ah
    case any = "*"

    /// Whether this rule protocol matches all traffic of `other`.
    func covers(_ other: NetworkProtocol) -> Bool { self == .any || self == other }
}
