/*
 * db_alert.c - gauge-alertd's MySQL queries (see db_alert.h).
 *
 * Times cross the boundary as epoch milliseconds; every connection runs
 * with time_zone '+00:00', so UNIX_TIMESTAMP/FROM_UNIXTIME are exact.
 */
#include "db_alert.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define MS(col) "CAST(UNIX_TIMESTAMP(" col ") * 1000 AS SIGNED)"

static double row_num(const struct db_row *row, size_t i)
{
	const char *s = db_row_str(row, i);

	return s != NULL ? strtod(s, NULL) : NAN;
}

static int rule_row(void *ctx, const struct db_row *row)
{
	struct alert_set *set = ctx;
	struct alert_rule_row *r, *grown = realloc(set->rules, (set->nrules + 1) * sizeof(*grown));
	int kind;

	if (grown == NULL)
		return 1;
	set->rules = grown;
	r = &set->rules[set->nrules];
	memset(r, 0, sizeof(*r));
	r->id = db_row_int(row, 0);
	r->account_id = db_row_int(row, 1);
	snprintf(r->name, sizeof(r->name), "%s", db_row_str(row, 2));
	snprintf(r->channel, sizeof(r->channel), "%s", db_row_str(row, 3));
	kind = alert_kind_parse(db_row_str(row, 4));
	r->rule.kind = kind >= 0 ? (enum alert_kind)kind : ALERT_ABOVE;
	r->rule.threshold = row_num(row, 5);
	r->rule.threshold_high = row_num(row, 6);
	r->rule.clear = row_num(row, 7);
	r->rule.clear_high = row_num(row, 8);
	r->rule.no_data_ms = db_row_int(row, 9) * 60000LL;
	r->rule.min_duration_ms = db_row_int(row, 10) * 1000LL;
	r->rule.reminder_ms = db_row_int(row, 11) * 1000LL;
	r->rule.notify_clear = db_row_int(row, 12) != 0;
	r->enabled_ms = db_row_int(row, 13);
	if (alert_rule_normalise(&r->rule) != 0) {
		log_warn("alert rule %lld is not valid; skipped", r->id);
		return 0;
	}
	set->nrules++;
	return 0;
}

static struct alert_rule_row *rule_by_id(struct alert_set *set, long long id, size_t *idx)
{
	for (size_t i = 0; i < set->nrules; i++)
		if (set->rules[i].id == id) {
			if (idx != NULL)
				*idx = i;
			return &set->rules[i];
		}
	return NULL;
}

static int recipient_row(void *ctx, const struct db_row *row)
{
	struct alert_rule_row *r = rule_by_id(ctx, db_row_int(row, 0), NULL);
	struct alert_recipient *rc;

	if (r == NULL || r->nrecipients == ALERT_RECIPIENTS_MAX)
		return 0;
	rc = &r->recipients[r->nrecipients++];
	rc->kind = recipient_kind_parse(db_row_str(row, 1));
	snprintf(rc->address, sizeof(rc->address), "%s", db_row_str(row, 2));
	return 0;
}

static int pair_row(void *ctx, const struct db_row *row)
{
	struct alert_set *set = ctx;
	struct alert_pair *p, *grown;
	size_t idx;

	if (rule_by_id(set, db_row_int(row, 0), &idx) == NULL)
		return 0;
	if ((grown = realloc(set->pairs, (set->npairs + 1) * sizeof(*grown))) == NULL)
		return 1;
	set->pairs = grown;
	p = &set->pairs[set->npairs++];
	memset(p, 0, sizeof(*p));
	p->rule = idx;
	p->device_id = db_row_int(row, 1);
	snprintf(p->device_name, sizeof(p->device_name), "%s", db_row_str(row, 2));
	if (db_row_str(row, 3) != NULL) {
		const char *st = db_row_str(row, 3);

		p->track.state = strcmp(st, "alarm") == 0 ? ALERT_ALARM : strcmp(st, "pending") == 0 ? ALERT_PENDING : ALERT_OK;
		p->track.since_ms = db_row_int(row, 4);
		p->track.last_value = row_num(row, 5);
		p->track.last_reading_ms = db_row_int(row, 6);
		p->track.last_notified_ms = db_row_int(row, 7);
		p->track.acknowledged = db_row_int(row, 8) != 0;
		p->track.condition_ms = db_row_int(row, 9);
	}
	return 0;
}

