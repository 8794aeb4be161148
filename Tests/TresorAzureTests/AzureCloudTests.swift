import XCTest

@testable import TresorAzure

final class AzureCloudTests: XCTestCase {
    func testCloudsByNameAndScope() {
        XCTAssertEqual(AzureCloud.named("azureusgovernment")?.authorityHost, "https://login.microsoftonline.us")
        XCTAssertEqual(AzureCloud.named("AzureChinaCloud")?.scope, "https://management.chinacloudapi.cn/.default")
        XCTAssertNil(AzureCloud.named("Mars"))
    }
}
