#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// libpq's functions, loaded from `libpq.so.5` when the PostgreSQL backend is first used. Linking
/// libpq instead would make every build of tresor (the pre-commit hook's included) need
/// PostgreSQL's headers; loading it at run time needs only the runtime library (Debian's
/// `libpq5`), and only on the machines that keep state in PostgreSQL.
struct LibPQ: @unchecked Sendable {
    typealias Connection = OpaquePointer
    typealias Result = OpaquePointer

    /// ConnStatusType and ExecStatusType values tresor checks (libpq-fe.h).
    static let connectionOK: Int32 = 0
    static let commandOK: Int32 = 1
    static let tuplesOK: Int32 = 2
    static let copyIn: Int32 = 4
    /// PG_DIAG_SQLSTATE, for PQresultErrorField.
    static let sqlStateField: Int32 = 67  // 'C'

    let connectdbParams: @convention(c) (UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<UnsafePointer<CChar>?>?, Int32) -> Connection?
    let status: @convention(c) (Connection?) -> Int32
    let errorMessage: @convention(c) (Connection?) -> UnsafeMutablePointer<CChar>?
    let finish: @convention(c) (Connection?) -> Void
    let execParams:
        @convention(c) (
            Connection?, UnsafePointer<CChar>?, Int32, UnsafePointer<UInt32>?,
            UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?, Int32
        ) -> Result?
    let resultStatus: @convention(c) (Result?) -> Int32
    let resultErrorMessage: @convention(c) (Result?) -> UnsafeMutablePointer<CChar>?
    let resultErrorField: @convention(c) (Result?, Int32) -> UnsafeMutablePointer<CChar>?
    let ntuples: @convention(c) (Result?) -> Int32
    let getvalue: @convention(c) (Result?, Int32, Int32) -> UnsafeMutablePointer<CChar>?
    let getlength: @convention(c) (Result?, Int32, Int32) -> Int32
    let getisnull: @convention(c) (Result?, Int32, Int32) -> Int32
    let clear: @convention(c) (Result?) -> Void
    let putCopyData: @convention(c) (Connection?, UnsafePointer<CChar>?, Int32) -> Int32
    let putCopyEnd: @convention(c) (Connection?, UnsafePointer<CChar>?) -> Int32
    let getResult: @convention(c) (Connection?) -> Result?
    let host: @convention(c) (Connection?) -> UnsafeMutablePointer<CChar>?
    let port: @convention(c) (Connection?) -> UnsafeMutablePointer<CChar>?
    let db: @convention(c) (Connection?) -> UnsafeMutablePointer<CChar>?
    let user: @convention(c) (Connection?) -> UnsafeMutablePointer<CChar>?

    /// `TRESOR_LIBPQ` names another copy (a path), for libpq installed outside the loader's path.
    static let libraryVariable = "TRESOR_LIBPQ"
    #if os(macOS)
        static let defaultLibrary = "libpq.5.dylib"
    #else
        static let defaultLibrary = "libpq.so.5"
    #endif

    /// The library, loaded once; the reason when it cannot be.
    static let shared: Swift.Result<LibPQ, LoadFailure> = load()

    struct LoadFailure: Error {
        var message: String
    }

    private static func load() -> Swift.Result<LibPQ, LoadFailure> {
        let libraryName = getenv(libraryVariable).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? defaultLibrary
        guard let handle = dlopen(libraryName, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "not found"
            return .failure(LoadFailure(message: "cannot load PostgreSQL's client library \(libraryName) (\(reason))"))
        }
        let names = [
            "PQconnectdbParams", "PQstatus", "PQerrorMessage", "PQfinish", "PQexecParams", "PQresultStatus",
            "PQresultErrorMessage", "PQresultErrorField", "PQntuples", "PQgetvalue", "PQgetlength",
            "PQgetisnull", "PQclear", "PQputCopyData", "PQputCopyEnd", "PQgetResult", "PQhost", "PQport",
            "PQdb", "PQuser"
        ]
        var pointers: [String: UnsafeMutableRawPointer] = [:]
        for name in names { pointers[name] = dlsym(handle, name) }
        let missing = names.filter { pointers[$0] == nil }
        guard missing.isEmpty else {
            return .failure(LoadFailure(message: "\(libraryName) lacks \(missing.joined(separator: ", ")): it is too old for tresor"))
        }
        func symbol<T>(_ name: String) -> T { unsafeBitCast(pointers[name]!, to: T.self) }
        let library = LibPQ(
            connectdbParams: symbol("PQconnectdbParams"),
            status: symbol("PQstatus"),
            errorMessage: symbol("PQerrorMessage"),
            finish: symbol("PQfinish"),
            execParams: symbol("PQexecParams"),
            resultStatus: symbol("PQresultStatus"),
            resultErrorMessage: symbol("PQresultErrorMessage"),
            resultErrorField: symbol("PQresultErrorField"),
            ntuples: symbol("PQntuples"),
            getvalue: symbol("PQgetvalue"),
            getlength: symbol("PQgetlength"),
            getisnull: symbol("PQgetisnull"),
            clear: symbol("PQclear"),
            putCopyData: symbol("PQputCopyData"),
            putCopyEnd: symbol("PQputCopyEnd"),
            getResult: symbol("PQgetResult"),
            host: symbol("PQhost"),
            port: symbol("PQport"),
            db: symbol("PQdb"),
            user: symbol("PQuser"))
        return .success(library)
    }
}