int db_alert_load(struct db *db, struct alert_set *set)
{
	int rc;

	memset(set, 0, sizeof(*set));
	rc = db_query_all(db, "SELECT id, account_id, name, channel, kind, threshold, threshold_high, "
	    "clear_threshold, clear_threshold_high, COALESCE(no_data_minutes, 0), min_duration_s, "
	    "COALESCE(reminder_s, 0), notify_clear, COALESCE(" MS("enabled_at") ", 0) "
	    "FROM alert_rules WHERE enabled = 1 ORDER BY id",
	    NULL, 0, rule_row, set);
	if (rc == DB_OK)
		rc = db_query_all(db, "SELECT p.rule_id, p.kind, p.address FROM alert_recipients p "
		    "JOIN alert_rules r ON r.id = p.rule_id WHERE r.enabled = 1 ORDER BY p.id", NULL, 0, recipient_row, set);
	if (rc == DB_OK)
		rc = db_query_all(db, "SELECT r.id, d.id, d.name, s.state, " MS("s.since") ", s.last_value, "
		    "COALESCE(" MS("s.last_reading_at") ", 0), COALESCE(" MS("s.last_notified_at") ", 0), "
		    "s.acknowledged_at IS NOT NULL, " MS("COALESCE(s.condition_since, s.since)") " FROM alert_rules r "
		    "JOIN devices d ON d.id = r.device_id OR (r.group_id IS NOT NULL AND d.group_id = r.group_id) "
		    "LEFT JOIN alert_state s ON s.rule_id = r.id AND s.device_id = d.id "
		    "WHERE r.enabled = 1 ORDER BY r.id, d.id", NULL, 0, pair_row, set);
	return rc;
}

void alert_set_free(struct alert_set *set)
{
	free(set->rules);
	free(set->pairs);
	memset(set, 0, sizeof(*set));
}

/* acknowledged_at is assigned first, while state and since still hold the
 * stored episode: an acknowledgement survives only within the same alarm,
 * including one a user gave while this cycle was running. */
int db_alert_save_track(struct db *db, long long rule_id, const struct alert_pair *p)
{
	const struct alert_track *t = &p->track;
	const long long notified = t->last_notified_ms, reading = t->last_reading_ms;
	/* The condition's start means something only while it holds. */
	const long long cond = t->state == ALERT_OK ? 0 : t->condition_ms;

	return db_exec(db, "INSERT INTO alert_state (rule_id, device_id, state, since, condition_since, last_value, "
	    "last_reading_at, last_notified_at) VALUES (?, ?, ?, FROM_UNIXTIME(? / 1000), "
	    "IF(? = 0, NULL, FROM_UNIXTIME(? / 1000)), ?, "
	    "IF(? = 0, NULL, FROM_UNIXTIME(? / 1000)), IF(? = 0, NULL, FROM_UNIXTIME(? / 1000))) "
	    "ON DUPLICATE KEY UPDATE "
	    "acknowledged_at = IF(state = VALUES(state) AND since = VALUES(since), acknowledged_at, NULL), "
	    "state = VALUES(state), since = VALUES(since), condition_since = VALUES(condition_since), "
	    "last_value = VALUES(last_value), "
	    "last_reading_at = VALUES(last_reading_at), last_notified_at = VALUES(last_notified_at)",
	    DB_ARGS(DB_INT(rule_id), DB_INT(p->device_id), DB_TEXT(alert_state_name(t->state)),
	    DB_INT(t->since_ms), DB_INT(cond), DB_INT(cond), isnan(t->last_value) ? DB_NULL : DB_DOUBLE(t->last_value),
	    DB_INT(reading), DB_INT(reading), DB_INT(notified), DB_INT(notified)), NULL);
}

static int int_fn(void *ctx, const struct db_row *row)
{
	*(long long *)ctx = db_row_int(row, 0);
	return 1;
}

int db_alertd_get(struct db *db, const char *name, long long *value)
{
	return db_query(db, "SELECT value FROM alertd_state WHERE name = ?", DB_ARGS(DB_TEXT(name)), int_fn, value);
}

int db_alertd_set(struct db *db, const char *name, long long value)
{
	char v[24];

	snprintf(v, sizeof(v), "%lld", value);
	return db_exec(db, "INSERT INTO alertd_state (name, value) VALUES (?, ?) "
	    "ON DUPLICATE KEY UPDATE value = VALUES(value)", DB_ARGS(DB_TEXT(name), DB_TEXT(v)), NULL);
}

struct owner_ctx {
	const char *me;
	int *leader;
};

static int owner_fn(void *ctx, const struct db_row *row)
{
	struct owner_ctx *c = ctx;

	*c->leader = strcmp(db_row_str(row, 0), c->me) == 0;
	return 1;
}

