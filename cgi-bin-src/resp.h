/*
 * resp.h - writing responses: status, headers, JSON, HTML, uniform errors.
 *
 * Every response passes through resp_start(), which adds the security
 * headers and the request id, so no handler can forget them.  Errors have
 * one shape: JSON {"code", "message", "request_id"} for API clients, a
 * rendered page for browsers.
 */
#ifndef GAUGE_RESP_H
#define GAUGE_RESP_H

#include <stddef.h>

struct json_object;
struct req;
typedef struct _hdf HDF;

/* Where response bytes go: the FastCGI stream, or a buffer in tests. */
struct out {
	int (*write)(void *ctx, const char *buf, size_t n);
	void *ctx;
};

struct resp {
	struct out out;
	const struct req *req;      /* NULL when the request did not parse */
	int status;
	int started;
	size_t bytes;               /* body bytes written, for the access log */
	char extra[1024];           /* queued "Name: value\r\n" lines */
	size_t extra_len;
};

void resp_init(struct resp *rs, struct out out, const struct req *req);
/* Queues a header for resp_start; -1 if the header space is exhausted. */
int  resp_header(struct resp *rs, const char *name, const char *value);
int  resp_start(struct resp *rs, int status, const char *content_type);
/* Body bytes; swallowed for HEAD requests. */
int  resp_write(struct resp *rs, const char *buf, size_t n);
/* Serialises obj (borrowed, not freed) as the whole body. */
int  resp_json(struct resp *rs, int status, struct json_object *obj);
/* The same for JSON already written (len bytes, a newline is added). */
int  resp_json_text(struct resp *rs, int status, const char *json, size_t len);
/* Renders templates/<name> with hdf (borrowed) as the whole body. */
int  resp_html(struct resp *rs, int status, const char *name, HDF *hdf);
int  resp_error(struct resp *rs, int status, const char *code, const char *message);
/* The same, naming the offending part of a JSON body by its RFC 6901
 * pointer ("pointer" in the JSON error; NULL: none). */
int  resp_error_at(struct resp *rs, int status, const char *code, const char *pointer,
    const char *message);
/* True when the client should get JSON rather than HTML. */
int  resp_wants_json(const struct req *r);
const char *resp_reason(int status);

#endif
