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
 */
#include <math.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert_message.h"
#include "alertd.h"
#include "conf.h"
#include "db.h"
#include "delivery.h"
#include "log.h"
#include "mail.h"
#include "reading.h"
#include "secretbox.h"
#include "ts.h"
#include "twilio.h"

#define CLAIM_BATCH 20
#define EVENT_NCOLS 9     /* columns in EVENT_COLS */
#define DIGEST_MAX  50

struct outbox_item {
	long long id, account_id;
	int sms, digest;
	unsigned attempts;
	char recipient[255];
	char code[33], kind[16], rule[101], device[101], channel[READING_CHANNEL_LEN + 1], value[32];
	char at[TS_LEN], since[TS_LEN];     /* the reading's time; condition held since */
	int no_data;
	char tw_sid[64], tw_from[24];
	unsigned char tw_token[SECRETBOX_SEALED_LEN(128)];
	size_t tw_token_len;
};

struct claim_ctx {
	struct outbox_item items[CLAIM_BATCH];
	size_t n;
};

static void col(char *dst, size_t len, const struct db_row *row, size_t i)
{
	const char *s = db_row_str(row, i);

	snprintf(dst, len, "%s", s != NULL ? s : "");
}

/* An epoch-ms column as ISO 8601 with milliseconds, as the API writes
 * times; "" when NULL. */
static void ms_col(char dst[TS_LEN], const struct db_row *row, size_t i)
{
	if (db_row_str(row, i) == NULL)
		dst[0] = '\0';
	else
		ts_format(db_row_int(row, i), dst);
}

/* The EVENT_COLS block of a row, starting at column o. */
static void event_cols(struct outbox_item *it, const struct db_row *row, size_t o)
{
	col(it->code, sizeof(it->code), row, o);
	col(it->kind, sizeof(it->kind), row, o + 1);
	col(it->rule, sizeof(it->rule), row, o + 2);
	col(it->device, sizeof(it->device), row, o + 3);
	col(it->channel, sizeof(it->channel), row, o + 4);
	col(it->value, sizeof(it->value), row, o + 5);
	ms_col(it->at, row, o + 6);
	ms_col(it->since, row, o + 7);
	it->no_data = db_row_str(row, o + 8) != NULL && strcmp(db_row_str(row, o + 8), "no_data") == 0;
}

static int claim_row(void *ctx, const struct db_row *row)
{
	struct claim_ctx *c = ctx;
	struct outbox_item *it;

	if (c->n == CLAIM_BATCH)
		return 1;
	it = &c->items[c->n++];
	memset(it, 0, sizeof(*it));
	it->id = db_row_int(row, 0);
	it->sms = strcmp(db_row_str(row, 1), "sms") == 0;
	col(it->recipient, sizeof(it->recipient), row, 2);
	it->attempts = (unsigned)db_row_int(row, 3);
	it->digest = db_row_int(row, 4) != 0;
	event_cols(it, row, 5);
	it->account_id = db_row_int(row, 5 + EVENT_NCOLS);
	col(it->tw_sid, sizeof(it->tw_sid), row, 6 + EVENT_NCOLS);
	col(it->tw_from, sizeof(it->tw_from), row, 7 + EVENT_NCOLS);
	if (row->cols[8 + EVENT_NCOLS] != NULL && row->lens[8 + EVENT_NCOLS] <= sizeof(it->tw_token)) {
		memcpy(it->tw_token, row->cols[8 + EVENT_NCOLS], row->lens[8 + EVENT_NCOLS]);
		it->tw_token_len = row->lens[8 + EVENT_NCOLS];
	}
	return 0;
}

#define EVENT_COLS "e.verify_code, e.kind, e.rule_name, e.device_name, e.channel, " \
	"IF(e.value IS NULL, NULL, CAST(e.value AS CHAR)), CAST(UNIX_TIMESTAMP(e.reading_at) * 1000 AS SIGNED), " \
	"CAST(UNIX_TIMESTAMP(e.condition_since) * 1000 AS SIGNED), e.rule_kind"