int db_alertd_lease(struct db *db, const char *me, unsigned lease_s, int *leader)
{
	struct owner_ctx c = { me, leader };
	int rc;

	*leader = 0;
	/* value is assigned first, so updated_at refreshes only when we hold it. */
	rc = db_exec(db, "INSERT INTO alertd_state (name, value) VALUES ('leader', ?) ON DUPLICATE KEY UPDATE "
	    "value = IF(value = VALUES(value) OR updated_at < UTC_TIMESTAMP(3) - INTERVAL ? SECOND, VALUES(value), value), "
	    "updated_at = IF(value = VALUES(value), UTC_TIMESTAMP(3), updated_at)",
	    DB_ARGS(DB_TEXT(me), DB_INT(lease_s)), NULL);
	if (rc == DB_OK)
		rc = db_query_all(db, "SELECT value FROM alertd_state WHERE name = 'leader'", NULL, 0, owner_fn, &c);
	return rc;
}

int db_alertd_lease_release(struct db *db, const char *me)
{
	return db_exec(db, "UPDATE alertd_state SET updated_at = '1970-01-01' "
	    "WHERE name = 'leader' AND value = ?", DB_ARGS(DB_TEXT(me)), NULL);
}

int db_alertd_still_leader(struct db *db, const char *me, int *leader)
{
	struct owner_ctx c = { me, leader };
	int rc;

	*leader = 0;
	rc = db_query_all(db, "SELECT value FROM alertd_state WHERE name = 'leader' FOR UPDATE", NULL, 0, owner_fn, &c);
	return rc;
}

/* MD5's first 64 bits per pair, XORed: order-free, and a NULL is written
 * apart from any value ('-'), so no two rule sets print the same. */
#define RULES_FINGERPRINT "SELECT CONCAT(COUNT(*), ':', COALESCE(BIT_XOR(CAST(CONV(LEFT(MD5(CONCAT_WS('|', " \
	"r.id, d.id, r.kind, r.channel, IFNULL(r.threshold, '-'), IFNULL(r.threshold_high, '-'), " \
	"IFNULL(r.clear_threshold, '-'), IFNULL(r.clear_threshold_high, '-'), IFNULL(r.no_data_minutes, '-'), " \
	"r.min_duration_s, IFNULL(r.reminder_s, '-'), r.notify_clear, IFNULL(" MS("r.enabled_at") ", '-'))), 16), 16, 10) " \
	"AS UNSIGNED)), 0)) FROM alert_rules r " \
	"JOIN devices d ON d.id = r.device_id OR (r.group_id IS NOT NULL AND d.group_id = r.group_id) WHERE r.enabled = 1"

static int fingerprint_fn(void *ctx, const struct db_row *row)
{
	snprintf(ctx, ALERTD_FINGERPRINT_LEN, "%s", db_row_str(row, 0) != NULL ? db_row_str(row, 0) : "");
	return 1;
}

int db_alert_fingerprint(struct db *db, char out[ALERTD_FINGERPRINT_LEN])
{
	out[0] = '\0';
	return db_query(db, RULES_FINGERPRINT, NULL, 0, fingerprint_fn, out);
}

static int probe_fn(void *ctx, const struct db_row *row)
{
	struct alertd_probe *p = ctx;

	fingerprint_fn(p->rules, row);
	p->due = db_row_int(row, 1) != 0;
	p->stale = db_row_int(row, 2) != 0;
	p->held = db_row_int(row, 3) != 0;
	return 1;
}

int db_alertd_probe(struct db *db, struct alertd_probe *p)
{
	memset(p, 0, sizeof(*p));
	return db_query(db, "SELECT (" RULES_FINGERPRINT "), "
	    "EXISTS (SELECT 1 FROM alert_outbox WHERE status = 'pending' AND next_attempt_at <= UTC_TIMESTAMP(3)), "
	    "EXISTS (SELECT 1 FROM alert_outbox WHERE status = 'sending' AND lease_until < UTC_TIMESTAMP(3)), "
	    "EXISTS (SELECT 1 FROM alert_outbox WHERE status = 'held')", NULL, 0, probe_fn, p);
}

struct oid_ctx {
	db_oid_fn fn;
	void *ctx;
};

static int oid_fn(void *ctx, const struct db_row *row)
{
	struct oid_ctx *c = ctx;

	if (row->lens[0] == 12)
		return c->fn(c->ctx, (const unsigned char *)row->cols[0]);
	return 0;
}

