/*
 * api_keys.c - keys, managed with an account key:
 *   GET    /api/v1/devices/{device}/keys          a device's keys (prefix, times, last use)
 *   POST   /api/v1/devices/{device}/keys/rotate   {"grace_seconds": N}
 *   DELETE /api/v1/devices/{device}/keys/{key}    revoke at once
 *   GET    /api/v1/account/keys                   the account's keys, the same way
 *   POST   /api/v1/account/key/rotate             {"grace_seconds": N}: a new account key
 * A new key is shown in the rotate response only; every change is audited
 * with the dashboard's action names.  Both rotations take the same grace
 * (rotate_grace_or_reply), so old keys of either kind live as long.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "api_json.h"
#include "app.h"
#include "auth_keys.h"
#include "db_account.h"
#include "db_api.h"
#include "handlers.h"
#include "req.h"
#include "resp.h"
#include "ts.h"
#include "valid.h"

#define GRACE_MAX_S (30 * 86400)

/* An instant as the API prints every time: millisecond ISO 8601, or null. */
static struct json_object *opt_time(long long ms)
{
	char t[TS_LEN];

	if (ms == 0)
		return NULL;
	ts_format(ms, t);
	return json_object_new_string(t);
}

/* One key as both key lists show it. */
static int key_row(void *ctx, const struct api_key_info *key)
{
	struct json_object *k = json_object_new_object();

	json_object_object_add(k, "id", json_object_new_int64(key->id));
	json_object_object_add(k, "prefix", json_object_new_string(key->prefix));
	json_object_object_add(k, "created_at", opt_time(key->created_ms));
	json_object_object_add(k, "expires_at", opt_time(key->expires_ms));
	json_object_object_add(k, "revoked_at", opt_time(key->revoked_ms));
	json_object_object_add(k, "last_used_at", opt_time(key->last_used_ms));
	json_object_object_add(k, "last_used_from",
	    key->last_ip[0] != '\0' ? json_object_new_string(key->last_ip) : NULL);
	json_object_object_add(k, "status", json_object_new_string(key_status_name(key->status)));
	json_object_object_add(k, "active", json_object_new_boolean(key->status == KEY_STATUS_ACTIVE));
	json_object_array_add(ctx, k);
	return 0;
}

int api_keys_list(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct api_ctx c;
	struct json_object *keys, *o;
	int st;

	if ((st = api_begin_device_admin_or_reply(&c, app, r, rs, m->params[0])) != 0)
		return st;
	keys = json_object_new_array();
	if (db_api_device_keys(app->db, c.dev.id, key_row, keys) != DB_OK) {
		json_object_put(keys);
		return api_error(rs, 503, "unavailable", "Keys are temporarily unavailable. Try again.");
	}
	o = json_object_new_object();
	json_object_object_add(o, "device", json_object_new_string(c.dev.uid));
	json_object_object_add(o, "keys", keys);
	return api_send(rs, 200, o);
}

/* target: a device's uid ("device"), or for the account key what the
 * dashboard names, the new key's prefix ("account"). */
static void key_audit(struct api_ctx *c, const char *action, const char *target_type,
    const char *target_id, const char *detail)
{
	struct audit_entry e = { .account_id = c->key.account_id, .actor_key_id = c->key.id,
		.actor_label = api_actor(c), .action = action, .target_type = target_type,
		.target_id = target_id, .detail_json = detail, .ip = c->r->remote_addr };

	(void)db_audit(c->app->db, &e);
}

static const char *const rotate_fields[] = { "grace_seconds" };

/* {"grace_seconds": N}, N from 0 to 30 days, or an empty body (no grace). */
static int rotate_grace_or_reply(struct api_ctx *c, unsigned *grace)
{
	struct json_object *root, *v;
	int st;

	*grace = 0;
	if (c->r->body_len == 0)
		return 0;
	if ((st = api_json_fields_or_reply(c, "invalid_field", rotate_fields, 1, &root)) != 0)
		return st;
	if (json_object_object_get_ex(root, "grace_seconds", &v)) {
		if (!json_object_is_type(v, json_type_int) ||
		    json_object_get_int64(v) < 0 || json_object_get_int64(v) > GRACE_MAX_S) {
			json_object_put(root);
			return api_error_at(c->rs, 422, "invalid_field", "/grace_seconds",
			    "grace_seconds is a whole number of seconds from 0 to %d.", GRACE_MAX_S);
		}
		*grace = (unsigned)json_object_get_int64(v);
	}
	json_object_put(root);
	return 0;
}

