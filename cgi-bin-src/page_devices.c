/*
 * page_devices.c - the devices area of the dashboard:
 *   GET  /devices                   list with group, last seen, latest values
 *   POST /devices                   add a device (administrators); its key is shown once
 *   GET  /devices/{id}              chart, latest readings, CSV download, alert
 *                                   state (not for viewers: no alert rules)
 *   GET  /devices/{id}/data         the chart's data (JSON) and CSV export, by session
 *   GET  /devices/{id}/settings     rename, group, public read, keys, delete (administrators)
 *   POST /devices/{id}/settings     one action per form (action=...)
 * Every device is looked up with the signed-in user's account, so an id
 * from elsewhere is simply "not found".
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "api_json.h"
#include "app.h"
#include "auth_key.h"
#include "db.h"
#include "db_account.h"
#include "db_alert_admin.h"
#include "db_device.h"
#include "handlers.h"
#include "page.h"
#include "page_device_common.h"
#include "provision.h"
#include "readings_out.h"
#include "resp.h"
#include "store_readings.h"
#include "ts.h"
#include "valid.h"

struct list_ctx {
	struct page_ctx *p;
	int n;
	int store_rc;               /* the last latest-reading query's enum store_status */
};

/* Puts a reading's time and values under prefix (e.g. "devices.3.latest"). */
static void hdf_reading(struct page_ctx *p, const char *prefix, const bson_t *doc)
{
	struct store_reading_view v;
	char key[128], ts[TS_LEN], num[32];
	int i = 0;

	store_reading_view(doc, &v);
	ts_format(v.ts_ms, ts);
	snprintf(key, sizeof(key), "%s.ts", prefix);
	page_set(p, key, ts);
	ts_format(v.received_ms, ts);
	snprintf(key, sizeof(key), "%s.received", prefix);
	page_set(p, key, ts);
	while (v.has_values && bson_iter_next(&v.values)) {
		snprintf(key, sizeof(key), "%s.values.%d.name", prefix, i);
		page_set(p, key, bson_iter_key(&v.values));
		snprintf(key, sizeof(key), "%s.values.%d.value", prefix, i++);
		page_set(p, key, api_fmt_double(bson_iter_as_double(&v.values), num));
	}
}

struct latest_ctx {
	struct page_ctx *p;
	char prefix[64];
};

static int latest_doc(void *ctx, const bson_t *doc)
{
	struct latest_ctx *l = ctx;

	hdf_reading(l->p, l->prefix, doc);
	return 1;
}

static int list_device(void *ctx, const struct api_device_row *d)
{
	struct list_ctx *c = ctx;
	struct latest_ctx l = { c->p, "" };
	char prefix[32];

	snprintf(prefix, sizeof(prefix), "devices.%d", c->n++);
	page_hdf_device(c->p, prefix, d);
	snprintf(l.prefix, sizeof(l.prefix), "%s.latest", prefix);
	/* A failed query stops the list; its status stays in store_rc. */
	c->store_rc = store_readings_latest(c->p->app->store, d->id, latest_doc, &l);
	return c->store_rc != STORE_OK;
}

static int devices_render(struct page_ctx *p, int status)
{
	struct list_ctx c = { p, 0, STORE_OK };

	page_set(p, "nav.devices", "1");
	page_set(p, "page.title", "Devices");
	if (db_api_devices(p->app->db, p->s.account_id, NULL, list_device, &c) != DB_OK || c.store_rc != STORE_OK ||
	    page_groups_options(p) != 0)
		return page_error(p, 503, "Devices are temporarily unavailable. Try again in a moment.");
	return page_render(p, status, "devices.cs");
}

int page_devices(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct page_ctx p;
	int st;

	(void)m;
	if ((st = page_begin_or_reply(&p, app, r, rs, PAGE_VIEWER)) != 0)
		return st;
	if (req_param(r, "deleted") != NULL)
		page_set(&p, "flash", "The device and its readings were deleted.");
	return devices_render(&p, 200);
}

