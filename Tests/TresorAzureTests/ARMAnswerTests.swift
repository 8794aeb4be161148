import TresorCore
import XCTest

@testable import TresorAzure

/// Answers from Azure and token endpoints that the `arm` fuzz target showed tresor taking at
/// their word: a wait, an expiry or a list that never ends.
final class ARMAnswerTests: XCTestCase {
    private func retryAfter(_ value: String) -> Double? {
        Backoff.retryAfter(HTTPResponse(status: 429, headers: ["Retry-After": value]))
    }

    /// "inf" and "1e12" parse as numbers: taken as given, they overflowed the pacing's sleep
    /// (a trap) or ended a change at once as "timed out".
    func testRetryAfterIsAWaitOfAtMostAnHour() {
        XCTAssertEqual(retryAfter("17"), 17)
        XCTAssertEqual(retryAfter(" 5 "), 5)
        XCTAssertEqual(retryAfter("0.5"), 0.5)
        XCTAssertNil(retryAfter("-1"))
        XCTAssertNil(retryAfter("nan"))
        XCTAssertNil(retryAfter("Wed, 21 Oct 2026 07:28:00 GMT"))
        XCTAssertEqual(retryAfter("3600"), 3600)
        XCTAssertEqual(retryAfter("3601"), Backoff.longestRetryAfter)
        XCTAssertEqual(retryAfter("1e12"), Backoff.longestRetryAfter)
        XCTAssertEqual(retryAfter("inf"), Backoff.longestRetryAfter)
        XCTAssertEqual(retryAfter("1e400"), Backoff.longestRetryAfter)
    }

    /// A token whose expiry is "inf" would be used forever, "nan" never cached: neither is a token.
    func testATokenExpiryIsATime() {
        func token(_ body: String) -> AccessToken? { TokenRequest.accessToken(from: Array(body.utf8), now: 1_800_000_000) }
        XCTAssertEqual(token(#"{"access_token":"t","expires_in":"3599"}"#), AccessToken(value: "t", expiresOn: 1_800_003_599))
        XCTAssertEqual(token(#"{"access_token":"t","expires_on":1800003599}"#), AccessToken(value: "t", expiresOn: 1_800_003_599))
        XCTAssertNil(token(#"{"access_token":"t","expires_in":"inf"}"#))
        XCTAssertNil(token(#"{"access_token":"t","expires_in":"nan"}"#))
        XCTAssertNil(token(#"{"access_token":"t","expires_on":"1e400"}"#))
        XCTAssertNil(AzureCLI.accessToken(from: Array(#"{"accessToken":"t","expires_on":"-inf"}"#.utf8)))
    }

    /// A list whose nextLink leads back to a page already read was read again and again until
    /// the deadline (30 minutes by default), holding every entry each time.
    func testAListLinkingBackToAPageAlreadyReadFails() async {
        let transport = CannedTransport(
            status: 200, body: #"{"value":[{"id":"a"}],"nextLink":"https://management.azure.com/subscriptions/s/items?page=2"}"#)
        let provider = AzureProvider(
            settings: AzureSettings(cloud: AzureCloud.all[0], timeout: 60), transport: transport,
            credential: FixedCredential())
        let reader = ARMReader(client: provider.client, timeout: 60)
        do {
            let entries = try await reader.list("/subscriptions/s/items", apiVersion: ARMAPIVersion.backup)
            XCTFail("read \(entries?.count ?? 0) entries")
        } catch {
            XCTAssertEqual(
                error.message,
                "Azure's list https://management.azure.com/subscriptions/s/items links back to a page already read (nextLink)")
            XCTAssertFalse(error.retryable)
        }
        XCTAssertEqual(transport.sent.count, 2, "the first page and the one it links to, once each")
    }
}

private struct FixedCredential: TokenCredential {
    var source: String { "test" }
    func token(forceRefresh: Bool) async throws(SignInFailure) -> AccessToken {
        AccessToken(value: "test-token", expiresOn: 4_000_000_000)
    }
}
