/*
 * alertd_deliver.c - sending the outbox.
 *
 * Every instance delivers.  A row is claimed with a lease (one UPDATE, so
 * two instances never claim the same row), marked "sending" and committed
 * before the provider is called, then marked sent, retried later with a
 * doubling delay, or failed for good when the provider says it never will
 * succeed (a rejected address, a bad number).
 *
 * A row found still "sending" after its lease ran out was interrupted
 * mid-request (the process died): the provider may well have delivered it,
 * and neither SES nor Twilio can be asked or given an idempotency key, so
 * it is marked "unknown" and shown to operators rather than sent twice.
 * Webhooks follow the same rule (a receiver may have acted on the POST),
 * though their body carries the row's id for receivers that deduplicate.
 *
 * The queries are db_outbox.c's; this file decides what to send and when.
 */
#include <math.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert_message.h"
#include "alertd.h"
#include "conf.h"
#include "db.h"
#include "db_outbox.h"
#include "log.h"
#include "reading.h"
#include "secretbox.h"
#include "send_http.h"
#include "send_mail.h"
#include "send_twilio.h"
#include "send_webhook.h"
#include "ts.h"

#define CLAIM_BATCH 20

/* The row's event in the shape alert_message.c writes from; times as the
 * API writes them (ISO 8601 with milliseconds), NULL when unknown. */
struct event_text {
	char at[TS_LEN], since[TS_LEN];
};

static void view_of(const struct outbox_event *e, struct event_text *t, struct alert_event_view *v)
{
	if (e->at_ms != 0)
		ts_format(e->at_ms, t->at);
	if (e->since_ms != 0)
		ts_format(e->since_ms, t->since);
	v->code = e->code;
	v->kind = e->kind;
	v->rule_name = e->rule;
	v->device_name = e->device;
	v->channel = e->channel;
	v->value = e->value[0] != '\0' ? e->value : NULL;
	v->reading_at = e->at_ms != 0 ? t->at : NULL;
	v->since = e->since_ms != 0 ? t->since : NULL;
	v->no_data = e->no_data;
	v->rule_id = e->rule_id;
	v->device_uid = e->device_uid;
}

struct digest {
	struct outbox_event events[OUTBOX_DIGEST_MAX];
	struct event_text texts[OUTBOX_DIGEST_MAX];
	struct alert_event_view views[OUTBOX_DIGEST_MAX];
};

