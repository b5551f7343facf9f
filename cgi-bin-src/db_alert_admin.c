/*
 * db_alert_admin.c - rule management and the alert log (see db_alert_admin.h).
 */
#include "db_alert_admin.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPT_NUM(x) (isnan(x) ? DB_NULL : DB_DOUBLE(x))

struct id_ctx {
	long long id;
};

static int id_fn(void *ctx, const struct db_row *row)
{
	((struct id_ctx *)ctx)->id = db_row_int(row, 0);
	return 1;
}

static int target_id(struct db *db, long long account_id, const char *table, const char *uid, long long *id)
{
	struct id_ctx c = { 0 };
	int rc = db_query(db, table[0] == 'd' ? "SELECT id FROM devices WHERE account_id = ? AND uid = ?"
	    : "SELECT id FROM device_groups WHERE account_id = ? AND uid = ?",
	    DB_ARGS(DB_INT(account_id), DB_TEXT(uid)), id_fn, &c);

	*id = c.id;
	return rc;
}

int db_alert_rule_create(struct db *db, long long account_id, long long user_id,
    const struct alert_rule_input *in, long long *id)
{
	const struct alert_rule *r = &in->rule;
	long long dev = 0, grp = 0;
	struct db_result res;
	int rc = in->device_uid[0] != '\0' ? target_id(db, account_id, "devices", in->device_uid, &dev)
	    : target_id(db, account_id, "groups", in->group_uid, &grp);

	if (rc != DB_OK || (rc = db_begin(db)) != DB_OK)
		return rc;
	rc = db_exec(db, "INSERT INTO alert_rules (account_id, device_id, group_id, name, channel, kind, threshold, "
	    "threshold_high, clear_threshold, clear_threshold_high, no_data_minutes, min_duration_s, reminder_s, "
	    "notify_clear, enabled, created_by_user_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    DB_ARGS(DB_INT(account_id), dev ? DB_INT(dev) : DB_NULL, grp ? DB_INT(grp) : DB_NULL, DB_TEXT(in->name),
	    DB_TEXT(in->channel), DB_TEXT(alert_kind_name(r->kind)), OPT_NUM(r->threshold), OPT_NUM(r->threshold_high),
	    OPT_NUM(r->clear), OPT_NUM(r->clear_high), r->no_data_ms ? DB_INT(r->no_data_ms / 60000) : DB_NULL,
	    DB_INT(r->min_duration_ms / 1000), r->reminder_ms ? DB_INT(r->reminder_ms / 1000) : DB_NULL,
	    DB_INT(r->notify_clear), DB_INT(in->enabled), user_id ? DB_INT(user_id) : DB_NULL), &res);
	for (size_t i = 0; rc == DB_OK && i < in->nrecipients; i++)
		rc = db_exec(db, "INSERT IGNORE INTO alert_recipients (rule_id, kind, address) VALUES (?, ?, ?)",
		    DB_ARGS(DB_INT((long long)res.insert_id),
		    DB_TEXT(recipient_kind_name(in->recipients[i].kind)),
		    DB_TEXT(in->recipients[i].address)), NULL);
	if (rc == DB_OK && (rc = db_commit(db)) == DB_OK)
		*id = (long long)res.insert_id;
	if (rc != DB_OK)
		db_rollback(db);
	return rc;
}

/* Deletes the rule's evaluation state when in makes it watch something
 * else (kind, channel, device or group): an alarm on the old target must
 * not carry over to the new one. */
static int rule_reset_state(struct db *db, long long rule_id, const struct alert_rule_input *in,
    long long dev, long long grp)
{
	return db_exec(db, "DELETE s FROM alert_state s JOIN alert_rules r ON r.id = s.rule_id "
	    "WHERE r.id = ? AND NOT (r.kind <=> ? AND r.channel <=> ? AND r.device_id <=> ? AND r.group_id <=> ?)",
	    DB_ARGS(DB_INT(rule_id), DB_TEXT(alert_kind_name(in->rule.kind)), DB_TEXT(in->channel),
	    dev ? DB_INT(dev) : DB_NULL, grp ? DB_INT(grp) : DB_NULL), NULL);
}

