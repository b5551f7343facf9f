/*
 * req.h - one HTTP request, parsed and validated in one place.
 *
 * req_parse() turns the FastCGI environment and body into a struct req whose
 * fields are all checked: a known method, a percent-decoded path without NUL
 * or dot segments, decoded query parameters, header and cookie lists, a body
 * within the configured cap, the HTTPS flag and a valid client address.
 * Anything malformed is refused here with a status and a stable error code;
 * handlers only ever see requests that passed.
 *
 * The client address is the web server's peer (REMOTE_ADDR) unless that
 * peer is a trusted proxy (http.trusted_proxies): then it is taken from
 * X-Forwarded-For, walked from the right past every trusted proxy, and the
 * proxy's X-Request-Id, when well-formed, becomes the request id.  Both
 * happen before anything can be refused, so even an error response and its
 * log line name the real client and the balancer's id.
 */
#ifndef GAUGE_REQ_H
#define GAUGE_REQ_H

#include <stddef.h>

#include "arena.h"
#include "net.h"

enum method {
	METHOD_GET = 1 << 0,
	METHOD_HEAD = 1 << 1,
	METHOD_POST = 1 << 2,
	METHOD_PUT = 1 << 3,
	METHOD_DELETE = 1 << 4,
	METHOD_PATCH = 1 << 5,
	METHOD_OPTIONS = 1 << 6,
};

/* A proxy's X-Request-Id: 1 to REQ_ID_MAX of [A-Za-z0-9] and "-._:+/=",
 * enough for UUIDs, HAProxy's unique-id-format and base64, and nothing
 * that could split a header or a log line. */
#define REQ_ID_MAX 64
/* X-Forwarded-For entries read from the right: a chain of trusted proxies
 * longer than this is a loop or a misconfiguration, and is ignored. */
#define REQ_MAX_FORWARDED 16

struct kv {
	const char *key;
	const char *val;
};

struct kvlist {
	struct kv *items;
	size_t n, cap;
};

/* The body's media type, from Content-Type (parameters such as charset
 * are dropped).  The types the program acts on have a name; the rest are
 * MEDIA_OTHER, and content_type says which. */
enum media {
	MEDIA_NONE = 0,             /* no Content-Type */
	MEDIA_JSON,                 /* application/json: handlers parse the body */
	MEDIA_FORM,                 /* application/x-www-form-urlencoded: parsed into form */
	MEDIA_OTHER,                /* any other type */
};

/* What became of a form body.  req_parse() never refuses a request for
 * it: each caller answers a bad form in its own way and at its own step
 * (a page after the sign-in check, the API after the key-in-URL check). */
enum form_status {
	FORM_OK = 0,                /* no form body, or form holds its fields */
	FORM_MALFORMED = -1,        /* bad percent-encoding or over REQ_MAX_PARAMS fields; form is empty */
	FORM_REPEATED = -2,         /* a field given twice: form_repeat names it */
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
	enum media media;           /* content_type, named */
	struct kvlist form;         /* the body's fields when media is MEDIA_FORM */
	enum form_status form_status;
	const char *form_repeat;    /* the repeated field, for FORM_REPEATED */
	const char *body;           /* NUL-terminated copy; body_len bytes */
	size_t body_len;
	int https;
	char remote_addr[NET_ADDR_STRLEN]; /* the client: see above; "unknown" if none */
	char peer_addr[NET_ADDR_STRLEN];   /* REMOTE_ADDR itself: the proxy, if any */
	char id[REQ_ID_MAX + 1];    /* the trusted proxy's, or 16 random hex digits */
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

/* 0 on success; otherwise -1 with *err filled.  Always call req_free().
 * trusted: the proxies whose forwarding headers count (NULL: none). */
int  req_parse(struct req *r, char *const *envp, req_read_fn read, void *ctx,
    size_t max_body, const struct net_cidrs *trusted, struct req_error *err);

enum req_fwd {
	REQ_FWD_NONE,           /* no entries: the peer is the client */
	REQ_FWD_CLIENT,         /* *client is the first untrusted address from the right,
	                         * or the leftmost one when all are trusted */
	REQ_FWD_MALFORMED,      /* the walk reached an entry that is not an address */
	REQ_FWD_TOO_MANY,       /* more than REQ_MAX_FORWARDED entries walked */
};
/* The X-Forwarded-For walk, for a peer already known to be trusted.  Pure.
 * Entries left of the client's own are never read: they are whatever the
 * client sent, and a client must not be able to turn the header off by
 * adding garbage to it (it would then share the balancer's counters). */
enum req_fwd req_forwarded_for(const char *xff, const struct net_cidrs *trusted,
    struct net_addr *client);
/* Whether s is usable as a request id (see REQ_ID_MAX). */
int req_id_ok(const char *s);
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
