extension Collection<UInt8> {
    /// The value of ASCII decimal digits, read from bytes (manifest numbers, addresses, ports):
    /// nil when there are none or one is not a digit. When the digits spell more than `Int` holds,
    /// `overflowed` is true and `value` means nothing.
    @inlinable package var decimalValue: (value: Int, overflowed: Bool)? {
        guard !isEmpty else { return nil }
        var value = 0
        var overflowed = false
        for byte in self {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (shifted, overflowedShifting) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowedAdding) = shifted.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            overflowed = overflowed || overflowedShifting || overflowedAdding
            value = next
        }
        return (value, overflowed)
    }
}
