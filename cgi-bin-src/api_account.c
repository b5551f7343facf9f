/*
 * api_account.c - the account itself, account keys only:
 *   GET /api/v1/account                 name, counts, rate limit, the key's prefix
 * (Devices are api_devices.c's, groups api_groups.c's, keys api_keys.c's.)
 */
#include <json-c/json.h>

#include "api.h"
#include "api_json.h"
#include "app.h"
#include "conf.h"
#include "handlers.h"

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
