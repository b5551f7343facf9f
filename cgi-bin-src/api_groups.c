/*
 * api_groups.c - device groups through the API, account keys only:
 *   GET    /api/v1/groups            every group with its device count
 *   POST   /api/v1/groups            {"name"}: 201, the group
 *   PATCH  /api/v1/groups/{group}    {"name"}: rename
 *   DELETE /api/v1/groups/{group}    delete; its devices stay, ungrouped
 * (GET /api/v1/groups/{group}/latest is a device list: api_devices.c.)
 * The name rule and the words are provision.c's, as on the groups page; a
 * name already used in the account is 409 duplicate_name.  Audited with
 * the dashboard's action names.
 */
#include <json-c/json.h>
#include <string.h>

#include "api.h"
#include "api_json.h"
#include "app.h"
#include "db.h"
#include "db_account.h"
#include "db_device.h"
#include "handlers.h"
#include "provision.h"
#include "req.h"
#include "resp.h"

static struct json_object *group_object(const char *uid, const char *name, long long devices)
{
	struct json_object *g = json_object_new_object();

	json_object_object_add(g, "id", json_object_new_string(uid));
	json_object_object_add(g, "name", json_object_new_string(name));
	json_object_object_add(g, "devices", json_object_new_int64(devices));
	return g;
}

static int group_row(void *ctx, const struct api_group_row *grp)
{
	json_object_array_add(ctx, group_object(grp->uid, grp->name, grp->devices));
	return 0;
}

int api_account_groups(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct api_ctx c;
	struct json_object *arr;
	int st;

	(void)m;
	if ((st = api_begin_account_or_reply(&c, app, r, rs)) != 0)
		return st;
	arr = json_object_new_array();
	return api_send_list(rs, db_api_groups(app->db, c.key.account_id, group_row, arr), "groups", arr,
	    "Groups");
}

static void group_audit(struct api_ctx *c, const char *action, const char *uid)
{
	struct audit_entry e = { .account_id = c->key.account_id, .actor_key_id = c->key.id,
		.actor_label = api_actor(c), .action = action, .target_type = "group",
		.target_id = uid, .ip = c->r->remote_addr };

	(void)db_audit(c->app->db, &e);
}

static const char *const group_fields[] = { "name" };

/* {"name": ...}, required and valid; *body is the caller's to release. */
static int group_name_or_reply(struct api_ctx *c, struct json_object **body, const char **name)
{
	struct json_object *v;
	int st;

	if ((st = api_json_fields_or_reply(c, "invalid_field", group_fields, 1, body)) != 0)
		return st;
	if (!json_object_object_get_ex(*body, "name", &v) || !json_object_is_type(v, json_type_string) ||
	    !prov_name_ok(json_object_get_string(v)))
		return api_error_at(c->rs, 422, "invalid_field", "/name", "%s", PROV_GROUP_NAME_RULE);
	*name = json_object_get_string(v);
	return 0;
}

static int group_saved_or_reply(struct api_ctx *c, int rc)
{
	if (rc == DB_DUPLICATE)
		return api_error_at(c->rs, 409, "duplicate_name", "/name", "%s", PROV_GROUP_TAKEN);
	if (rc != DB_OK)
		return api_error(c->rs, 503, "unavailable", "Nothing was changed: Gauge is temporarily unavailable. Try again.");
	return 0;
}

int api_groups_create(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct api_ctx c;
	struct json_object *body = NULL, *o;
	const char *name;
	char uid[PUBLIC_ID_LEN + 1];
	int st;

	(void)m;
	if ((st = api_begin_account_or_reply(&c, app, r, rs)) != 0)
		return st;
	if ((st = group_name_or_reply(&c, &body, &name)) == 0)
		st = group_saved_or_reply(&c, db_group_create(app->db, c.key.account_id, name, uid));
	if (st != 0) {
		json_object_put(body);
		return st;
	}
	group_audit(&c, "group.create", uid);
	o = group_object(uid, name, 0);
	json_object_put(body);
	return api_send(rs, 201, o);
}

/* The group in the path, in the caller's account: 0, or 404/503 sent. */
static int path_group_or_reply(struct api_ctx *c, const char *uid, long long *id)
{
	char name[NAME_MAX_BYTES];
	int rc;

	if (uid[0] == '\0' || (rc = prov_group_find(c->app->db, c->key.account_id, uid, id, name, sizeof(name))) == DB_NOTFOUND)
		return api_error(c->rs, 404, "not_found", "No such group.");
	if (rc != DB_OK)
		return api_error(c->rs, 503, "unavailable", "Groups are temporarily unavailable. Try again.");
	return 0;
}

struct find_ctx {
	const char *uid;
	struct json_object *found;
};

static int group_match(void *ctx, const struct api_group_row *grp)
{
	struct find_ctx *f = ctx;

	if (strcmp(grp->uid, f->uid) != 0)
		return 0;
	f->found = group_object(grp->uid, grp->name, grp->devices);
	return 1;
}

int api_groups_patch(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct api_ctx c;
	struct json_object *body = NULL;
	struct find_ctx f = { m->params[0], NULL };
	const char *name;
	long long id;
	int st;

	if ((st = api_begin_account_or_reply(&c, app, r, rs)) != 0 ||
	    (st = path_group_or_reply(&c, m->params[0], &id)) != 0)
		return st;
	if ((st = group_name_or_reply(&c, &body, &name)) == 0)
		st = group_saved_or_reply(&c, db_group_rename(app->db, c.key.account_id, id, name));
	json_object_put(body);
	if (st != 0)
		return st;
	group_audit(&c, "group.rename", m->params[0]);
	/* The answer is the group as the list shows it, device count and all. */
	if (db_api_groups(app->db, c.key.account_id, group_match, &f) != DB_OK || f.found == NULL)
		return api_error(rs, 503, "unavailable", "The group was renamed; it cannot be shown now.");
	return api_send(rs, 200, f.found);
}

int api_groups_delete(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct api_ctx c;
	struct json_object *o;
	long long id;
	int st;

	if ((st = api_begin_account_or_reply(&c, app, r, rs)) != 0 ||
	    (st = path_group_or_reply(&c, m->params[0], &id)) != 0)
		return st;
	if (db_group_delete(app->db, c.key.account_id, id) != DB_OK)
		return api_error(rs, 503, "unavailable", "The group was not deleted. Try again.");
	group_audit(&c, "group.delete", m->params[0]);
	o = json_object_new_object();
	json_object_object_add(o, "deleted", json_object_new_string(m->params[0]));
	return api_send(rs, 200, o);
}
