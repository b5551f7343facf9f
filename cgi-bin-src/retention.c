/*
 * retention.c - data retention's rule and its prune pass (see retention.h).
 *
 * The pass reads the list of devices with a window first, then works on
 * them one by one: the list is small beside the readings, and MySQL's
 * connection is needed for the audit log while it works.  Per device:
 *   1. the oldest reading before the cutoff (one indexed query); none: next;
 *   2. the audit record, "readings.delete" by "retention", with the range
 *      from that reading's time to the cutoff: no delete happens unrecorded;
 *   3. deletes of at most pass->batch readings each, oldest first, until
 *      none is left (store_readings_delete_batch);
 *   4. the record's result: how many were deleted.
 * A reading's own time (t) decides, not when it was received: "older than
 * 30 days" is about when it was measured, and a backfilled old reading is
 * due at once.
 */
#include "retention.h"

#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "db.h"
#include "db_account.h"
#include "db_retention.h"
#include "log.h"
#include "store.h"
#include "store_readings.h"
#include "ts.h"

const char RETENTION_DAYS_RULE[] =
    "Retention is a whole number of days from 1 to 36500, or empty (null in the API) to keep readings forever.";

static int days_ok(long long n)
{
	return n >= RETENTION_DAYS_MIN && n <= RETENTION_DAYS_MAX;
}

int retention_days_parse(const char *s, int *days)
{
	long long n = 0;

	*days = 0;
	if (s == NULL)
		return 0;
	if (*s == '\0')
		return 1;
	for (const char *p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || p - s >= 9)
			return 0;
		n = n * 10 + (*p - '0');
	}
	if (!days_ok(n))
		return 0;
	*days = (int)n;
	return 1;
}

int retention_days_json(struct json_object *v, int *days)
{
	*days = 0;
	if (v == NULL)
		return 1;
	if (!json_object_is_type(v, json_type_int) || !days_ok(json_object_get_int64(v)))
		return 0;
	*days = (int)json_object_get_int64(v);
	return 1;
}

const char *retention_detail(int days, char out[RETENTION_DETAIL_LEN])
{
	if (days > 0)
		snprintf(out, RETENTION_DETAIL_LEN, "{\"retention_days\":%d}", days);
	else
		snprintf(out, RETENTION_DETAIL_LEN, "{\"retention_days\":null}");
	return out;
}

struct device_list {
	struct retention_device *v;
	size_t n, cap;
	int oom;                    /* the list is short: stop, prune nothing */
};

static int device_add(void *ctx, const struct retention_device *d)
{
	struct device_list *l = ctx;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct retention_device *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL)
			return l->oom = 1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *d;
	return 0;
}

static int oldest_doc(void *ctx, const bson_t *doc)
{
	struct store_reading_view v;

	store_reading_view(doc, &v);
	*(long long *)ctx = v.ts_ms;
	return 1;
}

/* Step 2: the record, before anything is deleted. */
static int prune_audit(struct db *db, const struct retention_pruned *p, long long *audit_id)
{
	char detail[2 * TS_LEN + 64], f[TS_LEN], t[TS_LEN];
	struct audit_entry e = { .account_id = p->dev->account_id, .actor_label = "retention",
		.action = "readings.delete", .target_type = "device", .target_id = p->dev->uid,
		.detail_json = detail };

	ts_format(p->from_ms, f);
	ts_format(p->to_ms, t);
	snprintf(detail, sizeof(detail), "{\"from\":\"%s\",\"to\":\"%s\",\"retention_days\":%d}",
	    f, t, p->dev->days);
	return db_audit_id(db, &e, audit_id);
}

/* Steps 1 to 4 for one device: p->status says how it ended. */
static void prune_device(struct db *db, struct store *store, const struct retention_pass *pass,
    struct retention_pruned *p)
{
	struct store_range due = { p->dev->id, LLONG_MIN, p->to_ms, NULL, 0 };
	long long audit_id, n = 0;
	char result[96];

	p->from_ms = LLONG_MIN;
	if (store_readings_find(store, &due, 0, NULL, 1, oldest_doc, &p->from_ms) != STORE_OK) {
		p->status = RETENTION_STORE;
		return;
	}
	if (p->from_ms == LLONG_MIN)
		return;         /* nothing due */
	if (prune_audit(db, p, &audit_id) != DB_OK) {
		p->status = RETENTION_DB;
		return;
	}
	do {
		if (store_readings_delete_batch(store, p->dev->id, p->to_ms, pass->batch, &n) != STORE_OK) {
			p->status = RETENTION_STORE;
			break;
		}
		p->batches++;
		p->deleted += n;
	} while ((size_t)n == pass->batch);
	if (p->status == RETENTION_OK)
		snprintf(result, sizeof(result), "%lld", p->deleted);
	else
		snprintf(result, sizeof(result), "%lld (stopped: MongoDB failed; the next pass goes on)", p->deleted);
	if (db_audit_set_result(db, audit_id, result) != DB_OK)
		log_warn("retention: the audit record %lld has no count (%s deleted %lld)",
		    audit_id, p->dev->uid, p->deleted);
}

int retention_prune(struct db *db, struct store *store, struct retention_pass *pass)
{
	struct device_list l = { NULL, 0, 0, 0 };
	int locked, rc = RETENTION_OK;

	pass->devices = pass->pruned = pass->deleted = 0;
	if (pass->batch == 0)
		pass->batch = 1;
	if (db_retention_lock(db, &locked) != DB_OK)
		return RETENTION_DB;
	if (!locked)
		return RETENTION_BUSY;
	if (db_retention_devices(db, device_add, &l) != DB_OK || l.oom) {
		rc = RETENTION_DB;
		goto out;
	}
	pass->devices = (long long)l.n;
	for (size_t i = 0; i < l.n && rc != RETENTION_STORE; i++) {
		struct retention_pruned p = { .dev = &l.v[i],
			.to_ms = pass->now_ms - (long long)l.v[i].days * 86400000LL };

		prune_device(db, store, pass, &p);
		if (p.status != RETENTION_OK)
			rc = p.status;
		if (p.batches == 0 && p.status == RETENTION_OK)
			continue;       /* nothing was due */
		pass->pruned += p.batches > 0;
		pass->deleted += p.deleted;
		if (pass->report != NULL)
			pass->report(pass->ctx, &p);
	}
out:
	(void)db_retention_unlock(db);
	free(l.v);
	return rc;
}
