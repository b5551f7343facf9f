/*
 * api_alert_events.c - the alert history through the API, account keys only:
 *   GET  /api/v1/alert-events              events newest first, filtered and
 *                                          paged with a next link like readings
 *   POST /api/v1/alert-events/{event}/ack  acknowledge the alarm an event
 *                                          belongs to (no more reminders)
 * The acknowledgement is the dashboard's: the same database function and
 * the same audit record (alert.acknowledge on the device, the rule in the
 * detail).  Recipients are masked as the public verification page masks
 * them (alert_recipient_mask()).
 */
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alert_events_query.h"
#include "alert_rule.h"
#include "api.h"
#include "api_json.h"
#include "app.h"
#include "db_account.h"
#include "db_alert_admin.h"
#include "handlers.h"
#include "req.h"
#include "resp.h"
#include "valid.h"

struct events_ctx {
	struct json_object *events;     /* the array sent */
	struct json_object *deliveries; /* of the last event added */
	long long last_id;
	size_t n;
};

static struct json_object *opt_string(const char *s)
{
	return s != NULL ? json_object_new_string(s) : NULL;
}

static struct json_object *event_delivery_json(const struct alert_delivery_row *d)
{
	struct json_object *o = json_object_new_object();
	char masked[300];

	alert_recipient_mask(d->recipient, masked, sizeof(masked));
	json_object_object_add(o, "channel", json_object_new_string(d->transport));
	json_object_object_add(o, "recipient", json_object_new_string(masked));
	json_object_object_add(o, "status", json_object_new_string(d->status));
	json_object_object_add(o, "digest_status", strcmp(d->status, "digested") == 0 && d->digest_status != NULL
	    ? json_object_new_string(d->digest_status) : NULL);
	json_object_object_add(o, "attempts", json_object_new_int64(d->attempts));
	json_object_object_add(o, "last_error", opt_string(d->last_error));
	return o;
}

static struct json_object *event_json(const struct alert_event_row *e, struct json_object **deliveries)
{
	struct json_object *o = json_object_new_object(), *rule = json_object_new_object(),
	    *dev = json_object_new_object();
	char verify[48];

	json_object_object_add(rule, "id", e->rule_id != 0 ? json_object_new_int64(e->rule_id) : NULL);
	json_object_object_add(rule, "name", json_object_new_string(e->rule_name));
	json_object_object_add(dev, "id", opt_string(e->device_uid));
	json_object_object_add(dev, "name", json_object_new_string(e->device_name));
	snprintf(verify, sizeof(verify), "/verify/%s", e->code);
	json_object_object_add(o, "id", json_object_new_int64(e->id));
	json_object_object_add(o, "kind", json_object_new_string(e->kind));
	json_object_object_add(o, "rule", rule);
	json_object_object_add(o, "device", dev);
	json_object_object_add(o, "channel", json_object_new_string(e->channel));
	json_object_object_add(o, "rule_kind", opt_string(e->rule_kind));
	json_object_object_add(o, "value", e->has_value ? api_number(e->value) : NULL);
	json_object_object_add(o, "reading_at", e->has_reading_at ? api_time(e->reading_at_ms) : NULL);
	json_object_object_add(o, "fired_at", api_time(e->fired_at_ms));
	json_object_object_add(o, "code", json_object_new_string(e->code));
	json_object_object_add(o, "verify", json_object_new_string(verify));
	json_object_object_add(o, "open", json_object_new_boolean(e->open));
	json_object_object_add(o, "acknowledged_at", e->has_acked ? api_time(e->acked_at_ms) : NULL);
	json_object_object_add(o, "acknowledged_by", opt_string(e->acked_by));
	*deliveries = json_object_new_array();
	json_object_object_add(o, "deliveries", *deliveries);
	return o;
}

/* Rows come one per delivery, an event's rows together. */
static int event_row(void *ctx, const struct alert_event_row *e)
{
	struct events_ctx *c = ctx;

	if (c->n == 0 || e->id != c->last_id) {
		json_object_array_add(c->events, event_json(e, &c->deliveries));
		c->last_id = e->id;
		c->n++;
	}
	if (e->delivery.transport != NULL)
		json_object_array_add(c->deliveries, event_delivery_json(&e->delivery));
	return 0;
}

/* The same query after the last event of a full page; NULL after the last
 * page.  Only digits, ids and fixed words go into it: no escaping. */
static struct json_object *events_next(const struct alert_events_filter *f, const struct events_ctx *c)
{
	char link[512], cursor[ALERT_EVENTS_CURSOR_LEN];
	int n;

	if (c->n < f->limit)
		return NULL;
	alert_events_cursor_format(c->last_id, cursor);
	n = snprintf(link, sizeof(link), "/api/v1/alert-events?limit=%zu&cursor=%s", f->limit, cursor);
	if (f->has_from)
		n += snprintf(link + n, sizeof(link) - (size_t)n, "&from=%lld", f->from_ms);
	if (f->has_to)
		n += snprintf(link + n, sizeof(link) - (size_t)n, "&to=%lld", f->to_ms);
	if (f->device_uid[0] != '\0')
		n += snprintf(link + n, sizeof(link) - (size_t)n, "&device=%s", f->device_uid);
	if (f->rule_id != 0)
		n += snprintf(link + n, sizeof(link) - (size_t)n, "&rule=%lld", f->rule_id);
	if (f->state != ALERT_EVENTS_ANY)
		snprintf(link + n, sizeof(link) - (size_t)n, "&state=%s", alert_events_state_name(f->state));
	return json_object_new_string(link);
}

