#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension String {
    /// `lowercased()` without an allocation when there is nothing to lower, which is nearly always
    /// the case for Azure names. Non-ASCII text takes the full Unicode path.
    @inlinable package func asciiLowercased() -> String {
        var text = self
        let unchanged = text.withUTF8 { bytes in !bytes.contains { $0 >= 0x80 || ($0 >= 65 && $0 <= 90) } }
        return unchanged ? self : lowercased()
    }
}

extension String {
    /// Length, first and last byte: a cheap fingerprint that tells most short keys apart, so
    /// small key sets are searched by comparing integers and only a matching fingerprint costs
    /// a string comparison. Never 0.
    @inlinable package var keyFingerprint: UInt32 {
        var text = self
        return text.withUTF8 { $0.keyFingerprint }
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// The fingerprint of a key given as UTF-8 bytes; equal to `String.keyFingerprint`.
    @inlinable package var keyFingerprint: UInt32 {
        guard let first, let last else { return 1 }
        return UInt32(truncatingIfNeeded: count) << 17 | UInt32(first) << 9 | UInt32(last) << 1 | 1
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// Byte equality with memcmp (the generic `elementsEqual` walks element by element).
    @inlinable package func sameBytes(as other: UnsafeBufferPointer<UInt8>) -> Bool {
        guard count == other.count else { return false }
        guard count > 0, let mine = baseAddress, let theirs = other.baseAddress else { return true }
        return memcmp(mine, theirs, count) == 0
    }
}