static int rule_replace(struct db *db, long long rule_id, const struct alert_rule_input *in,
    long long dev, long long grp)
{
	const struct alert_rule *r = &in->rule;
	int rc = db_exec(db, "UPDATE alert_rules SET device_id = ?, group_id = ?, name = ?, channel = ?, kind = ?, "
	    "threshold = ?, threshold_high = ?, clear_threshold = ?, clear_threshold_high = ?, no_data_minutes = ?, "
	    "min_duration_s = ?, reminder_s = ?, notify_clear = ?, "
	    "enabled_at = IF(enabled = 0 AND ? = 1, UTC_TIMESTAMP(3), enabled_at), enabled = ? WHERE id = ?",
	    DB_ARGS(dev ? DB_INT(dev) : DB_NULL, grp ? DB_INT(grp) : DB_NULL, DB_TEXT(in->name),
	    DB_TEXT(in->channel), DB_TEXT(alert_kind_name(r->kind)), OPT_NUM(r->threshold), OPT_NUM(r->threshold_high),
	    OPT_NUM(r->clear), OPT_NUM(r->clear_high), r->no_data_ms ? DB_INT(r->no_data_ms / 60000) : DB_NULL,
	    DB_INT(r->min_duration_ms / 1000), r->reminder_ms ? DB_INT(r->reminder_ms / 1000) : DB_NULL,
	    DB_INT(r->notify_clear), DB_INT(in->enabled), DB_INT(in->enabled), DB_INT(rule_id)), NULL);

	if (rc == DB_OK)
		rc = db_exec(db, "DELETE FROM alert_recipients WHERE rule_id = ?", DB_ARGS(DB_INT(rule_id)), NULL);
	for (size_t i = 0; rc == DB_OK && i < in->nrecipients; i++)
		rc = db_exec(db, "INSERT IGNORE INTO alert_recipients (rule_id, kind, address) VALUES (?, ?, ?)",
		    DB_ARGS(DB_INT(rule_id), DB_TEXT(recipient_kind_name(in->recipients[i].kind)),
		    DB_TEXT(in->recipients[i].address)), NULL);
	return rc;
}

int db_alert_rule_update(struct db *db, long long account_id, long long rule_id,
    const struct alert_rule_input *in, int *no_target)
{
	long long dev = 0, grp = 0;
	int rc = in->device_uid[0] != '\0' ? target_id(db, account_id, "devices", in->device_uid, &dev)
	    : target_id(db, account_id, "groups", in->group_uid, &grp);

	*no_target = rc == DB_NOTFOUND;
	if (rc != DB_OK || (rc = db_begin(db)) != DB_OK)
		return rc;
	/* The row lock keeps a concurrent delete from leaving recipients behind. */
	if ((rc = db_query(db, "SELECT id FROM alert_rules WHERE id = ? AND account_id = ? FOR UPDATE",
	    DB_ARGS(DB_INT(rule_id), DB_INT(account_id)), NULL, NULL)) == DB_OK &&
	    (rc = rule_reset_state(db, rule_id, in, dev, grp)) == DB_OK &&
	    (rc = rule_replace(db, rule_id, in, dev, grp)) == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK)
		db_rollback(db);
	return rc;
}

int db_alert_rule_delete(struct db *db, long long account_id, long long rule_id)
{
	struct db_result res;
	int rc = db_exec(db, "DELETE FROM alert_rules WHERE id = ? AND account_id = ?",
	    DB_ARGS(DB_INT(rule_id), DB_INT(account_id)), &res);

	return rc == DB_OK && res.affected == 0 ? DB_NOTFOUND : rc;
}

/* The typed callback of a query, called by its row function. */
struct typed_ctx {
	union {
		db_alert_rule_fn rule;
		db_alert_event_fn event;
		db_alert_event_row_fn history;
		db_alert_state_fn state;
		db_alert_verify_fn verify;
		db_alert_message_fn message;
	} fn;
	void *ctx;
};

static int rule_row(void *ctx, const struct db_row *row)
{
	struct typed_ctx *c = ctx;
	struct alert_rule_info r = {
		.id = db_row_int(row, 0), .name = db_row_text(row, 1), .channel = db_row_text(row, 2),
		.kind = db_row_text(row, 3), .threshold = db_row_str(row, 4), .threshold_high = db_row_str(row, 5),
		.clear = db_row_str(row, 6), .clear_high = db_row_str(row, 7),
		.no_data_minutes = db_row_str(row, 8), .min_duration_s = db_row_str(row, 9),
		.reminder_s = db_row_str(row, 10), .notify_clear = db_row_int(row, 11) != 0,
		.enabled = db_row_int(row, 12) != 0, .device_uid = db_row_str(row, 13),
		.device_name = db_row_str(row, 14), .group_uid = db_row_str(row, 15),
		.group_name = db_row_str(row, 16), .recipients = db_row_text(row, 17),
	};

	return c->fn.rule(c->ctx, &r);
}