int api_alert_events_list(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct api_ctx c;
	struct alert_events_filter f;
	struct query_error err;
	struct events_ctx ev = { NULL, NULL, 0, 0 };
	struct json_object *o;
	int st;

	(void)m;
	if ((st = api_begin_account_or_reply(&c, app, r, rs)) != 0)
		return st;
	if (alert_events_query_parse(r, &f, &err) != 0)
		return api_error(rs, 400, "bad_param", "%s: %s", err.param, err.message);
	f.account_id = c.key.account_id;
	ev.events = json_object_new_array();
	if (db_alert_events(app->db, &f, event_row, &ev) != DB_OK) {
		json_object_put(ev.events);
		return api_error(rs, 503, "unavailable", "The alert history is temporarily unavailable. Try again.");
	}
	o = json_object_new_object();
	json_object_object_add(o, "events", ev.events);
	json_object_object_add(o, "next", events_next(&f, &ev));
	return api_send(rs, 200, o);
}

/* What the acknowledgement needs of an event, kept past the callback. */
struct ack_target {
	long long rule_id;
	char device_uid[PUBLIC_ID_LEN + 1];
	int found, open, acked, clear;
};

static int ack_target_row(void *ctx, const struct alert_event_row *e)
{
	struct ack_target *t = ctx;

	t->rule_id = e->rule_id;
	snprintf(t->device_uid, sizeof(t->device_uid), "%s", e->device_uid != NULL ? e->device_uid : "");
	t->found = 1;
	t->open = e->open;
	t->acked = e->has_acked;
	t->clear = strcmp(e->kind, "clear") == 0;
	return 1;
}

static int ack_target(struct api_ctx *c, long long id, struct ack_target *t)
{
	struct alert_events_filter f = { .account_id = c->key.account_id, .event_id = id, .limit = 1 };

	memset(t, 0, sizeof(*t));
	return db_alert_events(c->app->db, &f, ack_target_row, t);
}

/* The dashboard's acknowledgement and audit record; DB_NOTFOUND when the
 * alarm is no longer active and unacknowledged. */
static int event_ack(struct api_ctx *c, const struct ack_target *t)
{
	char detail[48];
	int rc = db_alert_ack(c->app->db, c->key.account_id, t->rule_id, t->device_uid, 0, api_actor(c));
	struct audit_entry a = { .account_id = c->key.account_id, .actor_key_id = c->key.id,
		.actor_label = api_actor(c), .action = "alert.acknowledge", .target_type = "device",
		.target_id = t->device_uid, .detail_json = detail, .ip = c->r->remote_addr };

	if (rc != DB_OK)
		return rc;
	snprintf(detail, sizeof(detail), "{\"rule\":%lld}", t->rule_id);
	(void)db_audit(c->app->db, &a);
	return DB_OK;
}

static int ack_unavailable(struct resp *rs)
{
	return api_error(rs, 503, "unavailable", "Nothing was changed: Gauge is temporarily unavailable. Try again.");
}

/* 200 with the event as it stands once acknowledged (now, before, or by
 * someone else meanwhile: the same answer, so a retry is harmless); 409
 * not_open for an event with nothing to acknowledge (back to normal, or an
 * alarm that cleared unacknowledged); 404 for none. */
int api_alert_events_ack(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct api_ctx c;
	struct events_ctx ev = { NULL, NULL, 0, 0 };
	struct ack_target t;
	struct json_object *o;
	long long id = valid_id(m->params[0]);
	int st, rc = DB_OK;

	if ((st = api_begin_account_or_reply(&c, app, r, rs)) != 0)
		return st;
	if (r->query.n > 0)
		return api_error(rs, 400, "bad_param", "unknown parameter '%.40s'", r->query.items[0].key);
	if (id == 0 || ((rc = ack_target(&c, id, &t)) == DB_OK && !t.found))
		return api_error(rs, 404, "not_found", "No such alert event.");
	if (rc != DB_OK)
		return ack_unavailable(rs);
	if (t.open && (rc = event_ack(&c, &t)) != DB_OK && rc != DB_NOTFOUND)
		return ack_unavailable(rs);
	if (t.open && ack_target(&c, id, &t) != DB_OK)
		return ack_unavailable(rs);
	if (!t.acked)
		return api_error(rs, 409, "not_open", "%s", t.clear
		    ? "A back-to-normal event has nothing to acknowledge."
		    : "That alarm is not active any more (it has cleared): there is nothing to acknowledge.");
	ev.events = json_object_new_array();
	if (db_alert_events(app->db, &(struct alert_events_filter){ .account_id = c.key.account_id,
	    .event_id = id, .limit = 1 }, event_row, &ev) != DB_OK || ev.n != 1) {
		json_object_put(ev.events);
		return ack_unavailable(rs);
	}
	o = json_object_get(json_object_array_get_idx(ev.events, 0));
	json_object_put(ev.events);
	return api_send(rs, 200, o);
}
