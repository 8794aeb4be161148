/// 64-bit FNV-1a: a fast checksum for the journal's lines, which only has to catch a line torn
/// or damaged by a crash. (The state file's checksum is SHA-256; neither stops a deliberate
/// edit, which could recompute any unkeyed checksum.)
enum FNV1a {
    static func hash(_ bytes: some Collection<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// The hash as 16 lowercase hex digits.
    static func hex(_ bytes: some Collection<UInt8>) -> String {
        let digits = String(hash(bytes), radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