int db_alertd_seen(struct db *db, long long since_ms, db_oid_fn fn, void *ctx)
{
	struct oid_ctx c = { fn, ctx };
	int rc = db_query_all(db, "SELECT reading_oid FROM alertd_seen WHERE received_at >= FROM_UNIXTIME(? / 1000)",
	    DB_ARGS(DB_INT(since_ms)), oid_fn, &c);

	return rc;
}

#define SEEN_ROWS_MAX 256
#define SEEN_HEAD "INSERT IGNORE INTO alertd_seen (reading_oid, received_at) VALUES "
#define SEEN_ROW  "(?, FROM_UNIXTIME(? / 1000))"

/* One multi-row INSERT for up to SEEN_ROWS_MAX rows.  The row count is
 * rounded up to a power of two by repeating the last row (INSERT IGNORE
 * drops the copy), so nine statement texts, each prepared once and cached,
 * serve every cycle. */
static int mark_seen_chunk(struct db *db, const struct alertd_seen_row *rows, size_t n)
{
	char sql[sizeof(SEEN_HEAD) + SEEN_ROWS_MAX * sizeof(", " SEEN_ROW)];
	struct db_val args[2 * SEEN_ROWS_MAX];
	size_t k = 1, len = sizeof(SEEN_HEAD) - 1;

	while (k < n)
		k *= 2;
	memcpy(sql, SEEN_HEAD, len);
	for (size_t i = 0; i < k; i++) {
		const struct alertd_seen_row *r = &rows[i < n ? i : n - 1];

		len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%s" SEEN_ROW, i > 0 ? ", " : "");
		args[2 * i] = DB_BLOB(r->oid, sizeof(r->oid));
		args[2 * i + 1] = DB_INT(r->received_ms);
	}
	return db_exec(db, sql, args, 2 * k, NULL);
}

int db_alertd_mark_seen(struct db *db, const struct alertd_seen_row *rows, size_t n)
{
	int rc = DB_OK;

	for (size_t i = 0; rc == DB_OK && i < n; i += SEEN_ROWS_MAX)
		rc = mark_seen_chunk(db, rows + i, n - i < SEEN_ROWS_MAX ? n - i : SEEN_ROWS_MAX);
	return rc;
}

int db_alertd_prune_seen(struct db *db, long long before_ms)
{
	return db_exec(db, "DELETE FROM alertd_seen WHERE received_at < FROM_UNIXTIME(? / 1000)",
	    DB_ARGS(DB_INT(before_ms)), NULL);
}

static int recent_count(struct db *db, const char *recipient, long long *n)
{
	return db_query(db, "SELECT COUNT(*) FROM alert_outbox WHERE recipient = ? "
	    "AND created_at > UTC_TIMESTAMP(3) - INTERVAL 1 HOUR AND status NOT IN ('held', 'digested')",
	    DB_ARGS(DB_TEXT(recipient)), int_fn, n);
}

int db_alert_event(struct db *db, const struct alert_rule_row *rule, const struct alert_pair *p,
    const char *kind, const struct alert_fact *f, const char *code, unsigned budget_per_hour)
{
	struct db_result res;
	int rc = db_exec(db, "INSERT INTO alert_events (verify_code, account_id, rule_id, device_id, device_name, "
	    "rule_name, channel, kind, rule_kind, value, reading_at, condition_since) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, IF(? = 0, NULL, FROM_UNIXTIME(? / 1000)), "
	    "IF(? = 0, NULL, FROM_UNIXTIME(? / 1000)))",
	    DB_ARGS(DB_TEXT(code), DB_INT(rule->account_id), DB_INT(rule->id), DB_INT(p->device_id),
	    DB_TEXT(p->device_name), DB_TEXT(rule->name), DB_TEXT(rule->channel), DB_TEXT(kind),
	    DB_TEXT(alert_kind_name(rule->rule.kind)), isnan(f->value) ? DB_NULL : DB_DOUBLE(f->value),
	    DB_INT(f->reading_ms), DB_INT(f->reading_ms), DB_INT(f->since_ms), DB_INT(f->since_ms)), &res);

	for (size_t i = 0; rc == DB_OK && i < rule->nrecipients; i++) {
		const struct alert_recipient *to = &rule->recipients[i];
		long long sent = 0;

		if ((rc = recent_count(db, to->address, &sent)) != DB_OK)
			break;
		rc = db_exec(db, "INSERT INTO alert_outbox (event_id, transport, recipient, status) VALUES (?, ?, ?, ?)",
		    DB_ARGS(DB_INT((long long)res.insert_id), DB_TEXT(recipient_kind_name(to->kind)),
		    DB_TEXT(to->address), DB_TEXT(sent >= budget_per_hour ? "held" : "pending")), NULL);
	}
	return rc;
}
