import CCurl

#if canImport(Glibc)
    import Glibc
#endif

/// libcurl, loaded with `dlopen` on the first `HTTPClient` (see `Sources/CCurl/shim.h` for why), with every entry
/// point we call resolved up front: a missing library or symbol is one clear error at that moment, never a crash
/// mid-request.
///
/// Immutable after loading, so shared by every client and thread (`@unchecked`: the C struct of function pointers
/// is not marked `Sendable`, but nothing writes it after `load()`).
struct CurlLibrary: @unchecked Sendable {
    /// The entry points, every one non-nil. Allocated once and never freed: the library stays loaded for the
    /// life of the process.
    let api: UnsafePointer<sy_curl_api>

    /// The process's libcurl, loaded and globally initialised once (Swift runs a `static let` initialiser exactly
    /// once, thread-safely); the error explains what to install when it cannot be loaded.
    static let shared: Result<CurlLibrary, HTTPClientError> = load()

    /// The soname of libcurl 7.16+ and 8.x (Debian's libcurl4 packages).
    static let soname = "libcurl.so.4"

    private static func load() -> Result<CurlLibrary, HTTPClientError> {
        guard let handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL) else {
            return .failure(
                .other(
                    code: Int(CURLE_FAILED_INIT.rawValue),
                    message: "cannot load \(soname) (\(lastDLError())); install libcurl (Debian: apt install libcurl4)"))
        }
        var api = sy_curl_api()
        var missing: [String] = []
        // `Function` is inferred from the field assigned to: curl.h's own type for that entry point.
        func symbol<Function>(_ name: String) -> Function? {
            guard let address = dlsym(handle, name) else { missing.append(name); return nil }
            return unsafeBitCast(address, to: Function.self)
        }
        func untyped(_ name: String) -> UnsafeMutableRawPointer? {
            guard let address = dlsym(handle, name) else { missing.append(name); return nil }
            return address
        }
        api.global_init = symbol("curl_global_init")
        api.easy_init = symbol("curl_easy_init")
        api.easy_cleanup = symbol("curl_easy_cleanup")
        api.easy_reset = symbol("curl_easy_reset")
        api.easy_strerror = symbol("curl_easy_strerror")
        api.multi_init = symbol("curl_multi_init")
        api.multi_cleanup = symbol("curl_multi_cleanup")
        api.multi_add_handle = symbol("curl_multi_add_handle")
        api.multi_remove_handle = symbol("curl_multi_remove_handle")
        api.multi_info_read = symbol("curl_multi_info_read")
        api.multi_socket_action = symbol("curl_multi_socket_action")
        api.multi_strerror = symbol("curl_multi_strerror")
        api.slist_append = symbol("curl_slist_append")
        api.slist_free_all = symbol("curl_slist_free_all")
        api.easy_setopt = untyped("curl_easy_setopt")
        api.easy_getinfo = untyped("curl_easy_getinfo")
        api.multi_setopt = untyped("curl_multi_setopt")
        guard missing.isEmpty else {
            return .failure(
                .other(
                    code: Int(CURLE_FAILED_INIT.rawValue),
                    message: "\(soname) lacks \(missing.joined(separator: ", ")); libcurl 7.62 or newer is needed"))
        }
        let table = UnsafeMutablePointer<sy_curl_api>.allocate(capacity: 1)
        table.initialize(to: api)
        let library = CurlLibrary(api: table)
        let code = library.api.pointee.global_init!(Int(CURL_GLOBAL_ALL))
        guard code == CURLE_OK else {
            return .failure(.other(code: Int(code.rawValue), message: "curl_global_init: \(library.describe(code))"))
        }
        return .success(library)
    }

    private static func lastDLError() -> String {
        dlerror().map { String(cString: $0) } ?? "unknown error"
    }

    /// `curl_easy_strerror`.
    func describe(_ code: CURLcode) -> String {
        api.pointee.easy_strerror!(code).map { String(cString: $0) } ?? "curl error \(code.rawValue)"
    }

    /// `curl_multi_strerror`.
    func describe(_ code: CURLMcode) -> String {
        api.pointee.multi_strerror!(code).map { String(cString: $0) } ?? "curl multi error \(code.rawValue)"
    }
}

/// The entry points under their curl names, for readable call sites (`load()` checked that each is present).
extension CurlLibrary {
    func easy_init() -> UnsafeMutableRawPointer? { api.pointee.easy_init!() }
    func easy_cleanup(_ easy: UnsafeMutableRawPointer) { api.pointee.easy_cleanup!(easy) }
    func easy_reset(_ easy: UnsafeMutableRawPointer) { api.pointee.easy_reset!(easy) }
    func multi_init() -> UnsafeMutableRawPointer? { api.pointee.multi_init!() }
    func multi_cleanup(_ multi: UnsafeMutableRawPointer) -> CURLMcode { api.pointee.multi_cleanup!(multi) }
    func multi_add_handle(_ multi: UnsafeMutableRawPointer, _ easy: UnsafeMutableRawPointer) -> CURLMcode {
        api.pointee.multi_add_handle!(multi, easy)
    }
    func multi_remove_handle(_ multi: UnsafeMutableRawPointer, _ easy: UnsafeMutableRawPointer) -> CURLMcode {
        api.pointee.multi_remove_handle!(multi, easy)
    }
    func multi_info_read(_ multi: UnsafeMutableRawPointer, _ queued: inout Int32) -> UnsafeMutablePointer<CURLMsg>? {
        api.pointee.multi_info_read!(multi, &queued)
    }
    func multi_socket_action(
        _ multi: UnsafeMutableRawPointer, _ socket: curl_socket_t, _ flags: Int32,
        _ running: inout Int32
    ) -> CURLMcode {
        api.pointee.multi_socket_action!(multi, socket, flags, &running)
    }
    func slist_append(_ list: UnsafeMutablePointer<curl_slist>?, _ line: String) -> UnsafeMutablePointer<curl_slist>? {
        api.pointee.slist_append!(list, line)
    }
    func slist_free_all(_ list: UnsafeMutablePointer<curl_slist>?) { api.pointee.slist_free_all!(list) }

    /// `curl_easy_strerror` of the loaded library, or the bare number when it could not be loaded (an error
    /// described before any client existed).
    static func describe(_ code: CURLcode) -> String {
        guard case .success(let library) = shared else { return "curl error \(code.rawValue)" }
        return library.describe(code)
    }

    /// `curl_multi_strerror`, as `describe(_: CURLcode)`.
    static func describe(_ code: CURLMcode) -> String {
        guard case .success(let library) = shared else { return "curl multi error \(code.rawValue)" }
        return library.describe(code)
    }
}
