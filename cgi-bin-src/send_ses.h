/*
 * send_ses.h - send one e-mail through the AWS SES v2 SendEmail API.
 *
 *   POST {endpoint}/v2/email/outbound-emails, a JSON body, SigV4 (ses).
 *
 * ses_send() is the whole job for gauge-alertd; ses_prepare() and
 * ses_classify() are its two pure halves, public so tests can check the
 * exact request and the reading of every kind of answer without a network.
 *
 * SES has no idempotency key for SendEmail: an answer lost after SES got the
 * request (a timeout, a reset) is RETRY, and retrying may send the e-mail
 * twice.  Alerts prefer a duplicate to a silence.
 */
#ifndef GAUGE_SEND_SES_H
#define GAUGE_SEND_SES_H

#include <time.h>

#include "arena.h"
#include "send_http.h"

/* Borrowed by every call; the caller owns the strings. */
struct ses_conf {
	const char *endpoint;           /* NULL or "": https://email.{region}.amazonaws.com */
	const char *region;             /* "eu-west-1" */
	const char *access_key_id;
	const char *secret_access_key;
	const char *session_token;      /* temporary credentials only, else NULL */
	const char *sender;             /* FromEmailAddress, "Gauge <alerts@x.com>" */
	const char *ca_file;            /* PEM file to trust; NULL: system store */
	unsigned timeout_s;             /* per attempt; 0: DELIVERY_TIMEOUT_S */
};

struct ses_mail {
	const char *to;                 /* one address */
	const char *subject;
	const char *text;               /* the plain-text body */
	const char *html;               /* optional HTML alternative, or NULL */
};

/* The request ses_send() makes; every string lives in the arena. */
#define SES_HEADERS_MAX 5
struct ses_request {
	const char *url;
	const char *host;               /* the Host value sent and signed */
	const char *body;               /* the SendEmail JSON */
	const char *headers[SES_HEADERS_MAX]; /* "Name: value" lines */
	size_t nheaders;
	const char *canonical_request;  /* for debugging a signature mismatch */
	const char *authorization;
};

/* Builds and signs the request as of now.  0 on success; -1 with why
 * filled in (PERMANENT for bad config or mail, RETRY for out of memory). */
int  ses_prepare(struct arena *a, const struct ses_conf *c,
    const struct ses_mail *m, time_t now, struct ses_request *out,
    struct delivery_result *why);

/* Reads an answer: the status, the x-amzn-ErrorType header (NULL if none)
 * and the body.  Fills outcome, http_status, id and error of r. */
void ses_classify(long status, const char *error_type, const char *body,
    struct delivery_result *r);

/* Prepares, sends through conn, classifies and logs one line. */
enum delivery_outcome ses_send(struct delivery_conn *conn,
    const struct ses_conf *c, const struct ses_mail *m,
    struct delivery_result *r);

#endif