int page_devices_post(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct page_ctx p;
	struct api_device_row d;
	struct new_key key;
	const char *name, *group;
	char group_name[NAME_MAX_BYTES];
	long long group_id, key_id;
	int st, rc;

	(void)m;
	if ((st = page_begin_or_reply(&p, app, r, rs, PAGE_ADMIN)) != 0)
		return st;
	name = page_field(&p, "name");
	if (!prov_name_ok(name)) {
		page_set(&p, "form.error", PROV_DEVICE_NAME_RULE);
		page_set(&p, "form.name", name);
		return devices_render(&p, 400);
	}
	group = page_field(&p, "group");
	if ((rc = prov_group_find(app->db, p.s.account_id, group, &group_id,
	    group_name, sizeof(group_name))) == DB_NOTFOUND) {
		page_set(&p, "form.error", PROV_NO_SUCH_GROUP);
		page_set(&p, "form.name", name);
		return devices_render(&p, 400);
	}
	if (rc != DB_OK || prov_device_create(app->db, p.s.account_id, group_id, name, &d, &key, &key_id) != DB_OK) {
		page_set(&p, "form.error", "The device could not be added. Try again.");
		return devices_render(&p, 503);
	}
	prov_device_grouped(&d, group_id != 0 ? group : "", group_name);
	page_audit(&p, "device.create", "device", d.uid, NULL);
	return page_key_shown(&p, &d, key.key, "created");
}

struct recent_ctx {
	struct page_ctx *p;
	int n;
};

static int recent_doc(void *ctx, const bson_t *doc)
{
	struct recent_ctx *c = ctx;
	char prefix[32];

	snprintf(prefix, sizeof(prefix), "recent.%d", c->n++);
	hdf_reading(c->p, prefix, doc);
	return 0;
}

static int alert_state_row(void *ctx, const struct alert_state_info *s)
{
	const struct page_item items[] = {
		{ "rule", s->rule }, { "channel", s->channel }, { "state", s->state }, { "since", s->since },
		{ "acked", s->acked }, { "enabled", s->enabled },
	};
	struct recent_ctx *c = ctx;

	page_items(c->p, "alerts", c->n++, items, sizeof(items) / sizeof(items[0]));
	return 0;
}

int page_device_show(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct page_ctx p;
	struct api_device_row d;
	struct store_range range = { 0, 0, 0, NULL, 0 };
	struct recent_ctx recent = { NULL, 0 };
	int st;

	if ((st = page_begin_or_reply(&p, app, r, rs, PAGE_VIEWER)) != 0)
		return st;
	if ((st = page_device_or_reply(&p, m->params[0], &d)) != 0)
		return st;
	page_hdf_device(&p, "device", &d);
	page_set(&p, "page.title", d.name);
	page_set(&p, "page.chart", "1");
	page_set(&p, "nav.devices", "1");
	recent.p = &p;
	range.device_id = d.id;
	range.from_ms = LLONG_MIN;
	range.to_ms = LLONG_MAX;
	if (store_readings_find(app->store, &range, 1, NULL, 20, recent_doc, &recent) != STORE_OK)
		return page_error(&p, 503, "Readings are temporarily unavailable. Try again in a moment.");
	recent.n = 0;
	/* Alert rules are for users and administrators: viewers see no rule names. */
	if (p.s.role != ROLE_VIEWER &&
	    db_alert_states_of_device(app->db, p.s.account_id, d.uid, alert_state_row, &recent) != DB_OK)
		return page_error(&p, 503, "Gauge is temporarily unavailable. Try again in a moment.");
	return page_render(&p, 200, "device.cs");
}

/* The chart's data and CSV downloads: the API's query code, by session. */
int page_device_data(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct page_ctx p;
	struct api_device_row d;
	struct readings_query q;
	struct query_error err;
	int st, rc;

	if ((st = page_begin_or_reply(&p, app, r, rs, PAGE_VIEWER)) != 0)
		return st;
	page_end(&p);
	if ((rc = page_device_get(app, p.s.account_id, m->params[0], &d)) != DB_OK)
		return rc == DB_NOTFOUND ? api_error(rs, 404, "not_found", "No such device.")
		    : api_error(rs, 503, "unavailable", "Try again in a moment.");
	if (readings_query_parse(r, d.id, ts_now_ms(), &q, &err) != 0)
		return api_error(rs, 400, "bad_param", "%s: %s", err.param, err.message);
	if (q.interval_ms > 0)
		return readings_out_buckets(app->store, rs, d.uid, &q);
	if (q.csv)
		return readings_out_csv(app->store, rs, d.uid, &q);
	return readings_out_page(app->store, rs, d.uid, &q);
}
