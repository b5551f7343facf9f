/*
 * send_webhook.c - signed webhook POSTs (see send_webhook.h).
 *
 * The signed string is "<t>.<body>", Stripe's scheme, which receivers and
 * their libraries already know: the timestamp inside the MAC stops a
 * captured request from being replayed later with a fresh t.
 *
 * A receiver's answer body is not read: what matters is the status, and a
 * URL anyone can enter must not put text of its choosing into our logs
 * beyond a number.
 */
#include "send_webhook.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "alert_rule.h"
#include "arena.h"
#include "crypto.h"

int webhook_secret_generate(char out[WEBHOOK_SECRET_LEN + 1])
{
	unsigned char raw[WEBHOOK_SECRET_BYTES];
	int rc = crypto_random(raw, sizeof(raw));

	if (rc == 0) {
		memcpy(out, WEBHOOK_SECRET_PREFIX, sizeof(WEBHOOK_SECRET_PREFIX) - 1);
		crypto_b64url(raw, sizeof(raw), out + sizeof(WEBHOOK_SECRET_PREFIX) - 1);
	}
	OPENSSL_cleanse(raw, sizeof(raw));
	return rc;
}

void webhook_secret_aad(long long account_id, char out[WEBHOOK_AAD_LEN])
{
	snprintf(out, WEBHOOK_AAD_LEN, "account:%lld:webhook", account_id);
}

int webhook_signature(const char *secret, long long t, const char *body, size_t len,
    char out[WEBHOOK_SIGNATURE_LEN])
{
	struct arena a;
	unsigned char mac[SHA256_LEN];
	char prefix[24], hex[2 * SHA256_LEN + 1], *msg;
	int plen = snprintf(prefix, sizeof(prefix), "%lld.", t), rc = -1;

	arena_init(&a);
	if ((msg = arena_alloc(&a, (size_t)plen + len + 1)) != NULL) {
		memcpy(msg, prefix, (size_t)plen);
		memcpy(msg + plen, body, len);
		if (crypto_hmac_sha256(secret, strlen(secret), msg, (size_t)plen + len, mac) == 0) {
			crypto_hex(mac, sizeof(mac), hex);
			snprintf(out, WEBHOOK_SIGNATURE_LEN, "t=%lld,v1=%s", t, hex);
			rc = 0;
		}
	}
	arena_free(&a);
	return rc;
}

void webhook_classify(long status, struct delivery_result *r)
{
	r->id[0] = '\0';
	r->error[0] = '\0';
	r->http_status = status;
	r->outcome = delivery_outcome_of(status);
	if (r->outcome == DELIVERY_SENT)
		snprintf(r->id, sizeof(r->id), "HTTP %ld", status);
	else
		delivery_fail(r, r->outcome, status, "HTTP %ld from the webhook receiver", status);
}

static void webhook_answer(const struct delivery_response *rs, struct delivery_result *r)
{
	webhook_classify(rs->status, r);
}

static const struct delivery_provider webhook_provider = { "webhook", 0, webhook_answer };

enum delivery_outcome webhook_send(struct delivery_conn *conn, const struct webhook_conf *c,
    const struct webhook_post *p, struct delivery_result *r)
{
	char sig[WEBHOOK_SIGNATURE_LEN], h_sig[128], h_event[64], h_id[64], to[300];
	const char *headers[] = { "Content-Type: application/json", h_sig, h_event, h_id };
	struct arena a;

	arena_init(&a);
	memset(r, 0, sizeof(*r));
	/* The log names the host only: a webhook's path often holds a token. */
	alert_recipient_mask(p->url, to, sizeof(to));
	if (p->secret == NULL || webhook_signature(p->secret, p->now_s, p->body, p->body_len, sig) != 0) {
		delivery_fail(r, DELIVERY_RETRY, 0, "the request could not be signed");
		return delivery_send(conn, &a, &webhook_provider, NULL, to, r);
	}
	snprintf(h_sig, sizeof(h_sig), "Gauge-Signature: %s", sig);
	snprintf(h_event, sizeof(h_event), "Gauge-Event: %s", p->event);
	snprintf(h_id, sizeof(h_id), "Gauge-Delivery: %lld", p->delivery_id);
	return delivery_send(conn, &a, &webhook_provider, &(struct delivery_request){
	    .url = p->url, .headers = headers, .nheaders = 4,
	    .body = p->body, .body_len = p->body_len,
	    .ca_file = c->ca_file, .timeout_s = c->timeout_s,
	    .public_only = !c->allow_private,
	    }, to, r);
}
