/*
 * db_outbox.c - gauge-alertd's outbox queries (see db_outbox.h).
 *
 * A row is claimed with a lease in one UPDATE, so two instances never
 * claim the same row, and read back by lease owner.  Times cross the
 * boundary as epoch milliseconds (every connection runs with time_zone
 * '+00:00'); a NULL time reads as 0, as db_alert.c writes one.
 */
#include "db_outbox.h"

#include <stdio.h>
#include <string.h>

/* The columns of an outbox_event, in this order (EVENT_NCOLS of them). */
#define EVENT_COLS "e.verify_code, e.kind, e.rule_name, e.device_name, e.channel, " \
	"IF(e.value IS NULL, NULL, CAST(e.value AS CHAR)), CAST(UNIX_TIMESTAMP(e.reading_at) * 1000 AS SIGNED), " \
	"CAST(UNIX_TIMESTAMP(e.condition_since) * 1000 AS SIGNED), e.rule_kind, e.rule_id, d.uid"
#define EVENT_NCOLS 11
/* The events' devices, for their public ids (gone devices read as NULL). */
#define EVENT_DEVICE "LEFT JOIN devices d ON d.id = e.device_id "

/* The EVENT_COLS block of a row, starting at column o. */
static void event_from_row(struct outbox_event *e, const struct db_row *row, size_t o)
{
	const char *rule_kind = db_row_str(row, o + 8);

	db_row_copy(e->code, sizeof(e->code), row, o);
	db_row_copy(e->kind, sizeof(e->kind), row, o + 1);
	db_row_copy(e->rule, sizeof(e->rule), row, o + 2);
	db_row_copy(e->device, sizeof(e->device), row, o + 3);
	db_row_copy(e->channel, sizeof(e->channel), row, o + 4);
	db_row_copy(e->value, sizeof(e->value), row, o + 5);
	e->at_ms = db_row_int(row, o + 6);
	e->since_ms = db_row_int(row, o + 7);
	e->no_data = rule_kind != NULL && strcmp(rule_kind, "no_data") == 0;
	e->rule_id = db_row_int(row, o + 9);
	db_row_copy(e->device_uid, sizeof(e->device_uid), row, o + 10);
}

/* A sealed secret column into buf, if it is there and fits. */
static size_t sealed_copy(unsigned char *buf, size_t cap, const struct db_row *row, size_t col)
{
	if (row->cols[col] == NULL || row->lens[col] > cap)
		return 0;
	memcpy(buf, row->cols[col], row->lens[col]);
	return row->lens[col];
}

int db_outbox_recover(struct db *db, unsigned long long *n)
{
	struct db_result r = { 0 };
	int rc = db_exec(db, "UPDATE alert_outbox SET status = 'unknown', lease_owner = NULL, "
	    "last_error = 'interrupted while sending; the provider may have delivered it' "
	    "WHERE status = 'sending' AND lease_until < UTC_TIMESTAMP(3)", NULL, 0, &r);

	*n = rc == DB_OK ? r.affected : 0;
	return rc;
}

struct claim_ctx {
	struct outbox_row *rows;
	size_t max, n;
};

static int claim_row(void *ctx, const struct db_row *row)
{
	struct claim_ctx *c = ctx;
	struct outbox_row *it;

	if (c->n == c->max)
		return 1;
	it = &c->rows[c->n++];
	memset(it, 0, sizeof(*it));
	it->id = db_row_int(row, 0);
	it->transport = recipient_kind_parse(db_row_str(row, 1));
	db_row_copy(it->recipient, sizeof(it->recipient), row, 2);
	it->attempts = (unsigned)db_row_int(row, 3);
	it->digest = db_row_int(row, 4) != 0;
	event_from_row(&it->event, row, 5);
	it->account_id = db_row_int(row, 5 + EVENT_NCOLS);
	db_row_copy(it->tw_sid, sizeof(it->tw_sid), row, 6 + EVENT_NCOLS);
	db_row_copy(it->tw_from, sizeof(it->tw_from), row, 7 + EVENT_NCOLS);
	it->tw_token_len = sealed_copy(it->tw_token, sizeof(it->tw_token), row, 8 + EVENT_NCOLS);
	it->wh_secret_len = sealed_copy(it->wh_secret, sizeof(it->wh_secret), row, 9 + EVENT_NCOLS);
	return 0;
}

int db_outbox_claim(struct db *db, const char *me, unsigned lease_s,
    struct outbox_row *rows, size_t max, size_t *n)
{
	struct claim_ctx c = { rows, max, 0 };
	int rc = db_exec(db, "UPDATE alert_outbox SET lease_owner = ?, lease_until = UTC_TIMESTAMP(3) + INTERVAL ? SECOND "
	    "WHERE status = 'pending' AND next_attempt_at <= UTC_TIMESTAMP(3) "
	    "AND (lease_until IS NULL OR lease_until < UTC_TIMESTAMP(3)) ORDER BY id LIMIT ?",
	    DB_ARGS(DB_TEXT(me), DB_INT(lease_s), DB_INT((long long)max)), NULL);

