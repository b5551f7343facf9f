/*
 * send_http.h - what send_ses.c and send_twilio.c share: one HTTPS POST through
 * libcurl, and the three outcomes a caller of either can act on.
 *
 * A caller (gauge-alertd) only ever needs to know whether to mark an alert
 * sent, try it again later, or give up on it; the providers' many error
 * shapes are folded into that here and in each provider's classifier, so
 * the outbox logic never learns what an x-amzn-ErrorType is.
 *
 * Every attempt is logged as one line by delivery_send() (info when
 * sent, warn otherwise); no secret ever reaches a log line or an error text.
 */
#ifndef GAUGE_SEND_HTTP_H
#define GAUGE_SEND_HTTP_H

#include <stddef.h>

#include "arena.h"

/* What an attempt came to.  0 is success and failures are negative, as
 * everywhere in Gauge; callers compare by name, never by sign. */
enum delivery_outcome {
	/* The provider accepted the message: mark it sent. */
	DELIVERY_SENT = 0,
	/* Not now: no answer, a timeout, 408, 429, 5xx or a throttling error.
	 * The same request may succeed later: try again after a delay. */
	DELIVERY_RETRY = -1,
	/* Never: bad configuration, a rejected address or number, any other
	 * 4xx.  Sending the same request again cannot succeed: give up. */
	DELIVERY_PERMANENT = -2,
};

#define DELIVERY_ID_LEN      128
#define DELIVERY_ERROR_LEN   256
#define DELIVERY_BODY_MAX    16384  /* response bytes kept; the rest dropped */
#define DELIVERY_CAPTURE_MAX 2      /* response headers a request may keep */
#define DELIVERY_TIMEOUT_S   10     /* used when a config says 0 */

struct json_object;

/* Caller-owned and fixed-size, so a result outlives everything else. */
struct delivery_result {
	enum delivery_outcome outcome;
	long http_status;               /* 0 when no HTTP answer arrived */
	long elapsed_ms;                /* the HTTP exchange, 0 if never sent */
	char id[DELIVERY_ID_LEN];       /* the provider's message id when SENT */
	char request_id[DELIVERY_ID_LEN]; /* the provider's request id, if any */
	char error[DELIVERY_ERROR_LEN]; /* one line, no secrets; "" when SENT */
};

struct delivery_request {
	const char *url;                /* https:// only; anything else fails */
	const char *const *headers;     /* "Name: value" lines, no CR or LF */
	size_t nheaders;
	const char *body;
	size_t body_len;
	const char *username;           /* HTTP basic auth; NULL for none */
	const char *password;
	const char *ca_file;            /* PEM bundle; NULL: the system store */
	unsigned timeout_s;             /* whole exchange; 0: DELIVERY_TIMEOUT_S */
	const char *capture[DELIVERY_CAPTURE_MAX]; /* header names, or NULL */
	/* 1: connect only to public addresses (net_addr_internal() says no),
	 * checked on each address libcurl is about to connect to, after DNS,
	 * and never through a proxy.  For URLs a customer gave (webhooks). */
	int public_only;
};

/* Strings point into the arena given to delivery_post(). */
struct delivery_response {
	long status;                    /* 0 when no HTTP answer arrived */
	const char *body;               /* NUL-terminated; "" when none */
	size_t body_len;                /* at most DELIVERY_BODY_MAX */
	const char *captured[DELIVERY_CAPTURE_MAX]; /* NULL when absent */
	long elapsed_ms;
	int refused;                    /* public_only kept every address out */
	char error[DELIVERY_ERROR_LEN]; /* why there is no answer */
};

/*
 * A reusable libcurl handle: connections (and TLS sessions) to a provider
 * stay open between sends, so a burst of alerts pays one handshake.  One per
 * process, used by one thread at a time, never carried across fork().
 */
struct delivery_conn;

/* Once per process, before any other thread exists (libcurl's rule). */
int  delivery_global_init(void);
void delivery_global_cleanup(void);

/* NULL when out of memory.  The caller owns it and frees it. */
struct delivery_conn *delivery_conn_new(void);
void delivery_conn_free(struct delivery_conn *c);

/*
 * POSTs rq->body to rq->url.  0 when an HTTP answer arrived, whatever its
 * status; -1 when none did (rs->error says why: refused, TLS, timeout, a
 * header with CR/LF, out of memory; rs->refused when public_only refused
 * the addresses).  Peer and host verification stay on.
 */
int  delivery_post(struct delivery_conn *c, struct arena *a,
    const struct delivery_request *rq, struct delivery_response *rs);

/* The outcome an HTTP status alone implies: 2xx sent; 408, 429, 5xx and
 * no answer (0) retry; everything else permanent. */
enum delivery_outcome delivery_outcome_of(long status);
/* A provider's answer parsed as strictly as a client's body (json_body.h);
 * NULL when it is not JSON, and the status alone then decides.  The caller
 * owns the result (json_object_put). */
struct json_object *delivery_json(const char *body);

/* Sets outcome, status and a one-line error text (cut at the first
 * newline) in r; leaves id and request_id alone. */
void delivery_fail(struct delivery_result *r, enum delivery_outcome o,
    long status, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The one log line per attempt: provider ("ses"), recipient and r. */
void delivery_log(const char *provider, const char *to,
    const struct delivery_result *r);

/* What delivery_send() needs to know of a provider. */
struct delivery_provider {
	const char *name;               /* "ses", for the log line */
	size_t request_id;              /* the capture[] slot of its request id header */
	/* Reads an answer into outcome, http_status, id and error of r. */
	void (*classify)(const struct delivery_response *rs,
	    struct delivery_result *r);
};

/*
 * The tail every provider's send shares: POSTs rq through conn (no answer
 * is RETRY, an address public_only refused PERMANENT), has the provider classify the answer, keeps its request id and
 * the time taken, logs the one line, frees the arena and returns r's
 * outcome.  rq NULL means the request could not be built and r already says
 * why: only the log line and the freeing are left.
 */
enum delivery_outcome delivery_send(struct delivery_conn *conn, struct arena *a,
    const struct delivery_provider *p, const struct delivery_request *rq,
    const char *to, struct delivery_result *r);

#endif