/* The account's rules, or one of them (rule id, 0 for all). */
#define RULES_SQL "SELECT r.id, r.name, r.channel, r.kind, r.threshold, r.threshold_high, " \
	"r.clear_threshold, r.clear_threshold_high, r.no_data_minutes, r.min_duration_s, r.reminder_s, " \
	"r.notify_clear, r.enabled, d.uid, d.name, g.uid, g.name, " \
	"(SELECT GROUP_CONCAT(address ORDER BY id SEPARATOR ', ') FROM alert_recipients WHERE rule_id = r.id) " \
	"FROM alert_rules r LEFT JOIN devices d ON d.id = r.device_id LEFT JOIN device_groups g ON g.id = r.group_id " \
	"WHERE r.account_id = ? AND (? = 0 OR r.id = ?) ORDER BY r.name, r.id"

int db_alert_rules_list(struct db *db, long long account_id, db_alert_rule_fn fn, void *ctx)
{
	struct typed_ctx c = { .fn.rule = fn, .ctx = ctx };

	return db_query_all(db, RULES_SQL, DB_ARGS(DB_INT(account_id), DB_INT(0), DB_INT(0)), rule_row, &c);
}

int db_alert_rule_get(struct db *db, long long account_id, long long rule_id,
    db_alert_rule_fn fn, void *ctx)
{
	struct typed_ctx c = { .fn.rule = fn, .ctx = ctx };

	return db_query(db, RULES_SQL, DB_ARGS(DB_INT(account_id), DB_INT(rule_id), DB_INT(rule_id)), rule_row, &c);
}

/* An event the acknowledge button or POST .../ack acts on: an alarm,
 * no_data or reminder event of the alarm now active and unacknowledged on
 * its rule and device (from that alarm's latest alarm or no_data event on).
 * e is alert_events, s the pair's alert_state. */
#define EVENT_OPEN "COALESCE(e.kind IN ('alarm', 'no_data', 'reminder') AND e.acknowledged_at IS NULL " \
	"AND s.state = 'alarm' AND s.acknowledged_at IS NULL AND e.id >= (SELECT MAX(x.id) FROM alert_events x " \
	"WHERE x.rule_id = e.rule_id AND x.device_id = e.device_id AND x.kind IN ('alarm', 'no_data')), 0)"
#define MS(col) "CAST(UNIX_TIMESTAMP(" col ") * 1000 AS SIGNED)"

static int text_row(void *ctx, const struct db_row *row)
{
	struct alert_rule_text *t = ctx;
	struct { char *dst; size_t cap; size_t col; } cols[] = {
		{ t->name, sizeof(t->name), 1 }, { t->channel, sizeof(t->channel), 2 }, { t->kind, sizeof(t->kind), 3 },
		{ t->threshold, sizeof(t->threshold), 4 }, { t->threshold_high, sizeof(t->threshold_high), 5 },
		{ t->clear_threshold, sizeof(t->clear_threshold), 6 },
		{ t->clear_threshold_high, sizeof(t->clear_threshold_high), 7 },
		{ t->no_data_minutes, sizeof(t->no_data_minutes), 8 }, { t->min_duration_s, sizeof(t->min_duration_s), 9 },
		{ t->reminder_s, sizeof(t->reminder_s), 10 }, { t->device, sizeof(t->device), 13 },
		{ t->group, sizeof(t->group), 15 },
	};

	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		db_row_copy(cols[i].dst, cols[i].cap, row, cols[i].col);
	snprintf(t->notify_clear, sizeof(t->notify_clear), "%s", db_row_int(row, 11) ? "on" : "off");
	snprintf(t->enabled, sizeof(t->enabled), "%s", db_row_int(row, 12) ? "on" : "off");
	return 1;
}

static int address_row(void *ctx, const struct db_row *row)
{
	struct alert_rule_text *t = ctx;
	size_t n = strlen(t->recipients);

	snprintf(t->recipients + n, sizeof(t->recipients) - n, "%s%s", n > 0 ? ", " : "", db_row_text(row, 0));
	return 0;
}

/* The recipients are read on their own: GROUP_CONCAT stops at
 * group_concat_max_len (1024 bytes by default), and a change merged over a
 * cut list would drop recipients without a word. */