	*n = 0;
	if (rc != DB_OK)
		return rc;
	rc = db_query_all(db, "SELECT o.id, o.transport, o.recipient, o.attempts, o.is_digest, " EVENT_COLS ", "
	    "e.account_id, COALESCE(a.twilio_account_sid, ''), COALESCE(a.twilio_from_number, ''), a.twilio_auth_token_enc, "
	    "a.webhook_secret_enc FROM alert_outbox o JOIN alert_events e ON e.id = o.event_id " EVENT_DEVICE
	    "JOIN accounts a ON a.id = e.account_id "
	    "WHERE o.lease_owner = ? AND o.status = 'pending' AND o.lease_until > UTC_TIMESTAMP(3) ORDER BY o.id",
	    DB_ARGS(DB_TEXT(me)), claim_row, &c);
	*n = c.n;
	return rc;
}

int db_outbox_sending(struct db *db, long long id, const char *me)
{
	struct db_result r = { 0 };
	int rc = db_exec(db, "UPDATE alert_outbox SET status = 'sending', attempts = attempts + 1 "
	    "WHERE id = ? AND lease_owner = ? AND status = 'pending'",
	    DB_ARGS(DB_INT(id), DB_TEXT(me)), &r);

	return rc == DB_OK && r.affected == 0 ? DB_NOTFOUND : rc;
}

int db_outbox_sent(struct db *db, long long id, const char *provider_id)
{
	return db_exec(db, "UPDATE alert_outbox SET status = 'sent', sent_at = UTC_TIMESTAMP(3), "
	    "provider_message_id = ?, last_error = NULL, lease_owner = NULL, lease_until = NULL WHERE id = ?",
	    DB_ARGS(DB_TEXT(provider_id), DB_INT(id)), NULL);
}

int db_outbox_failed(struct db *db, long long id, const char *error)
{
	return db_exec(db, "UPDATE alert_outbox SET status = 'failed', last_error = ?, "
	    "lease_owner = NULL, lease_until = NULL WHERE id = ?",
	    DB_ARGS(DB_TEXT(error), DB_INT(id)), NULL);
}

int db_outbox_retry(struct db *db, long long id, const char *error, long long delay_us)
{
	return db_exec(db, "UPDATE alert_outbox SET status = 'pending', last_error = ?, lease_owner = NULL, "
	    "lease_until = NULL, next_attempt_at = UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND WHERE id = ?",
	    DB_ARGS(DB_TEXT(error), DB_INT(delay_us), DB_INT(id)), NULL);
}

struct digest_ctx {
	struct outbox_event *events;
	size_t n;
};

static int digest_row(void *ctx, const struct db_row *row)
{
	struct digest_ctx *d = ctx;

	if (d->n == OUTBOX_DIGEST_MAX)
		return 1;
	memset(&d->events[d->n], 0, sizeof(d->events[0]));
	event_from_row(&d->events[d->n++], row, 0);
	return 0;
}

int db_outbox_digest_events(struct db *db, long long digest_id,
    struct outbox_event *events, size_t *n)
{
	struct digest_ctx d = { events, 0 };
	int rc = db_query(db, "SELECT " EVENT_COLS " FROM alert_outbox o JOIN alert_events e ON e.id = o.event_id "
	    EVENT_DEVICE "WHERE o.digest_id = ? ORDER BY e.id", DB_ARGS(DB_INT(digest_id)), digest_row, &d);

	*n = d.n;
	return rc;
}

struct held_ctx {
	struct outbox_held *held;
	size_t max, n;
};

static int held_row(void *ctx, const struct db_row *row)
{
	struct held_ctx *h = ctx;
	struct outbox_held *it;

	if (h->n == h->max)
		return 1;
	it = &h->held[h->n++];
	db_row_copy(it->recipient, sizeof(it->recipient), row, 0);
	db_row_copy(it->transport, sizeof(it->transport), row, 1);
	it->first_event = db_row_int(row, 2);
	return 0;
}

int db_outbox_held(struct db *db, unsigned interval_s, unsigned budget_per_hour,
    struct outbox_held *held, size_t max, size_t *n)
{
	struct held_ctx h = { held, max, 0 };
	int rc = db_query_all(db, "SELECT recipient, transport, MIN(event_id) FROM alert_outbox o WHERE status = 'held' "
	    "GROUP BY recipient, transport HAVING MIN(created_at) < UTC_TIMESTAMP(3) - INTERVAL ? SECOND "
	    "OR (SELECT COUNT(*) FROM alert_outbox x WHERE x.recipient = o.recipient "
	    "AND x.created_at > UTC_TIMESTAMP(3) - INTERVAL 1 HOUR AND x.status NOT IN ('held', 'digested')) < ?",
	    DB_ARGS(DB_INT(interval_s), DB_INT(budget_per_hour)), held_row, &h);

	*n = h.n;
	return rc;
}

int db_outbox_fold(struct db *db, const struct outbox_held *h)
{
	struct db_result res;
	int rc;

	if ((rc = db_begin(db)) == DB_OK &&
	    (rc = db_exec(db, "INSERT INTO alert_outbox (event_id, transport, recipient, status, is_digest) "
	    "VALUES (?, ?, ?, 'pending', 1)", DB_ARGS(DB_INT(h->first_event), DB_TEXT(h->transport),
	    DB_TEXT(h->recipient)), &res)) == DB_OK &&
	    (rc = db_exec(db, "UPDATE alert_outbox SET status = 'digested', digest_id = ? "
	    "WHERE recipient = ? AND transport = ? AND status = 'held'",
	    DB_ARGS(DB_INT((long long)res.insert_id), DB_TEXT(h->recipient), DB_TEXT(h->transport)), NULL)) == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK)
		db_rollback(db);
	return rc;
}