/* A rotation after the caller's access is settled: a device's keys (kind
 * KEY_DEVICE, c->dev) or the account's (KEY_ACCOUNT).  Audited as the
 * dashboard audits it; answers 201 with the new key, shown this once. */
static int rotate_or_reply(struct api_ctx *c, enum key_kind kind)
{
	struct new_key key;
	long long key_id;
	unsigned grace;
	struct json_object *o;
	char detail[96];
	int st, rc;

	if ((st = rotate_grace_or_reply(c, &grace)) != 0)
		return st;
	if (key_generate(kind, &key) != 0)
		return api_error(c->rs, 503, "unavailable", "No key could be made; try again.");
	rc = kind == KEY_DEVICE
	    ? auth_keys_rotate_device(c->app->db, c->dev.account_id, c->dev.id, grace, &key, &key_id)
	    : auth_keys_regenerate_account(c->app->db, c->key.account_id, grace, &key, &key_id);
	if (rc != DB_OK)
		return api_error(c->rs, 503, "unavailable", "The key was not rotated; try again.");
	snprintf(detail, sizeof(detail), "{\"new_key\":\"%s\",\"grace_seconds\":%u}", key.display, grace);
	o = json_object_new_object();
	if (kind == KEY_DEVICE) {
		key_audit(c, "key.rotate", "device", c->dev.uid, detail);
		json_object_object_add(o, "device", json_object_new_string(c->dev.uid));
	} else {
		key_audit(c, "key.account_regenerate", "account", key.display, detail);
	}
	json_object_object_add(o, "id", json_object_new_int64(key_id));
	json_object_object_add(o, "key", json_object_new_string(key.key));
	json_object_object_add(o, "prefix", json_object_new_string(key.display));
	json_object_object_add(o, "grace_seconds", json_object_new_int64(grace));
	return api_send(c->rs, 201, o);
}

int api_keys_rotate(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct api_ctx c;
	int st;

	if ((st = api_begin_device_admin_or_reply(&c, app, r, rs, m->params[0])) != 0)
		return st;
	return rotate_or_reply(&c, KEY_DEVICE);
}

int api_keys_revoke(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct api_ctx c;
	long long key_id = valid_id(m->params[1]);
	struct json_object *o;
	char detail[64];
	int st, rc;

	if ((st = api_begin_device_admin_or_reply(&c, app, r, rs, m->params[0])) != 0)
		return st;
	if (key_id == 0)
		return api_error(rs, 404, "not_found", "No such key on this device.");
	rc = auth_keys_revoke_device(app->db, c.dev.id, key_id);
	if (rc == DB_NOTFOUND)
		return api_error(rs, 404, "not_found", "No such active key on this device.");
	if (rc != DB_OK)
		return api_error(rs, 503, "unavailable", "The key was not revoked; try again.");
	snprintf(detail, sizeof(detail), "{\"key_id\":%lld}", key_id);
	key_audit(&c, "key.revoke", "device", c.dev.uid, detail);
	o = json_object_new_object();
	json_object_object_add(o, "revoked", json_object_new_int64(key_id));
	return api_send(rs, 200, o);
}

int api_account_keys_list(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct api_ctx c;
	struct json_object *keys;
	int st;

	(void)m;
	if ((st = api_begin_account_or_reply(&c, app, r, rs)) != 0)
		return st;
	keys = json_object_new_array();
	return api_send_list(rs, db_api_account_keys(app->db, c.key.account_id, key_row, keys), "keys",
	    keys, "Keys");
}

/* The dashboard's "regenerate the account key" (page_account.c), by API:
 * the caller's own key is one of those that end with the grace period. */
int api_account_key_rotate(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct api_ctx c;
	int st;

	(void)m;
	if ((st = api_begin_account_or_reply(&c, app, r, rs)) != 0)
		return st;
	return rotate_or_reply(&c, KEY_ACCOUNT);
}
