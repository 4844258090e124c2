#ifndef SWITCHYARD_CHTTPPARSER_SHIM_H
#define SWITCHYARD_CHTTPPARSER_SHIM_H
#include <http_parser.h>

// HTTP_PARSER_ERRNO is a function-like macro Swift cannot call.
static inline enum http_errno sy_http_errno(const http_parser *p) { return HTTP_PARSER_ERRNO(p); }
// parser->upgrade and ->http_errno are bitfields; plain accessors keep Swift away from bitfield layout.
static inline int sy_http_should_keep_alive(const http_parser *p) { return http_should_keep_alive(p); }
static inline unsigned sy_http_method(const http_parser *p) { return p->method; }
static inline unsigned short sy_http_major(const http_parser *p) { return p->http_major; }
static inline unsigned short sy_http_minor(const http_parser *p) { return p->http_minor; }
static inline void sy_http_set_data(http_parser *p, void *data) { p->data = data; }
static inline void *sy_http_get_data(const http_parser *p) { return p->data; }
// parser->upgrade is a bitfield: set once the head asks to switch protocols (Upgrade + Connection: upgrade, or CONNECT).
static inline int sy_http_upgrade(const http_parser *p) { return p->upgrade; }
// parser->flags is a bitfield: F_CHUNKED / F_CONTENTLENGTH say how the body is framed.
static inline unsigned sy_http_flags(const http_parser *p) { return p->flags; }
#endif
