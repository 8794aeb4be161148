import TresorPlan
import TresorSupport

/// ARM's error code and message from a response body. Accepted shapes (facts §2.3):
/// `{"error":{"code","message",...}}` (ARM, and Backup's with null `target`/`details`/
/// `innerError`), a bare `{"code","message"}`, and an operation status
/// `{"id","status","error":{"code","message"}}`. A byte order mark before the body is skipped.
struct ARMError: Equatable, Sendable {
    var code: String?
    var message: String?

    init(code: String?, message: String?) {
        self.code = code
        self.message = message
    }

    init(body: [UInt8]) {
        self.init(json: ResponseJSON.parse(body))
    }

    init(json: JSON?) {
        let error = json?["error"].flatMap { $0.objectMembers == nil ? nil : $0 } ?? json
        code = error?["code"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        message = error?["message"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The failure of a request Azure answered with `status`. Messages quote ARM's text, which
    /// names resources and reasons, never request headers.
    static func failure(
        status: Int, body: [UInt8], correlationID: String?, retryable: Bool = false,
        retryAfter: Double? = nil
    ) -> ProviderFailure {
        let error = ARMError(body: body)
        let message = error.message ?? "Azure answered HTTP \(status)\(error.code.map { " (\($0))" } ?? "") without a message"
        return ProviderFailure(
            message: message, retryable: retryable, httpStatus: status, code: error.code,
            correlationID: correlationID, retryAfter: retryAfter)
    }
}
