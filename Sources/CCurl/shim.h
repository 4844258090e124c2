#ifndef SWITCHYARD_CCURL_SHIM_H
#define SWITCHYARD_CCURL_SHIM_H
#include <curl/curl.h>

// libcurl is loaded with dlopen on the first outbound request (HTTPClient's CurlLibrary), not linked: a gateway
// with only stdio downstream servers and no model providers never maps libcurl and its TLS, LDAP and Kerberos
// dependencies (~5 MB resident). This table holds the entry points we call; `__typeof__` takes each type from
// curl.h itself, so a mismatch with the real signature is a compile error, and it names no symbol to link.
struct sy_curl_api {
    __typeof__(&curl_global_init) global_init;
    __typeof__(&curl_easy_init) easy_init;
    __typeof__(&curl_easy_cleanup) easy_cleanup;
    __typeof__(&curl_easy_reset) easy_reset;
    __typeof__(&curl_easy_strerror) easy_strerror;
    __typeof__(&curl_multi_init) multi_init;
    __typeof__(&curl_multi_cleanup) multi_cleanup;
    __typeof__(&curl_multi_add_handle) multi_add_handle;
    __typeof__(&curl_multi_remove_handle) multi_remove_handle;
    __typeof__(&curl_multi_info_read) multi_info_read;
    __typeof__(&curl_multi_socket_action) multi_socket_action;
    __typeof__(&curl_multi_strerror) multi_strerror;
    __typeof__(&curl_slist_append) slist_append;
    __typeof__(&curl_slist_free_all) slist_free_all;
    // Variadic: Swift cannot hold these types, so they are stored untyped and called through the wrappers below.
    void *easy_setopt;
    void *easy_getinfo;
    void *multi_setopt;
};

// curl_easy_setopt / curl_multi_setopt / curl_easy_getinfo are variadic: Swift cannot call them, so each argument
// type gets a typed wrapper that calls the loaded entry point with curl.h's own (variadic) type.
#define SY_EASY_SETOPT(api) ((__typeof__(&curl_easy_setopt))(api)->easy_setopt)
#define SY_EASY_GETINFO(api) ((__typeof__(&curl_easy_getinfo))(api)->easy_getinfo)
#define SY_MULTI_SETOPT(api) ((__typeof__(&curl_multi_setopt))(api)->multi_setopt)
static inline CURLcode sy_curl_easy_setopt_long(const struct sy_curl_api *api, CURL *h, CURLoption o, long v) { return SY_EASY_SETOPT(api)(h, o, v); }
static inline CURLcode sy_curl_easy_setopt_ptr(const struct sy_curl_api *api, CURL *h, CURLoption o, void *v) { return SY_EASY_SETOPT(api)(h, o, v); }
static inline CURLcode sy_curl_easy_setopt_str(const struct sy_curl_api *api, CURL *h, CURLoption o, const char *v) { return SY_EASY_SETOPT(api)(h, o, v); }
static inline CURLcode sy_curl_easy_setopt_slist(const struct sy_curl_api *api, CURL *h, CURLoption o, struct curl_slist *v) { return SY_EASY_SETOPT(api)(h, o, v); }
static inline CURLcode sy_curl_easy_setopt_write(const struct sy_curl_api *api, CURL *h, size_t (*f)(char *, size_t, size_t, void *)) { return SY_EASY_SETOPT(api)(h, CURLOPT_WRITEFUNCTION, f); }
static inline CURLcode sy_curl_easy_setopt_header(const struct sy_curl_api *api, CURL *h, size_t (*f)(char *, size_t, size_t, void *)) { return SY_EASY_SETOPT(api)(h, CURLOPT_HEADERFUNCTION, f); }
static inline CURLcode sy_curl_easy_setopt_closesocket(const struct sy_curl_api *api, CURL *h, curl_closesocket_callback f) { return SY_EASY_SETOPT(api)(h, CURLOPT_CLOSESOCKETFUNCTION, f); }
// CURLOPT_OPENSOCKETFUNCTION takes a function pointer through the variadic setopt: HTTPClient opens sockets itself
// (close-on-exec, and to know which fds curl will hand back through CURLOPT_CLOSESOCKETFUNCTION).
static inline CURLcode sy_curl_easy_setopt_opensocket(const struct sy_curl_api *api, CURL *h, curl_opensocket_callback f) { return SY_EASY_SETOPT(api)(h, CURLOPT_OPENSOCKETFUNCTION, f); }
static inline CURLcode sy_curl_easy_getinfo_long(const struct sy_curl_api *api, CURL *h, CURLINFO i, long *v) { return SY_EASY_GETINFO(api)(h, i, v); }
static inline CURLcode sy_curl_easy_getinfo_ptr(const struct sy_curl_api *api, CURL *h, CURLINFO i, void **v) { return SY_EASY_GETINFO(api)(h, i, v); }
static inline CURLMcode sy_curl_multi_setopt_long(const struct sy_curl_api *api, CURLM *m, CURLMoption o, long v) { return SY_MULTI_SETOPT(api)(m, o, v); }
static inline CURLMcode sy_curl_multi_setopt_ptr(const struct sy_curl_api *api, CURLM *m, CURLMoption o, void *v) { return SY_MULTI_SETOPT(api)(m, o, v); }
static inline CURLMcode sy_curl_multi_setopt_socketfn(const struct sy_curl_api *api, CURLM *m, curl_socket_callback f) { return SY_MULTI_SETOPT(api)(m, CURLMOPT_SOCKETFUNCTION, f); }
static inline CURLMcode sy_curl_multi_setopt_timerfn(const struct sy_curl_api *api, CURLM *m, curl_multi_timer_callback f) { return SY_MULTI_SETOPT(api)(m, CURLMOPT_TIMERFUNCTION, f); }
#endif