int db_alert_rule_text(struct db *db, long long account_id, long long rule_id, struct alert_rule_text *t)
{
	int rc = db_query(db, RULES_SQL, DB_ARGS(DB_INT(account_id), DB_INT(rule_id), DB_INT(rule_id)), text_row, t);

	t->recipients[0] = '\0';
	if (rc == DB_OK)
		rc = db_query_all(db, "SELECT address FROM alert_recipients WHERE rule_id = ? ORDER BY id",
		    DB_ARGS(DB_INT(rule_id)), address_row, t);
	return rc;
}

static int event_row(void *ctx, const struct db_row *row)
{
	struct typed_ctx *c = ctx;
	struct alert_event_info e = {
		db_row_text(row, 0), db_row_text(row, 1), db_row_text(row, 2), db_row_text(row, 3),
		db_row_text(row, 4), db_row_text(row, 5), db_row_text(row, 6), db_row_text(row, 7),
		db_row_text(row, 8), db_row_text(row, 9), db_row_text(row, 10), db_row_text(row, 11),
		db_row_text(row, 12), db_row_text(row, 13), db_row_text(row, 14), db_row_text(row, 15),
	};

	return c->fn.event(c->ctx, &e);
}

int db_alert_log(struct db *db, long long account_id, db_alert_event_fn fn, void *ctx)
{
	struct typed_ctx c = { .fn.event = fn, .ctx = ctx };

	return db_query_all(db, "SELECT e.id, DATE_FORMAT(e.created_at, '%Y-%m-%d %H:%i:%s UTC'), e.kind, e.rule_name, "
	    "e.device_name, e.channel, e.value, e.verify_code, e.rule_id, d.uid, "
	    /* a message that failed for good says why: "HTTP 404 from the webhook receiver" */
	    "(SELECT GROUP_CONCAT(CONCAT(o.recipient, ': ', o.status, IF(o.status = 'failed' AND o.last_error IS NOT NULL, "
	    "CONCAT(' (', o.last_error, ')'), '')) ORDER BY o.id SEPARATOR '; ') "
	    "  FROM alert_outbox o WHERE o.event_id = e.id), " EVENT_OPEN ", "
	    "CONCAT(LEFT(DATE_FORMAT(e.reading_at, '%Y-%m-%d %H:%i:%s.%f'), 23), ' UTC'), e.rule_kind, "
	    "DATE_FORMAT(e.acknowledged_at, '%Y-%m-%d %H:%i:%s UTC'), e.acknowledged_by "
	    "FROM alert_events e LEFT JOIN devices d ON d.id = e.device_id "
	    "LEFT JOIN alert_state s ON s.rule_id = e.rule_id AND s.device_id = e.device_id "
	    "WHERE e.account_id = ? ORDER BY e.id DESC LIMIT 200", DB_ARGS(DB_INT(account_id)), event_row, &c);
}

/* The id of the latest alarm or no_data event of a rule on a device. */
static int alarm_start(struct db *db, long long account_id, long long rule_id, const char *device_uid,
    long long *id)
{
	struct id_ctx c = { 0 };
	int rc = db_query(db, "SELECT COALESCE(MAX(e.id), 0) FROM alert_events e JOIN devices d ON d.id = e.device_id "
	    "WHERE e.account_id = ? AND e.rule_id = ? AND d.uid = ? AND e.kind IN ('alarm', 'no_data')",
	    DB_ARGS(DB_INT(account_id), DB_INT(rule_id), DB_TEXT(device_uid)), id_fn, &c);

	*id = c.id;
	return rc;
}

int db_alert_ack(struct db *db, long long account_id, long long rule_id, const char *device_uid,
    long long user_id, const char *actor)
{
	struct db_result res;
	long long start;
	int rc = db_begin(db);

	if (rc == DB_OK)
		rc = db_exec(db, "UPDATE alert_state s JOIN alert_rules r ON r.id = s.rule_id "
		    "JOIN devices d ON d.id = s.device_id SET s.acknowledged_at = UTC_TIMESTAMP(3), "
		    "s.acknowledged_by_user_id = ? WHERE s.rule_id = ? AND r.account_id = ? AND d.uid = ? "
		    "AND s.state = 'alarm' AND s.acknowledged_at IS NULL",
		    DB_ARGS(user_id ? DB_INT(user_id) : DB_NULL, DB_INT(rule_id), DB_INT(account_id),
		    DB_TEXT(device_uid)), &res);
	if (rc == DB_OK && res.affected == 0)
		rc = DB_NOTFOUND;
	if (rc == DB_OK)
		rc = alarm_start(db, account_id, rule_id, device_uid, &start);
	if (rc == DB_OK)
		rc = db_exec(db, "UPDATE alert_events e JOIN devices d ON d.id = e.device_id "
		    "SET e.acknowledged_at = UTC_TIMESTAMP(3), e.acknowledged_by = ? "
		    "WHERE e.account_id = ? AND e.rule_id = ? AND d.uid = ? AND e.id >= ? "
		    "AND e.kind IN ('alarm', 'no_data', 'reminder') AND e.acknowledged_at IS NULL",
		    DB_ARGS(DB_TEXT(actor), DB_INT(account_id), DB_INT(rule_id), DB_TEXT(device_uid), DB_INT(start)), NULL);
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK)
		db_rollback(db);
	return rc;
}