static int claim(struct alertd *ad, struct claim_ctx *c)
{
	int rc = db_exec(ad->db, "UPDATE alert_outbox SET lease_owner = ?, lease_until = UTC_TIMESTAMP(3) + INTERVAL ? SECOND "
	    "WHERE status = 'pending' AND next_attempt_at <= UTC_TIMESTAMP(3) "
	    "AND (lease_until IS NULL OR lease_until < UTC_TIMESTAMP(3)) ORDER BY id LIMIT ?",
	    DB_ARGS(DB_TEXT(ad->me), DB_INT(ad->conf->alertd_send_lease_s), DB_INT(CLAIM_BATCH)), NULL);

	c->n = 0;
	if (rc != DB_OK)
		return rc;
	rc = db_query(ad->db, "SELECT o.id, o.transport, o.recipient, o.attempts, o.is_digest, " EVENT_COLS ", "
	    "e.account_id, COALESCE(a.twilio_account_sid, ''), COALESCE(a.twilio_from_number, ''), a.twilio_auth_token_enc "
	    "FROM alert_outbox o JOIN alert_events e ON e.id = o.event_id JOIN accounts a ON a.id = e.account_id "
	    "WHERE o.lease_owner = ? AND o.status = 'pending' AND o.lease_until > UTC_TIMESTAMP(3) ORDER BY o.id",
	    DB_ARGS(DB_TEXT(ad->me)), claim_row, c);
	return rc == DB_NOTFOUND ? DB_OK : rc;
}

static void view_of(const struct outbox_item *it, struct alert_event_view *v)
{
	v->code = it->code;
	v->kind = it->kind;
	v->rule_name = it->rule;
	v->device_name = it->device;
	v->channel = it->channel;
	v->value = it->value[0] != '\0' ? it->value : NULL;
	v->reading_at = it->at[0] != '\0' ? it->at : NULL;
	v->since = it->since[0] != '\0' ? it->since : NULL;
	v->no_data = it->no_data;
}

struct digest_ctx {
	struct outbox_item items[DIGEST_MAX];
	struct alert_event_view views[DIGEST_MAX];
	size_t n;
};

static int digest_row(void *ctx, const struct db_row *row)
{
	struct digest_ctx *d = ctx;
	struct outbox_item *it = &d->items[d->n];

	if (d->n == DIGEST_MAX)
		return 1;
	memset(it, 0, sizeof(*it));
	event_cols(it, row, 0);
	view_of(it, &d->views[d->n++]);
	return 0;
}

