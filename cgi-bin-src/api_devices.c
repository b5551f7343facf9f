/*
 * api_devices.c - devices through the API, account keys only:
 *   GET    /api/v1/devices                    every device, its latest reading, last seen
 *   POST   /api/v1/devices                    {"name", "group"?}: 201, the device and its
 *                                             first key (shown this once)
 *   GET    /api/v1/devices/{device}           one device, as the list shows it
 *   PATCH  /api/v1/devices/{device}           {"name"?, "group"? (id or null), "public"?,
 *                                             "retention_days"? (N or null: the account's)}
 *   DELETE /api/v1/devices/{device}           the device, its keys and all its readings
 *   GET    /api/v1/groups/{group}/latest      the list, for one group's devices
 * The rules, their messages and the multi-step changes are provision.c's,
 * the same the dashboard applies; every change is audited with the
 * dashboard's action names.  A body is checked whole before anything is
 * changed, and a PATCH is one transaction: bad input changes nothing.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "api_json.h"
#include "app.h"
#include "db.h"
#include "db_account.h"
#include "db_device.h"
#include "handlers.h"
#include "db_retention.h"
#include "provision.h"
#include "readings_out.h"
#include "req.h"
#include "resp.h"
#include "retention.h"
#include "store_readings.h"
#include "valid.h"

static int latest_doc(void *ctx, const bson_t *doc)
{
	*(struct json_object **)ctx = readings_json(doc);
	return 1;
}

/* A device as every device route shows it, with its latest reading
 * (consumed; NULL: none yet). */
static struct json_object *device_object(const struct api_device_row *dev, struct json_object *latest)
{
	struct json_object *o = json_object_new_object(), *seen = NULL, *g = NULL;

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
	json_object_object_add(o, "retention_days",
	    dev->retention_days > 0 ? json_object_new_int(dev->retention_days) : NULL);
	return o;
}

/* device_object() after one indexed query for the latest reading.  NULL,
 * with *store_rc set, when that query failed. */
static struct json_object *device_json(struct app *app, const struct api_device_row *dev, int *store_rc)
{
	struct json_object *latest = NULL;

	if ((*store_rc = store_readings_latest(app->store, dev->id, latest_doc, &latest)) != STORE_OK) {
		json_object_put(latest);
		return NULL;
	}
	return device_object(dev, latest);
}

struct devices_ctx {
	struct app *app;
	struct json_object *arr;
	int store_rc;               /* the last latest-reading query's enum store_status */
};

/* One indexed query per device: predictable cost, whatever the history.
 * A failed query stops the list; its status is left in store_rc. */
