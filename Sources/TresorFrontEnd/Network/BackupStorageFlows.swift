/// The traffic the backup extension of a VM sends to backup storage, as NSGs see it: what
/// TR401 and TR405 evaluate, and what `tresor graph` shows for each VM and NSG.
package enum BackupStorageFlows {
    /// Direct or firewall egress (TR401): from the VM in its VNet to Storage.<region> on the
    /// port its disks need.
    static func direct(region: String, port: Int) -> Flow {
        Flow(
            direction: .Outbound, networkProtocol: .Tcp, source: .virtualNetworkHost,
            destination: .service(ServiceTag(base: "Storage", region: region)), destinationPort: port)
    }

    /// Proxy egress (TR405): from the proxy's address to Storage.<region>, which the Internet holds.
    static func viaProxy(_ address: UInt32?, region: String, port: Int) -> Flow {
        Flow(
            direction: .Outbound, networkProtocol: .Tcp, source: .host(address),
            destination: .service(ServiceTag(base: "Storage", region: region)), destinationPort: port)
    }
}