/* Subject and body for one outbox row (a webhook's body is JSON). */
static int compose(struct alertd *ad, const struct outbox_row *it, char *subject, size_t slen,
    char *body, size_t blen)
{
	struct alert_event_view v;
	struct event_text t;
	struct digest *d;
	int sms = it->transport == RECIPIENT_SMS, hook = it->transport == RECIPIENT_WEBHOOK;
	size_t n = 0;
	int rc;

	if (!it->digest) {
		view_of(&it->event, &t, &v);
		if (hook)
			return alert_message_webhook(&v, 1, 0, it->id, ad->conf->base_url, body, blen) > 0 ? 0 : -1;
		if (sms)
			alert_message_sms(&v, ad->conf->base_url, body, blen);
		else
			alert_message_email(&v, ad->conf->base_url, subject, slen, body, blen);
		return 0;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return -1;
	if ((rc = db_outbox_digest_events(ad->db, it->id, d->events, &n)) == DB_OK) {
		for (size_t i = 0; i < n; i++)
			view_of(&d->events[i], &d->texts[i], &d->views[i]);
		if (hook && alert_message_webhook(d->views, n, 1, it->id, ad->conf->base_url, body, blen) == 0)
			rc = DB_ERROR;
		else if (!hook)
			alert_message_digest(d->views, n, ad->conf->base_url, sms, subject, slen, body, blen);
	}
	free(d);
	return rc == DB_OK ? 0 : -1;
}

static enum delivery_outcome send_sms(struct alertd *ad, const struct outbox_row *it, const char *text,
    struct delivery_result *res)
{
	char token[129], aad[TWILIO_AAD_LEN];
	size_t len = 0;
	struct twilio_conf tc = { 0 };
	struct twilio_sms sms = { it->recipient, text };
	enum delivery_outcome out;

	twilio_token_aad(it->account_id, aad);
	if (ad->box == NULL || it->tw_sid[0] == '\0' || it->tw_token_len == 0 ||
	    secretbox_open(ad->box, it->tw_token, it->tw_token_len, aad, strlen(aad),
	    (unsigned char *)token, &len) != 0 || len >= sizeof(token)) {
		delivery_fail(res, DELIVERY_PERMANENT, 0, "the account has no usable Twilio settings");
		delivery_log("twilio", it->recipient, res);
		return DELIVERY_PERMANENT;
	}
	token[len] = '\0';
	tc.endpoint = ad->conf->twilio_endpoint;
	tc.account_sid = it->tw_sid;
	tc.auth_token = token;
	tc.from = it->tw_from;
	tc.ca_file = ad->conf->twilio_ca_file;
	out = twilio_send(ad->conn, &tc, &sms, res);
	OPENSSL_cleanse(token, sizeof(token));
	return out;
}

/* The account's secret, unsealed only for the moment of signing. */
static enum delivery_outcome send_hook(struct alertd *ad, const struct outbox_row *it, const char *body,
    struct delivery_result *res)
{
	char secret[OUTBOX_WEBHOOK_SECRET_MAX + 1], aad[WEBHOOK_AAD_LEN];
	size_t len = 0;
	struct webhook_conf wc = { ad->conf->alertd_webhook_ca_file, ad->conf->alertd_webhook_allow_private != 0, 0 };
	enum delivery_outcome out;

	webhook_secret_aad(it->account_id, aad);
	if (ad->box == NULL || it->wh_secret_len == 0 ||
	    secretbox_open(ad->box, it->wh_secret, it->wh_secret_len, aad, strlen(aad),
	    (unsigned char *)secret, &len) != 0 || len >= sizeof(secret)) {
		delivery_fail(res, DELIVERY_PERMANENT, 0, "the account has no usable webhook secret");
		delivery_log("webhook", "(the account's webhook)", res);
		return DELIVERY_PERMANENT;
	}
	secret[len] = '\0';
	out = webhook_send(ad->conn, &wc, &(struct webhook_post){ .url = it->recipient, .secret = secret,
	    .event = it->digest ? "digest" : it->event.kind, .delivery_id = it->id,
	    .body = body, .body_len = strlen(body), .now_s = time(NULL) }, res);
	OPENSSL_cleanse(secret, sizeof(secret));
	return out;
}

/* The provider's answer, recorded: sent, due again later, or failed. */
static int record(struct alertd *ad, const struct outbox_row *it, enum delivery_outcome out,
    const struct delivery_result *res)
{
	unsigned attempts = it->attempts + 1;
	double delay_s;

	if (out == DELIVERY_SENT)
		return db_outbox_sent(ad->db, it->id, res->id);
	if (out == DELIVERY_PERMANENT || attempts >= ad->conf->alertd_max_attempts)
		return db_outbox_failed(ad->db, it->id, res->error);
	/* Doubling delays, capped at 30 minutes. */
	delay_s = fmin(ad->conf->alertd_retry_base_ms / 1000.0 * pow(2, attempts - 1), 1800);
	return db_outbox_retry(ad->db, it->id, res->error, (long long)(delay_s * 1e6));
}

static int deliver_one(struct alertd *ad, const struct outbox_row *it)
{
	static char subject[300], body[65536];   /* a webhook digest of 50 events fits */
	struct delivery_result res;
	enum delivery_outcome out;
	int rc;

	/* Committed before the provider is called: a crash from here on leaves
	 * the row "sending", which recovery turns into "unknown", never a resend. */
	if ((rc = db_outbox_sending(ad->db, it->id, ad->me)) != DB_OK)
		return rc;
	memset(&res, 0, sizeof(res));
	if (compose(ad, it, subject, sizeof(subject), body, sizeof(body)) != 0) {
		delivery_fail(&res, DELIVERY_RETRY, 0, "the message could not be composed");
		out = DELIVERY_RETRY;
	} else if (it->transport == RECIPIENT_WEBHOOK) {
		out = send_hook(ad, it, body, &res);
	} else if (it->transport == RECIPIENT_SMS) {
		out = send_sms(ad, it, body, &res);
	} else {
		out = mail_send(&ad->mail, it->recipient, subject, body, &res);
	}
	return record(ad, it, out, &res);
}

/* Rows left "sending" by a process that died mid-request. */
static void recover_interrupted(struct alertd *ad)
{
	unsigned long long n;

	if (db_outbox_recover(ad->db, &n) == DB_OK && n > 0)
		log_warn("%llu alert message(s) were interrupted mid-send; marked unknown, not resent", n);
}

int alertd_deliver(struct alertd *ad, long long now_ms)
{
	struct outbox_row *rows = calloc(CLAIM_BATCH, sizeof(*rows));
	size_t n = 0;
	int rc;

	(void)now_ms;
	if (rows == NULL)
		return -1;
	recover_interrupted(ad);
	do {
		if ((rc = db_outbox_claim(ad->db, ad->me, ad->conf->alertd_send_lease_s, rows, CLAIM_BATCH, &n)) != DB_OK)
			break;
		for (size_t i = 0; i < n; i++)
			(void)deliver_one(ad, &rows[i]);
	} while (n == CLAIM_BATCH);
	free(rows);
	return rc == DB_OK ? 0 : -1;
}

/* Folds a recipient's held alerts into one digest once the hourly budget
 * has room again, or after alertd.digest_interval_s at the latest. */
int alertd_make_digests(struct alertd *ad)
{
	struct outbox_held held[CLAIM_BATCH];
	size_t n = 0;

	if (db_outbox_held(ad->db, ad->conf->alertd_digest_interval_s, ad->conf->alertd_budget_per_hour,
	    held, CLAIM_BATCH, &n) != DB_OK)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (db_outbox_fold(ad->db, &held[i]) != DB_OK)
			return -1;
		log_info("digest of held alerts queued for %s", held[i].recipient);
	}
	return 0;
}