static int history_row(void *ctx, const struct db_row *row)
{
	struct typed_ctx *c = ctx;
	struct alert_event_row e = {
		.id = db_row_int(row, 0), .kind = db_row_str(row, 1), .rule_kind = db_row_str(row, 2),
		.channel = db_row_str(row, 3), .code = db_row_str(row, 4), .rule_id = db_row_int(row, 5),
		.rule_name = db_row_str(row, 6), .device_uid = db_row_str(row, 7), .device_name = db_row_str(row, 8),
		.has_value = db_row_str(row, 9) != NULL, .reading_at_ms = db_row_int(row, 10),
		.has_reading_at = db_row_str(row, 10) != NULL, .fired_at_ms = db_row_int(row, 11),
		.acked_at_ms = db_row_int(row, 12), .has_acked = db_row_str(row, 12) != NULL,
		.acked_by = db_row_str(row, 13), .open = db_row_int(row, 14) != 0,
		.delivery = { .transport = db_row_str(row, 15), .recipient = db_row_str(row, 16),
			.status = db_row_str(row, 17), .digest_status = db_row_str(row, 18),
			.attempts = db_row_int(row, 19), .last_error = db_row_str(row, 20) },
	};

	e.value = e.has_value ? strtod(db_row_str(row, 9), NULL) : NAN;
	return c->fn.history(c->ctx, &e);
}

/* One statement for every filter: a filter that is off compares with its
 * "any" value.  The page of events is chosen first (the derived table),
 * then joined with its deliveries; a held message reports its digest. */
int db_alert_events(struct db *db, const struct alert_events_filter *f,
    db_alert_event_row_fn fn, void *ctx)
{
	struct typed_ctx c = { .fn.history = fn, .ctx = ctx };

	return db_query_all(db, "SELECT e.id, e.kind, e.rule_kind, e.channel, e.verify_code, e.rule_id, e.rule_name, "
	    "e.device_uid, e.device_name, e.value, " MS("e.reading_at") ", " MS("e.created_at") ", "
	    MS("e.acknowledged_at") ", e.acknowledged_by, e.open, "
	    "o.transport, o.recipient, o.status, dg.status, o.attempts, o.last_error FROM ("
	    "  SELECT e.*, d.uid AS device_uid, " EVENT_OPEN " AS open FROM alert_events e "
	    "  LEFT JOIN devices d ON d.id = e.device_id "
	    "  LEFT JOIN alert_state s ON s.rule_id = e.rule_id AND s.device_id = e.device_id "
	    "  WHERE e.account_id = ? AND e.kind <> 'digest' AND (? = 0 OR e.id = ?) AND (? = 0 OR e.id < ?) "
	    "  AND (? = 0 OR e.created_at >= FROM_UNIXTIME(? / 1000)) AND (? = 0 OR e.created_at < FROM_UNIXTIME(? / 1000)) "
	    "  AND (? = '' OR d.uid = ?) AND (? = 0 OR e.rule_id = ?) "
	    "  AND (? <> 2 OR e.acknowledged_at IS NOT NULL) "
	    "  AND (? <> 3 OR (e.kind IN ('alarm', 'no_data', 'reminder') AND e.acknowledged_at IS NULL)) "
	    "  HAVING (? <> 1 OR open = 1) ORDER BY e.id DESC LIMIT ?) e "
	    "LEFT JOIN alert_outbox o ON o.event_id = e.id AND o.is_digest = 0 "
	    "LEFT JOIN alert_outbox dg ON dg.id = o.digest_id ORDER BY e.id DESC, o.id",
	    DB_ARGS(DB_INT(f->account_id), DB_INT(f->event_id), DB_INT(f->event_id), DB_INT(f->before_id),
	    DB_INT(f->before_id), DB_INT(f->has_from), DB_INT(f->from_ms), DB_INT(f->has_to), DB_INT(f->to_ms),
	    DB_TEXT(f->device_uid), DB_TEXT(f->device_uid), DB_INT(f->rule_id), DB_INT(f->rule_id),
	    DB_INT((long long)f->state), DB_INT((long long)f->state), DB_INT((long long)f->state),
	    DB_INT((long long)f->limit)), history_row, &c);
}

