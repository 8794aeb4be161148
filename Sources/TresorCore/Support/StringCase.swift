extension String {
    /// `lowercased()` without an allocation when there is nothing to lower, which is nearly always
    /// the case for Azure names. Non-ASCII text takes the full Unicode path.
    func asciiLowercased() -> String {
        let unchanged = utf8.withContiguousStorageIfAvailable { bytes in
            !bytes.contains { $0 >= 0x80 || ($0 >= 65 && $0 <= 90) }
        } ?? false
        return unchanged ? self : lowercased()
    }
}