static int device_entry(void *ctx, const struct api_device_row *dev)
{
	struct devices_ctx *c = ctx;
	struct json_object *o = device_json(c->app, dev, &c->store_rc);

	if (o == NULL)
		return 1;
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

/* The device answered with status, or 503 when its latest reading cannot be read. */
static int device_answer(struct api_ctx *c, const struct api_device_row *dev, int status)
{
	int store_rc;
	struct json_object *o = device_json(c->app, dev, &store_rc);

	if (o == NULL)
		return api_error(c->rs, 503, "unavailable", "Devices are temporarily unavailable. Try again.");
	return api_send(c->rs, status, o);
}

/* The device as it is now: c->dev may come from a worker's key cache
 * (key_cache.h), up to a second old, and only its id and uid never change. */
static int device_fresh_answer(struct api_ctx *c, int status)
{
	struct api_device_row d;
	int rc = db_dev_get(c->app->db, c->key.account_id, c->dev.uid, &d);

	if (rc == DB_NOTFOUND)
		return api_error(c->rs, 404, "not_found", "No such device.");
	if (rc != DB_OK)
		return api_error(c->rs, 503, "unavailable", "Devices are temporarily unavailable. Try again.");
	return device_answer(c, &d, status);
}

static void device_audit(struct api_ctx *c, const char *action, const char *uid, const char *detail)
{
	struct audit_entry e = { .account_id = c->key.account_id, .actor_key_id = c->key.id,
		.actor_label = api_actor(c), .action = action, .target_type = "device",
		.target_id = uid, .detail_json = detail, .ip = c->r->remote_addr };

	(void)db_audit(c->app->db, &e);
}

/* A "name" member, when present: a string prov_name_ok() accepts. */
static int name_or_reply(struct api_ctx *c, struct json_object *body, const char *rule, const char **name)
{
	struct json_object *v;

	if (!json_object_object_get_ex(body, "name", &v))
		return 0;
	if (!json_object_is_type(v, json_type_string) || !prov_name_ok(json_object_get_string(v)))
		return api_error_at(c->rs, 422, "invalid_field", "/name", "%s", rule);
	*name = json_object_get_string(v);
	return 0;
}

/* The requested group: *given says whether "group" was present; a group id
 * of the account, or null (no group). */
struct group_choice {
	int given;
	long long id;
	const char *uid;
	char name[NAME_MAX_BYTES];
};

static int group_or_reply(struct api_ctx *c, struct json_object *body, struct group_choice *g)
{
	struct json_object *v;
	int rc;

	memset(g, 0, sizeof(*g));
	g->uid = "";
	if (!json_object_object_get_ex(body, "group", &v))
		return 0;
	g->given = 1;
	if (v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_string) || json_object_get_string_len(v) == 0)
		return api_error_at(c->rs, 422, "invalid_field", "/group",
		    "group is a group id of your account, or null for no group.");
	g->uid = json_object_get_string(v);
	rc = prov_group_find(c->app->db, c->key.account_id, g->uid, &g->id, g->name, sizeof(g->name));
	if (rc == DB_NOTFOUND)
		return api_error_at(c->rs, 422, "invalid_field", "/group", "%s", PROV_NO_SUCH_GROUP);
	if (rc != DB_OK)
		return api_error(c->rs, 503, "unavailable", "Nothing was changed: Gauge is temporarily unavailable. Try again.");
	return 0;
}

static const char *const create_fields[] = { "name", "group" };

int api_devices_create(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct api_ctx c;
	struct json_object *body, *o, *k;
	struct api_device_row d;
	struct group_choice g;
	struct new_key key;
	const char *name = NULL;
	long long key_id;
	int st;

	(void)m;
	if ((st = api_begin_account_or_reply(&c, app, r, rs)) != 0)
		return st;
	if ((st = api_json_fields_or_reply(&c, "invalid_field", create_fields, 2, &body)) != 0)
		return st;
	if ((st = name_or_reply(&c, body, PROV_DEVICE_NAME_RULE, &name)) == 0 && name == NULL)
		st = api_error_at(rs, 422, "invalid_field", "/name", "%s", PROV_DEVICE_NAME_RULE);
	if (st == 0 && (st = group_or_reply(&c, body, &g)) == 0 &&
	    prov_device_create(app->db, c.key.account_id, g.id, name, &d, &key, &key_id) != DB_OK)
		st = api_error(rs, 503, "unavailable", "The device was not added. Try again.");
	if (st != 0) {
		json_object_put(body);
		return st;
	}
	prov_device_grouped(&d, g.uid, g.name);
	json_object_put(body);          /* name pointed into it: d has its copy */
	device_audit(&c, "device.create", d.uid, NULL);
	k = json_object_new_object();
	json_object_object_add(k, "id", json_object_new_int64(key_id));
	json_object_object_add(k, "key", json_object_new_string(key.key));
	json_object_object_add(k, "prefix", json_object_new_string(key.display));
	o = json_object_new_object();
	json_object_object_add(o, "device", device_object(&d, NULL));     /* just made: no readings */
	json_object_object_add(o, "key", k);
	return api_send(rs, 201, o);
}

int api_devices_get(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct api_ctx c;
	int st;

	if ((st = api_begin_device_admin_or_reply(&c, app, r, rs, m->params[0])) != 0)
		return st;
	return device_fresh_answer(&c, 200);
}