static int state_row(void *ctx, const struct db_row *row)
{
	struct typed_ctx *c = ctx;
	struct alert_state_info st = { db_row_text(row, 0), db_row_text(row, 1), db_row_text(row, 2),
		db_row_text(row, 3), db_row_text(row, 4), db_row_text(row, 5) };

	return c->fn.state(c->ctx, &st);
}

int db_alert_states_of_device(struct db *db, long long account_id, const char *device_uid,
    db_alert_state_fn fn, void *ctx)
{
	struct typed_ctx c = { .fn.state = fn, .ctx = ctx };

	/* A state row written before its first evaluation holds the epoch as
	 * since: that is no time at which anything happened. */
	return db_query_all(db, "SELECT r.name, r.channel, COALESCE(s.state, 'ok'), "
	    "IF(s.since > '1970-01-02', DATE_FORMAT(s.since, '%Y-%m-%d %H:%i:%s UTC'), NULL), "
	    "s.acknowledged_at IS NOT NULL, r.enabled "
	    "FROM alert_rules r JOIN devices d ON d.id = r.device_id OR (r.group_id IS NOT NULL AND d.group_id = r.group_id) "
	    "LEFT JOIN alert_state s ON s.rule_id = r.id AND s.device_id = d.id "
	    "WHERE r.account_id = ? AND d.uid = ? ORDER BY r.name",
	    DB_ARGS(DB_INT(account_id), DB_TEXT(device_uid)), state_row, &c);
}

static int verify_row(void *ctx, const struct db_row *row)
{
	struct typed_ctx *c = ctx;
	struct alert_verify_info v = { db_row_text(row, 0), db_row_text(row, 1), db_row_text(row, 2),
		db_row_text(row, 3), db_row_text(row, 4), db_row_text(row, 5),
		db_row_int(row, 6), db_row_int(row, 7), db_row_int(row, 8),
		db_row_str(row, 6) != NULL, db_row_str(row, 7) != NULL, db_row_str(row, 8) != NULL };

	c->fn.verify(c->ctx, &v);
	return 1;
}

/* Times as epoch ms (the page writes them as the message did). */
int db_alert_verify(struct db *db, const char *code, db_alert_verify_fn fn, void *ctx)
{
	struct typed_ctx c = { .fn.verify = fn, .ctx = ctx };

	return db_query(db, "SELECT kind, rule_name, device_name, channel, value, rule_kind, "
	    "CAST(UNIX_TIMESTAMP(reading_at) * 1000 AS SIGNED), CAST(UNIX_TIMESTAMP(condition_since) * 1000 AS SIGNED), "
	    "CAST(UNIX_TIMESTAMP(created_at) * 1000 AS SIGNED) "
	    "FROM alert_events WHERE verify_code = ?", DB_ARGS(DB_TEXT(code)), verify_row, &c);
}

/* Each message of the event and what became of it.  A held message went
 * out (or not) in a digest: its status is the digest's. */
static int message_row(void *ctx, const struct db_row *row)
{
	struct typed_ctx *c = ctx;
	struct alert_message_info m = { db_row_text(row, 0), db_row_text(row, 1), db_row_text(row, 2),
		db_row_text(row, 3) };

	return c->fn.message(c->ctx, &m);
}

int db_alert_verify_recipients(struct db *db, const char *code, db_alert_message_fn fn, void *ctx)
{
	struct typed_ctx c = { .fn.message = fn, .ctx = ctx };

	return db_query_all(db, "SELECT o.transport, o.recipient, o.status, dg.status FROM alert_outbox o "
	    "JOIN alert_events e ON e.id = o.event_id LEFT JOIN alert_outbox dg ON dg.id = o.digest_id "
	    "WHERE e.verify_code = ? ORDER BY o.id",
	    DB_ARGS(DB_TEXT(code)), message_row, &c);
}
