import TresorSupport

/// A value from a manifest with the span it was written at.
public struct Located<Value: Sendable>: Sendable {
    public var value: Value
    public var range: SourceRange

    @inlinable public init(_ value: Value, at range: SourceRange) {
        self.value = value
        self.range = range
    }
}

extension Located: Equatable where Value: Equatable {}
extension Located: Hashable where Value: Hashable {}

/// An enumeration written in manifests: matched case-insensitively, written back canonically.
public protocol ManifestEnum: RawRepresentable, CaseIterable, Sendable, Hashable where RawValue == String {}

extension ManifestEnum {
    @inlinable public init?(manifestText text: String) {
        if let exact = Self(rawValue: text) {
            self = exact
            return
        }
        let lowered = text.lowercased()
        guard let match = Self.allCases.first(where: { $0.rawValue.lowercased() == lowered }) else { return nil }
        self = match
    }

    public static var allowedValues: String {
        allCases.map(\.rawValue).joined(separator: ", ")
    }
}
