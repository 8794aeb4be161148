import XCTest

@testable import TresorPostgres

final class PostgresSettingsTests: XCTestCase {
    func testDefaults() {
        let settings = PostgresSettings(connection: "")
        XCTAssertEqual(settings.schema, "tresor")
        XCTAssertEqual(settings.workspace, "default")
    }
}

final class PostgresConnectionStringTests: XCTestCase {
    /// What failure messages are scrubbed of: every way a conninfo can hold a password.
    func testPasswordsAreFoundInConninfoStringsAndURIs() {
        XCTAssertEqual(PostgresConnection.passwords(in: "host=db password=s3cret user=u"), ["s3cret"])
        XCTAssertEqual(PostgresConnection.passwords(in: "host=db password = 'it\\'s secret' user=u"), ["it's secret"])
        XCTAssertEqual(
            PostgresConnection.passwords(in: "postgresql://u:p%40ss@db:5432/tresor?sslmode=require&password=other"), ["p%40ss", "other"])
        XCTAssertEqual(PostgresConnection.passwords(in: "postgresql://u@db/tresor"), [])
        XCTAssertEqual(PostgresConnection.passwords(in: ""), [])
    }

    func testSettingsFromTheEnvironment() {
        let settings = PostgresSettings(
            environment: ["TRESOR_PG_CONN": "host=db", "TRESOR_WORKSPACE": "prod"], schema: "estates", workspace: "dev")
        XCTAssertEqual(settings, PostgresSettings(connection: "host=db", schema: "estates", workspace: "prod"))
        XCTAssertEqual(PostgresSettings(environment: [:], schema: nil, workspace: nil), PostgresSettings(connection: ""))
        XCTAssertEqual(PostgresSettings(environment: ["TRESOR_WORKSPACE": ""], schema: nil, workspace: "dev").workspace, "dev")
    }
}
