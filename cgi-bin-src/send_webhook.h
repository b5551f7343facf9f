/*
 * send_webhook.h - one alert POSTed as JSON to a customer's https:// URL,
 * signed with the account's webhook secret, through the same delivery tail
 * as SES and Twilio (send_http.h): the same outcomes, log line and retries.
 *
 * The signature header, as receivers check it (README, "Webhooks"):
 *
 *   Gauge-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
 *
 * The key is the whole secret as shown ("whsec_..."), its bytes as they are.
 * t lets a receiver refuse replays (older than a few minutes).
 *
 * 2xx is delivered; 408, 429 and 5xx are tried again later; any other
 * status fails for good, with the status in the alert log.  The URL's host
 * may not resolve to a private, loopback or link-local address unless the
 * operator allows it (alertd.webhook_allow_private): checked on the address
 * libcurl actually connects to (send_http.c), so DNS cannot point inside.
 */
#ifndef GAUGE_SEND_WEBHOOK_H
#define GAUGE_SEND_WEBHOOK_H

#include <stddef.h>

#include "send_http.h"

#define WEBHOOK_SECRET_PREFIX "whsec_"
#define WEBHOOK_SECRET_BYTES  32        /* of CSPRNG entropy */
#define WEBHOOK_SECRET_LEN    49        /* "whsec_" + 43 base64url characters */
#define WEBHOOK_SIGNATURE_LEN 96        /* "t=...,v1=" + 64 hex digits, NUL */
#define WEBHOOK_AAD_LEN       48

struct webhook_conf {
	const char *ca_file;            /* PEM bundle; NULL: the system store */
	int allow_private;              /* 1: private addresses may be reached */
	unsigned timeout_s;             /* 0: DELIVERY_TIMEOUT_S */
};

struct webhook_post {
	const char *url;
	const char *secret;             /* "whsec_..." */
	const char *event;              /* alarm, clear, reminder, no_data, digest */
	long long delivery_id;          /* the outbox row: the same on every retry */
	const char *body;               /* JSON (alert_message_webhook) */
	size_t body_len;
	long long now_s;                /* the signature's t */
};

/* A fresh secret from the OS CSPRNG into out: 0, or -1 when it fails. */
int  webhook_secret_generate(char out[WEBHOOK_SECRET_LEN + 1]);
/* The additional data a secret is sealed with (secretbox.h). */
void webhook_secret_aad(long long account_id, char out[WEBHOOK_AAD_LEN]);
/* The Gauge-Signature header's value for body at t: 0, or -1. */
int  webhook_signature(const char *secret, long long t, const char *body, size_t len,
    char out[WEBHOOK_SIGNATURE_LEN]);
/* What a receiver's status means (delivery_outcome_of), with "HTTP <status>"
 * as the error the alert log shows. */
void webhook_classify(long status, struct delivery_result *r);
/* Signs and POSTs p; the outcome is also in r. */
enum delivery_outcome webhook_send(struct delivery_conn *conn, const struct webhook_conf *c,
    const struct webhook_post *p, struct delivery_result *r);

#endif
