/*
 * req.h - one HTTP request, parsed and validated in one place.
 *
 * req_parse() turns the FastCGI environment and body into a struct req whose
 * fields are all checked: a known method, a percent-decoded path without NUL
 * or dot segments, decoded query parameters, header and cookie lists, a body
 * within the configured cap, the HTTPS flag and a valid client address.
 * Anything malformed is refused here with a status and a stable error code;
 * handlers only ever see requests that passed.
 */
#ifndef GAUGE_REQ_H
#define GAUGE_REQ_H

#include <stddef.h>

#include "arena.h"

enum method {
	METHOD_GET = 1 << 0,
	METHOD_HEAD = 1 << 1,
	METHOD_POST = 1 << 2,
	METHOD_PUT = 1 << 3,
	METHOD_DELETE = 1 << 4,
	METHOD_PATCH = 1 << 5,
	METHOD_OPTIONS = 1 << 6,
};

struct kv {
	const char *key;
	const char *val;
};

struct kvlist {
	struct kv *items;
	size_t n, cap;
};

struct req {
	struct arena arena;         /* owns every pointer below */
	enum method method;
	const char *method_name;
	const char *path;           /* decoded, starts with '/' */
	const char *raw_path;       /* as sent, for logs */
	struct kvlist query;
	struct kvlist headers;      /* names lower-case, '-' separated */
	struct kvlist cookies;
	const char *content_type;   /* media type only, lower-case; NULL if none */
	const char *body;           /* NUL-terminated copy; body_len bytes */
	size_t body_len;
	int https;
	char remote_addr[46];
	char id[17];                /* random per request, for logs and headers */
};

struct req_error {
	int status;
	const char *code;
	const char *message;
};

/* Reads up to n body bytes into buf; returns bytes read, 0 at EOF, <0 on error. */
typedef long (*req_read_fn)(void *ctx, char *buf, size_t n);

/* Limits chosen so no legitimate client hits them; see req.c. */
#define REQ_MAX_URI    8192
#define REQ_MAX_PARAMS 100

/* 0 on success; otherwise -1 with *err filled.  Always call req_free(). */
int  req_parse(struct req *r, char *const *envp, req_read_fn read, void *ctx,
    size_t max_body, struct req_error *err);
void req_free(struct req *r);

const char *req_header(const struct req *r, const char *name);
const char *req_param(const struct req *r, const char *name);
const char *req_cookie(const struct req *r, const char *name);
const char *kv_get(const struct kvlist *l, const char *key);
/* The first name given more than once, or NULL: a form or query string
 * that names a field twice is refused, never read by "first wins". */
const char *kv_first_repeat(const struct kvlist *l);

/* Decodes %XY (and '+' as space when plus is set) into out (len+1 bytes).
 * Returns decoded length, or -1 on a malformed escape or a decoded NUL. */
long req_pct_decode(const char *in, size_t len, char *out, int plus);

/* Parses a=b&c=d into l; -1 on malformed encoding or too many pairs. */
int req_parse_urlencoded(struct arena *a, const char *s, size_t len, struct kvlist *l);

#endif
