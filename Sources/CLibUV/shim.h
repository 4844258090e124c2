#ifndef SWITCHYARD_CLIBUV_SHIM_H
#define SWITCHYARD_CLIBUV_SHIM_H
#include <uv.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

// uv_buf_init is a function already, but Swift cannot form a `struct sockaddr *` from sockaddr_in without
// rebinding; this keeps that cast in C where it is ordinary.
static inline int sy_uv_tcp_bind4(uv_tcp_t *h, const char *ip, int port) {
    struct sockaddr_in addr;
    int r = uv_ip4_addr(ip, port, &addr);
    if (r != 0) return r;
    return uv_tcp_bind(h, (const struct sockaddr *)&addr, 0);
}

// Reads back the bound port (port 0 binds pick one); sockaddr_storage casts belong in C.
static inline int sy_uv_tcp_port(uv_tcp_t *h) {
    struct sockaddr_storage ss;
    int len = sizeof(ss);
    int r = uv_tcp_getsockname(h, (struct sockaddr *)&ss, &len);
    if (r != 0) return r;
    if (ss.ss_family == AF_INET) return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return -1;
}

// Writes the peer's address as "ip:port" (IPv4) or "[ip]:port" (IPv6) into buf; sockaddr casts belong in C.
static inline int sy_uv_tcp_peer(uv_tcp_t *h, char *buf, size_t size) {
    struct sockaddr_storage ss;
    int len = sizeof(ss);
    int r = uv_tcp_getpeername(h, (struct sockaddr *)&ss, &len);
    if (r != 0) return r;
    char ip[64];
    if (ss.ss_family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        r = uv_ip4_name(a, ip, sizeof(ip));
        if (r == 0) snprintf(buf, size, "%s:%d", ip, ntohs(a->sin_port));
    } else if (ss.ss_family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        r = uv_ip6_name(a, ip, sizeof(ip));
        if (r == 0) snprintf(buf, size, "[%s]:%d", ip, ntohs(a->sin6_port));
    } else {
        r = UV_EAFNOSUPPORT;
    }
    return r;
}

static inline int sy_uv_tcp_bind6(uv_tcp_t *h, const char *ip, int port) {
    struct sockaddr_in6 addr;
    int r = uv_ip6_addr(ip, port, &addr);
    if (r != 0) return r;
    return uv_tcp_bind(h, (const struct sockaddr *)&addr, 0);
}

// Connects to an IPv4 address; the sockaddr cast is ordinary in C.
static inline int sy_uv_tcp_connect4(uv_connect_t *req, uv_tcp_t *h, const char *ip, int port, uv_connect_cb cb) {
    struct sockaddr_in addr;
    int r = uv_ip4_addr(ip, port, &addr);
    if (r != 0) return r;
    return uv_tcp_connect(req, h, (const struct sockaddr *)&addr, cb);
}

// Ignore SIGPIPE so a peer that went away gives EPIPE on write instead of killing us (macro SIG_IGN).
static inline void sy_ignore_sigpipe(void) { signal(SIGPIPE, SIG_IGN); }


#endif
