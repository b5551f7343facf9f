/*
 * api_account.c - account-wide queries, account keys only:
 *   GET /api/v1/devices                 every device, its latest reading, last seen
 *   GET /api/v1/groups                  device groups with device counts
 *   GET /api/v1/groups/{group}/latest   latest reading of each device in a group
 *   GET /api/v1/account                 the account itself
 */
#include <json-c/json.h>
#include <limits.h>
#include <string.h>

#include "api.h"
#include "api_json.h"
#include "app.h"
#include "conf.h"
#include "db_device.h"
#include "handlers.h"
#include "readings_out.h"
#include "req.h"
#include "resp.h"
#include "valid.h"
#include "store_readings.h"

struct devices_ctx {
	struct app *app;
	struct json_object *arr;
	int store_rc;               /* the last latest-reading query's enum store_status */
};

static int latest_doc(void *ctx, const bson_t *doc)
{
	*(struct json_object **)ctx = readings_json(doc);
	return 1;
}

/* One indexed query per device: predictable cost, whatever the history.
 * A failed query stops the list; its status is left in store_rc. */
static int device_entry(void *ctx, const struct api_device_row *dev)
{
	struct devices_ctx *c = ctx;
	struct json_object *o, *latest = NULL, *seen = NULL, *g = NULL;

	if ((c->store_rc = store_readings_latest(c->app->store, dev->id, latest_doc, &latest)) != STORE_OK) {
		json_object_put(latest);
		return 1;
	}
	o = json_object_new_object();
	if (latest != NULL)
		json_object_object_get_ex(latest, "received_at", &seen);
	json_object_object_add(o, "id", json_object_new_string(dev->uid));
	json_object_object_add(o, "name", json_object_new_string(dev->name));
	if (dev->group_uid[0] != '\0') {
		g = json_object_new_object();
		json_object_object_add(g, "id", json_object_new_string(dev->group_uid));
		json_object_object_add(g, "name", json_object_new_string(dev->group_name));
	}
	json_object_object_add(o, "group", g);
	json_object_object_add(o, "public", json_object_new_boolean(dev->public_read));
	json_object_object_add(o, "last_seen", seen != NULL ? json_object_get(seen) : NULL);
	json_object_object_add(o, "latest", latest);
	json_object_array_add(c->arr, o);
	return 0;
}

static int devices_answer(struct api_ctx *c, const char *group_uid, const char *group_name)
{
	struct devices_ctx d = { c->app, json_object_new_array(), STORE_OK };
	struct json_object *o;

	if (db_api_devices(c->app->db, c->key.account_id, group_uid, device_entry, &d) != DB_OK ||
	    d.store_rc != STORE_OK) {
		json_object_put(d.arr);
		return api_error(c->rs, 503, "unavailable", "Devices are temporarily unavailable. Try again.");
	}
	o = json_object_new_object();
	if (group_uid != NULL) {
		struct json_object *g = json_object_new_object();

		json_object_object_add(g, "id", json_object_new_string(group_uid));
		json_object_object_add(g, "name", json_object_new_string(group_name));
		json_object_object_add(o, "group", g);
	}
	json_object_object_add(o, "devices", d.arr);
	return api_send(c->rs, 200, o);
}

int api_account_devices(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct api_ctx c;
	int st;

	(void)m;
	if ((st = api_begin_account_or_reply(&c, app, r, rs)) != 0)
		return st;
	return devices_answer(&c, NULL, NULL);
}

static int group_row(void *ctx, const struct api_group_row *grp)
{
	struct json_object *g = json_object_new_object();

	json_object_object_add(g, "id", json_object_new_string(grp->uid));
	json_object_object_add(g, "name", json_object_new_string(grp->name));
	json_object_object_add(g, "devices", json_object_new_int64(grp->devices));
	json_object_array_add(ctx, g);
	return 0;
}

int api_account_groups(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct api_ctx c;
	struct json_object *arr, *o;
	int st;

	(void)m;
	if ((st = api_begin_account_or_reply(&c, app, r, rs)) != 0)
		return st;
	arr = json_object_new_array();
	if (db_api_groups(app->db, c.key.account_id, group_row, arr) != DB_OK) {
		json_object_put(arr);
		return api_error(rs, 503, "unavailable", "Groups are temporarily unavailable. Try again.");
	}
	o = json_object_new_object();
	json_object_object_add(o, "groups", arr);
	return api_send(rs, 200, o);
}

int api_account_group_latest(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct api_ctx c;
	char name[NAME_MAX_BYTES] = "";
	long long group_id;
	int st, rc;

	if ((st = api_begin_account_or_reply(&c, app, r, rs)) != 0)
		return st;
	if (!valid_public_id(m->params[0], "grp_"))
		return api_error(rs, 404, "not_found", "No such group.");
	rc = db_group_get(app->db, c.key.account_id, m->params[0], &group_id, name, sizeof(name));
	if (rc == DB_NOTFOUND)
		return api_error(rs, 404, "not_found", "No such group.");
	if (rc != DB_OK)
		return api_error(rs, 503, "unavailable", "Groups are temporarily unavailable. Try again.");
	return devices_answer(&c, m->params[0], name);
}

int api_account_get(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct api_ctx c;
	struct api_account_row a;
	struct json_object *o, *limits;
	int st;

	(void)m;
	if ((st = api_begin_account_or_reply(&c, app, r, rs)) != 0)
		return st;
	if (db_api_account(app->db, c.key.account_id, &a) != DB_OK)
		return api_error(rs, 503, "unavailable", "The account is temporarily unavailable. Try again.");
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_int64(a.id));
	json_object_object_add(o, "name", json_object_new_string(a.name));
	json_object_object_add(o, "created_at", json_object_new_string(a.created_at));
	json_object_object_add(o, "devices", json_object_new_int64(a.devices));
	json_object_object_add(o, "groups", json_object_new_int64(a.groups));
	limits = json_object_new_object();
	json_object_object_add(limits, "requests_per_minute_per_key",
	    json_object_new_int64(app->conf->ratelimit_per_minute));
	json_object_object_add(o, "rate_limit", limits);
	json_object_object_add(o, "key_prefix", json_object_new_string(c.key.display));
	return api_send(rs, 200, o);
}
