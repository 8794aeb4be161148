import Foundation
import TresorPlan
import TresorSupport

/// Reads through the ARM client: single resources and paged lists (`nextLink` followed as
/// Azure gives it), within one deadline, under one correlation ID.
struct ARMReader: Sendable {
    let client: ARMClient
    let deadline: Double
    let correlationID: String

    init(client: ARMClient, timeout: Double) {
        self.client = client
        deadline = MonotonicClock.seconds() + timeout
        correlationID = UUID().uuidString.lowercased()
    }

    func url(_ path: String, apiVersion: String, query: String = "") -> String {
        ARMPaths.url(base: client.baseURL, id: path, apiVersion: apiVersion) + query
    }

    /// The resource at `path`; nil when Azure answers 404.
    func get(_ path: String, apiVersion: String) async throws(ProviderFailure) -> JSON? {
        let response = try await client.send("GET", url(path, apiVersion: apiVersion), deadline: deadline, correlationID: correlationID)
        if response.status == 404 { return nil }
        return try body(response)
    }

    /// Every entry of a list, page after page; nil when its parent is gone (404). A `nextLink`
    /// back to a page already read fails the read: followed, it would read the same pages until
    /// the deadline, holding every entry read again.
    func list(_ path: String, apiVersion: String, query: String = "") async throws(ProviderFailure) -> [JSON]? {
        var next: String? = url(path, apiVersion: apiVersion, query: query)
        var read: Set<String> = []
        var entries: [JSON] = []
        while let page = next {
            let pageURL = ARMPaths.absolute(page, base: client.baseURL)
            guard read.insert(pageURL).inserted else {
                throw ProviderFailure(
                    message: "Azure's list \(ARMClient.loggable(pageURL)) links back to a page already read (nextLink)",
                    retryable: false, httpStatus: 200, correlationID: correlationID)
            }
            let response = try await client.send("GET", pageURL, deadline: deadline, correlationID: correlationID)
            if response.status == 404 { return nil }
            let answer = try body(response)
            entries += answer["value"]?.arrayValue ?? []
            next = answer["nextLink"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        }
        return entries
    }

    private func body(_ response: HTTPResponse) throws(ProviderFailure) -> JSON {
        let correlation = response.header("x-ms-correlation-request-id") ?? correlationID
        guard response.status == 200 else {
            throw ARMError.failure(status: response.status, body: response.body, correlationID: correlation)
        }
        // A refresh reads a hundred megabytes of lists: TresorCore's byte reader takes them many
        // times faster than Foundation's; an answer with fractions or a byte order mark goes to
        // Foundation's.
        if let fast = try? JSONReader.parse(response.body) { return fast }
        guard let json = ResponseJSON.parse(response.body) else {
            throw ProviderFailure(
                message: "Azure answered HTTP 200 with a body that is not JSON", retryable: true, httpStatus: 200,
                correlationID: correlation)
        }
        return json
    }

    /// Runs `work` for each of `inputs`, at most `width` at once (the client paces them by the
    /// read budget); results in input order, or the first failure.
    static func each<Input: Sendable, Output: Sendable>(
        _ inputs: [Input], width: Int = 32, _ work: @escaping @Sendable (Input) async throws(ProviderFailure) -> Output
    ) async throws(ProviderFailure) -> [Output] {
        let results = await withTaskGroup(of: (Int, Result<Output, ProviderFailure>).self) { group in
            var results = [Result<Output, ProviderFailure>?](repeating: nil, count: inputs.count)
            var next = 0
            func start() {
                let index = next
                next += 1
                group.addTask {
                    do throws(ProviderFailure) { return (index, .success(try await work(inputs[index]))) } catch {
                        return (index, .failure(error))
                    }
                }
            }
            while next < min(width, inputs.count) { start() }
            for await (index, result) in group {
                results[index] = result
                if case .failure = result {
                    group.cancelAll()
                    break
                }
                if next < inputs.count { start() }
            }
            return results
        }
        var outputs: [Output] = []
        outputs.reserveCapacity(inputs.count)
        for result in results {
            guard let result else { continue }
            outputs.append(try result.get())
        }
        return outputs
    }
}