/* The PATCH, checked whole: what to change, typed. */
struct device_patch {
	const char *name;           /* NULL: keep */
	struct group_choice group;
	int public_read;            /* -1: keep */
	int retention_given;
	int retention_days;         /* 0: the account's window */
};

static const char *const patch_fields[] = { "name", "group", "public", "retention_days" };

static int patch_or_reply(struct api_ctx *c, struct json_object *body, struct device_patch *p)
{
	struct json_object *v;
	int st;

	p->name = NULL;
	p->public_read = -1;
	p->retention_days = 0;
	if ((st = name_or_reply(c, body, PROV_DEVICE_NAME_RULE, &p->name)) != 0 ||
	    (st = group_or_reply(c, body, &p->group)) != 0)
		return st;
	if (json_object_object_get_ex(body, "public", &v)) {
		if (!json_object_is_type(v, json_type_boolean))
			return api_error_at(c->rs, 422, "invalid_field", "/public", "public is true or false.");
		p->public_read = json_object_get_boolean(v);
	}
	p->retention_given = json_object_object_get_ex(body, "retention_days", &v);
	if (p->retention_given && !retention_days_json(v, &p->retention_days))
		return api_error_at(c->rs, 422, "invalid_field", "/retention_days", "%s", RETENTION_DAYS_RULE);
	return 0;
}

/* All of the patch or none of it. */
static int patch_apply(struct db *db, long long account_id, long long device_id, const struct device_patch *p)
{
	int rc = db_begin(db);

	if (rc == DB_OK && p->name != NULL)
		rc = db_dev_rename(db, account_id, device_id, p->name);
	if (rc == DB_OK && p->group.given)
		rc = db_dev_move(db, account_id, device_id, p->group.id);
	if (rc == DB_OK && p->public_read >= 0)
		rc = db_api_device_set_public(db, device_id, p->public_read);
	if (rc == DB_OK && p->retention_given)
		rc = db_retention_set_device(db, account_id, device_id, p->retention_days);
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK)
		db_rollback(db);
	return rc;
}

int api_devices_patch(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct api_ctx c;
	struct json_object *body;
	struct device_patch p;
	char detail[RETENTION_DETAIL_LEN];
	int st;

	if ((st = api_begin_device_admin_or_reply(&c, app, r, rs, m->params[0])) != 0)
		return st;
	if ((st = api_json_fields_or_reply(&c, "invalid_field", patch_fields, 4, &body)) != 0)
		return st;
	if ((st = patch_or_reply(&c, body, &p)) == 0 && patch_apply(app->db, c.key.account_id, c.dev.id, &p) != DB_OK)
		st = api_error(rs, 503, "unavailable", "Nothing was changed: Gauge is temporarily unavailable. Try again.");
	json_object_put(body);
	if (st != 0)
		return st;
	if (p.name != NULL)
		device_audit(&c, "device.rename", c.dev.uid, NULL);
	if (p.group.given)
		device_audit(&c, "device.move", c.dev.uid, NULL);
	if (p.public_read >= 0)
		device_audit(&c, p.public_read ? "device.public_on" : "device.public_off", c.dev.uid, NULL);
	if (p.retention_given)
		device_audit(&c, "device.retention", c.dev.uid, retention_detail(p.retention_days, detail));
	return device_fresh_answer(&c, 200);
}

int api_devices_delete(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct api_ctx c;
	struct json_object *o;
	long long deleted;
	char detail[96];
	int st;

	if ((st = api_begin_device_admin_or_reply(&c, app, r, rs, m->params[0])) != 0)
		return st;
	if (prov_device_delete(app->db, app->store, c.key.account_id, c.dev.id, &deleted) != DB_OK)
		return api_error(rs, 503, "unavailable", "The device was not deleted. Try again.");
	snprintf(detail, sizeof(detail), "{\"readings_deleted\":%lld}", deleted);
	device_audit(&c, "device.delete", c.dev.uid, detail);
	o = json_object_new_object();
	json_object_object_add(o, "deleted", json_object_new_string(c.dev.uid));
	json_object_object_add(o, "readings_deleted", json_object_new_int64(deleted));
	return api_send(rs, 200, o);
}
