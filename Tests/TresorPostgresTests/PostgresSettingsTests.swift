import XCTest
@testable import TresorPostgres

final class PostgresSettingsTests: XCTestCase {
    func testDefaults() {
        let settings = PostgresSettings(connection: "")
        XCTAssertEqual(settings.schema, "tresor")
        XCTAssertEqual(settings.workspace, "default")
    }
}
