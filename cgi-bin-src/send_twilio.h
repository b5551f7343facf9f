/*
 * send_twilio.h - send one SMS through Twilio's Messages API.
 *
 *   POST {endpoint}/2010-04-01/Accounts/{AccountSid}/Messages.json
 *   form-encoded To, From, Body; HTTP basic auth AccountSid:AuthToken.
 *
 * Each Gauge account brings its own Twilio account, so the credentials come
 * with every call rather than from a process-wide setting.  As with SES, a
 * lost answer is RETRY and may mean a duplicate SMS: Twilio's Messages API
 * has no idempotency key.
 */
#ifndef GAUGE_SEND_TWILIO_H
#define GAUGE_SEND_TWILIO_H

#include "arena.h"
#include "send_http.h"

/* Borrowed by every call; the caller owns the strings. */
struct twilio_conf {
	const char *endpoint;           /* NULL or "": https://api.twilio.com */
	const char *account_sid;        /* "AC" + 32 hex */
	const char *auth_token;
	const char *from;               /* E.164 number, short code or sender id */
	const char *ca_file;            /* PEM file to trust; NULL: system store */
	unsigned timeout_s;             /* per attempt; 0: DELIVERY_TIMEOUT_S */
};

struct twilio_sms {
	const char *to;                 /* E.164, "+4915112345678" */
	const char *body;
};

/* The request twilio_send() makes; strings live in the arena.  The token is
 * not copied: it goes to libcurl straight from the conf. */
struct twilio_request {
	const char *url;
	const char *body;               /* "To=%2B49...&From=...&Body=..." */
};

/* 0 on success; -1 with why filled in (PERMANENT for bad config or SMS,
 * RETRY for out of memory). */
int  twilio_prepare(struct arena *a, const struct twilio_conf *c,
    const struct twilio_sms *m, struct twilio_request *out,
    struct delivery_result *why);

/* Reads an answer (status and JSON body); fills outcome, http_status, id
 * (the message sid) and error ("21211: The 'To' number ...") of r. */
void twilio_classify(long status, const char *body, struct delivery_result *r);

/* An account SID as Twilio issues them: "AC" and 32 hexadecimal digits. */
int  twilio_sid_ok(const char *s);

/* The associated data an account's auth token is sealed with (secretbox):
 * one place, so the dashboard, gaugectl and gauge-alertd always agree. */
#define TWILIO_AAD_LEN 48
void twilio_token_aad(long long account_id, char out[TWILIO_AAD_LEN]);

/* Prepares, sends through conn, classifies and logs one line. */
enum delivery_outcome twilio_send(struct delivery_conn *conn,
    const struct twilio_conf *c, const struct twilio_sms *m,
    struct delivery_result *r);

#endif
