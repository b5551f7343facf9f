/*
 * api_readings.c - /api/v1/devices/{device}/readings and /latest.
 *
 * POST stores a validated batch (201), GET pages, downsamples or exports,
 * DELETE removes a time range (account keys only, audited before it runs).
 * There is no PUT or PATCH: a stored reading is never modified.
 */
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "api_json.h"
#include "app.h"
#include "db_account.h"
#include "handlers.h"
#include "ingest.h"
#include "readings_out.h"
#include "req.h"
#include "resp.h"
#include "store_readings.h"
#include "ts.h"

/* ?precision=s|ms: what a ts given as a number counts (default ms). */
static int ingest_unit_or_reply(struct api_ctx *c, enum ts_unit *unit)
{
	const char *p = req_param(c->r, "precision");

	*unit = TS_UNIT_MS;
	if (p != NULL && ts_unit_parse(p, unit) != 0)
		return api_error(c->rs, 400, "bad_param", "precision: must be s or ms");
	return 0;
}

static int ingest_parse_or_reply(struct api_ctx *c, long long now_ms, struct batch *b)
{
	struct ingest_error e;
	int rc;
	enum ts_unit unit;

	if ((rc = ingest_unit_or_reply(c, &unit)) != 0)
		return rc;
	if (c->r->media == MEDIA_JSON)
		rc = ingest_parse_json(&c->r->arena, c->r->body, c->r->body_len, now_ms, unit, b, &e);
	else if (c->r->media == MEDIA_FORM)
		rc = ingest_parse_form(&c->r->arena, &c->r->form, now_ms, unit, b, &e);
	else
		return api_error(c->rs, 415, "unsupported_media_type",
		    "Send readings as application/json or application/x-www-form-urlencoded.");
	if (rc == 0)
		return 0;
	return api_error_at(c->rs, e.status, e.code, e.pointer, "%s", e.message);
}

int api_readings_ingest(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct api_ctx c;
	struct batch b;
	struct ingest_result res;
	struct ingest_error e;
	long long now = ts_now_ms();
	char body[160], at[TS_LEN];
	int st, n;

	if ((st = api_begin_device_or_reply(&c, app, r, rs, m->params[0], API_WRITE)) != 0)
		return st;
	if ((st = ingest_parse_or_reply(&c, now, &b)) != 0)
		return st;
	if (ingest_store(app->store, c.dev.id, &b, now, &res, &e) != 0)
		return api_error(rs, e.status, e.code, "%s", e.message);
	/* The answer every device waits for, written without a json-c tree:
	 * two counts and a time, nothing that needs escaping. */
	ts_format(now, at);
	n = snprintf(body, sizeof(body), "{\"stored\":%zu,\"duplicates\":%zu,\"received_at\":\"%s\"}",
	    res.stored, res.duplicates, at);
	return api_send_text(rs, 201, body, (size_t)n);
}

int api_readings_query(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct api_ctx c;
	struct readings_query q;
	struct query_error err;
	int st;

	if ((st = api_begin_device_or_reply(&c, app, r, rs, m->params[0], API_READ)) != 0)
		return st;
	if (readings_query_parse(r, c.dev.id, ts_now_ms(), &q, &err) != 0)
		return api_error(rs, 400, "bad_param", "%s: %s", err.param, err.message);
	if (q.interval_ms > 0)
		return readings_out_buckets(app->store, rs, c.dev.uid, &q);
	if (q.csv)
		return readings_out_csv(app->store, rs, c.dev.uid, &q);
	return readings_out_page(app->store, rs, c.dev.uid, &q);
}

struct latest_ctx {
	struct json_object *reading;
};

static int latest_doc(void *ctx, const bson_t *doc)
{
	((struct latest_ctx *)ctx)->reading = readings_json(doc);
	return 1;
}

int api_readings_latest(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct api_ctx c;
	struct latest_ctx l = { NULL };
	struct json_object *o;
	int st;

	if ((st = api_begin_device_or_reply(&c, app, r, rs, m->params[0], API_READ)) != 0)
		return st;
	if (r->query.n > 0)
		return api_error(rs, 400, "bad_param", "latest takes no parameters");
	if (store_readings_latest(app->store, c.dev.id, latest_doc, &l) != STORE_OK)
		return api_error(rs, 503, "unavailable", "Readings are temporarily unavailable. Try again.");
	o = json_object_new_object();
	json_object_object_add(o, "device", json_object_new_string(c.dev.uid));
	json_object_object_add(o, "reading", l.reading);
	return api_send(rs, 200, o);
}

/* DELETE ...readings?from=&to= : both bounds are required, so deleting a
 * device's whole history is always an explicit, visible choice. */
static int delete_range_or_reply(struct api_ctx *c, struct store_range *range)
{
	const char *from = req_param(c->r, "from"), *to = req_param(c->r, "to");

	for (size_t i = 0; i < c->r->query.n; i++)
		if (strcmp(c->r->query.items[i].key, "from") != 0 && strcmp(c->r->query.items[i].key, "to") != 0)
			return api_error(c->rs, 400, "bad_param", "unknown parameter '%.40s'",
			    c->r->query.items[i].key);
	if (from == NULL || to == NULL)
		return api_error(c->rs, 400, "bad_param", "from and to are both required");
	if (ts_parse(from, &range->from_ms) != 0 || ts_parse(to, &range->to_ms) != 0)
		return api_error(c->rs, 400, "bad_param",
		    "from and to must be ISO 8601 with a zone or epoch milliseconds");
	if (range->from_ms >= range->to_ms)
		return api_error(c->rs, 400, "bad_param", "from must be before to");
	return 0;
}

static int delete_audit(struct api_ctx *c, const struct store_range *range, long long *audit_id)
{
	char detail[2 * TS_LEN + 32], f[TS_LEN], t[TS_LEN];
	struct audit_entry e = { .account_id = c->dev.account_id, .actor_key_id = c->key.id,
		.actor_label = api_actor(c), .action = "readings.delete", .target_type = "device",
		.target_id = c->dev.uid, .detail_json = detail, .ip = c->r->remote_addr };

	ts_format(range->from_ms, f);
	ts_format(range->to_ms, t);
	snprintf(detail, sizeof(detail), "{\"from\":\"%s\",\"to\":\"%s\"}", f, t);
	return db_audit_id(c->app->db, &e, audit_id);
}

int api_readings_delete(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct api_ctx c;
	struct store_range range = { 0, 0, 0, NULL, 0 };
	long long deleted, audit_id;
	struct json_object *o;
	char detail[200];
	int st;

	if ((st = api_begin_device_admin_or_reply(&c, app, r, rs, m->params[0])) != 0)
		return st;
	if ((st = delete_range_or_reply(&c, &range)) != 0)
		return st;
	range.device_id = c.dev.id;
	/* The audit record comes first: no delete can happen unrecorded. */
	if (delete_audit(&c, &range, &audit_id) != DB_OK)
		return api_error(rs, 503, "unavailable", "Nothing was deleted: the audit log is unavailable.");
	if (store_readings_delete(app->store, &range, &deleted) != STORE_OK)
		return api_error(rs, 503, "unavailable", "The delete did not complete; try again.");
	snprintf(detail, sizeof(detail), "%lld", deleted);
	db_audit_set_result(app->db, audit_id, detail);
	o = json_object_new_object();
	json_object_object_add(o, "deleted", json_object_new_int64(deleted));
	json_object_object_add(o, "from", api_time(range.from_ms));
	json_object_object_add(o, "to", api_time(range.to_ms));
	return api_send(rs, 200, o);
}