/* Subject and body for one outbox row. */
static int compose(struct alertd *ad, const struct outbox_item *it, char *subject, size_t slen,
    char *body, size_t blen)
{
	struct alert_event_view v;
	struct digest_ctx *d;
	int rc;

	if (!it->digest) {
		view_of(it, &v);
		if (it->sms)
			alert_message_sms(&v, ad->conf->base_url, body, blen);
		else
			alert_message_email(&v, ad->conf->base_url, subject, slen, body, blen);
		return 0;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return -1;
	rc = db_query(ad->db, "SELECT " EVENT_COLS " FROM alert_outbox o JOIN alert_events e ON e.id = o.event_id "
	    "WHERE o.digest_id = ? ORDER BY e.id", DB_ARGS(DB_INT(it->id)), digest_row, d);
	if (rc == DB_OK)
		alert_message_digest(d->views, d->n, ad->conf->base_url, it->sms, subject, slen, body, blen);
	free(d);
	return rc == DB_OK ? 0 : -1;
}

static enum delivery_outcome send_sms(struct alertd *ad, const struct outbox_item *it, const char *text,
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

/* The provider's answer, recorded: sent, due again later, or failed. */
static int record(struct alertd *ad, const struct outbox_item *it, enum delivery_outcome out,
    const struct delivery_result *res)
{
	unsigned attempts = it->attempts + 1;
	double delay_s;

	if (out == DELIVERY_SENT)
		return db_exec(ad->db, "UPDATE alert_outbox SET status = 'sent', sent_at = UTC_TIMESTAMP(3), "
		    "provider_message_id = ?, last_error = NULL, lease_owner = NULL, lease_until = NULL WHERE id = ?",
		    DB_ARGS(DB_TEXT(res->id), DB_INT(it->id)), NULL);
	if (out == DELIVERY_PERMANENT || attempts >= ad->conf->alertd_max_attempts)
		return db_exec(ad->db, "UPDATE alert_outbox SET status = 'failed', last_error = ?, "
		    "lease_owner = NULL, lease_until = NULL WHERE id = ?",
		    DB_ARGS(DB_TEXT(res->error), DB_INT(it->id)), NULL);
	/* Doubling delays, capped at 30 minutes. */
	delay_s = fmin(ad->conf->alertd_retry_base_ms / 1000.0 * pow(2, attempts - 1), 1800);
	return db_exec(ad->db, "UPDATE alert_outbox SET status = 'pending', last_error = ?, lease_owner = NULL, "
	    "lease_until = NULL, next_attempt_at = UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND WHERE id = ?",
	    DB_ARGS(DB_TEXT(res->error), DB_INT((long long)(delay_s * 1e6)), DB_INT(it->id)), NULL);
}

static int deliver_one(struct alertd *ad, const struct outbox_item *it)
{
	static char subject[300], body[8192];
	struct delivery_result res;
	struct db_result r;
	enum delivery_outcome out;

	/* Committed before the provider is called: a crash from here on leaves
	 * the row "sending", which recovery turns into "unknown", never a resend. */
	if (db_exec(ad->db, "UPDATE alert_outbox SET status = 'sending', attempts = attempts + 1 "
	    "WHERE id = ? AND lease_owner = ? AND status = 'pending'",
	    DB_ARGS(DB_INT(it->id), DB_TEXT(ad->me)), &r) != DB_OK || r.affected == 0)
		return -1;
	memset(&res, 0, sizeof(res));
	if (compose(ad, it, subject, sizeof(subject), body, sizeof(body)) != 0) {
		delivery_fail(&res, DELIVERY_RETRY, 0, "the message could not be composed");
		out = DELIVERY_RETRY;
	} else if (it->sms) {
		out = send_sms(ad, it, body, &res);
	} else {
		out = mail_send(ad->conf, it->recipient, subject, body, &res);
	}
	return record(ad, it, out, &res);
}

/* Rows left "sending" by a process that died mid-request. */
static void recover_interrupted(struct alertd *ad)
{
	struct db_result r;

	if (db_exec(ad->db, "UPDATE alert_outbox SET status = 'unknown', lease_owner = NULL, "
	    "last_error = 'interrupted while sending; the provider may have delivered it' "
	    "WHERE status = 'sending' AND lease_until < UTC_TIMESTAMP(3)", NULL, 0, &r) == DB_OK && r.affected > 0)
		log_warn("%llu alert message(s) were interrupted mid-send; marked unknown, not resent", r.affected);
}

int alertd_deliver(struct alertd *ad, long long now_ms)
{
	struct claim_ctx *c = calloc(1, sizeof(*c));
	int rc;

	(void)now_ms;
	if (c == NULL)
		return -1;
	recover_interrupted(ad);
	do {
		if ((rc = claim(ad, c)) != DB_OK)
			break;
		for (size_t i = 0; i < c->n; i++)
			(void)deliver_one(ad, &c->items[i]);
	} while (c->n == CLAIM_BATCH);
	free(c);
	return rc == DB_OK ? 0 : -1;
}

struct held_ctx {
	char recipient[CLAIM_BATCH][255];
	char transport[CLAIM_BATCH][8];
	long long event[CLAIM_BATCH];
	size_t n;
};

static int held_row(void *ctx, const struct db_row *row)
{
	struct held_ctx *h = ctx;

	if (h->n == CLAIM_BATCH)
		return 1;
	col(h->recipient[h->n], sizeof(h->recipient[0]), row, 0);
	col(h->transport[h->n], sizeof(h->transport[0]), row, 1);
	h->event[h->n++] = db_row_int(row, 2);
	return 0;
}

/* Folds a recipient's held alerts into one digest once the hourly budget
 * has room again, or after alertd.digest_interval_s at the latest. */
int alertd_make_digests(struct alertd *ad)
{
	struct held_ctx h = { .n = 0 };
	int rc = db_query(ad->db, "SELECT recipient, transport, MIN(event_id) FROM alert_outbox o WHERE status = 'held' "
	    "GROUP BY recipient, transport HAVING MIN(created_at) < UTC_TIMESTAMP(3) - INTERVAL ? SECOND "
	    "OR (SELECT COUNT(*) FROM alert_outbox x WHERE x.recipient = o.recipient "
	    "AND x.created_at > UTC_TIMESTAMP(3) - INTERVAL 1 HOUR AND x.status NOT IN ('held', 'digested')) < ?",
	    DB_ARGS(DB_INT(ad->conf->alertd_digest_interval_s), DB_INT(ad->conf->alertd_budget_per_hour)), held_row, &h);

	if (rc != DB_OK)
		return rc == DB_NOTFOUND ? 0 : -1;
	for (size_t i = 0; i < h.n; i++) {
		struct db_result res;

		if ((rc = db_begin(ad->db)) == DB_OK &&
		    (rc = db_exec(ad->db, "INSERT INTO alert_outbox (event_id, transport, recipient, status, is_digest) "
		    "VALUES (?, ?, ?, 'pending', 1)", DB_ARGS(DB_INT(h.event[i]), DB_TEXT(h.transport[i]),
		    DB_TEXT(h.recipient[i])), &res)) == DB_OK &&
		    (rc = db_exec(ad->db, "UPDATE alert_outbox SET status = 'digested', digest_id = ? "
		    "WHERE recipient = ? AND transport = ? AND status = 'held'",
		    DB_ARGS(DB_INT((long long)res.insert_id), DB_TEXT(h.recipient[i]), DB_TEXT(h.transport[i])), NULL)) == DB_OK)
			rc = db_commit(ad->db);
		if (rc != DB_OK) {
			db_rollback(ad->db);
			return -1;
		}
		log_info("digest of held alerts queued for %s", h.recipient[i]);
	}
	return 0;
}
