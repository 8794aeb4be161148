/// Port entries of security rules: "*", "443", "80-443".
package enum PortRange {
    static let all: ClosedRange<Int> = 0...65535

    package enum Problem: Error, Equatable, Sendable {
        case notAPort
        /// A number above 65535 (the text, which may be too long for an integer).
        case outOfRange(String)
        case reversed(low: Int, high: Int)
    }

    package static func parse(_ text: String) -> Result<ClosedRange<Int>, Problem> {
        if text == "*" { return .success(all) }
        // Bytes, not Characters: every port entry of every NSG rule comes through here.
        let bounds = text.utf8.split(separator: UInt8(ascii: "-"), maxSplits: 2, omittingEmptySubsequences: false)
        guard bounds.count <= 2 else { return .failure(.notAPort) }
        var numbers: [Int] = []
        for bound in bounds {
            guard let (number, overflowed) = bound.decimalValue else { return .failure(.notAPort) }
            guard !overflowed, all.contains(number) else { return .failure(.outOfRange(String(Substring(bound)))) }
            numbers.append(number)
        }
        let low = numbers[0]
        let high = numbers.last ?? low
        guard low <= high else { return .failure(.reversed(low: low, high: high)) }
        return .success(low...high)
    }
}

/// A set of ports as sorted, merged ranges.
package struct PortSet: Hashable, Sendable {
    package private(set) var ranges: [ClosedRange<Int>] = []

    package init(_ ranges: [ClosedRange<Int>]) {
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = self.ranges.last, range.lowerBound <= last.upperBound + 1 {
                self.ranges[self.ranges.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                self.ranges.append(range)
            }
        }
    }

    var isEverything: Bool { ranges == [PortRange.all] }

    func contains(_ port: Int) -> Bool { ranges.contains { $0.contains(port) } }

    /// Whether every port of `other` is in this set.
    func covers(_ other: PortSet) -> Bool {
        other.ranges.allSatisfy { inner in ranges.contains { $0.lowerBound <= inner.lowerBound && inner.upperBound <= $0.upperBound } }
    }
}
