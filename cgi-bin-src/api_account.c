/*
 * api_account.c - the account itself, account keys only:
 *   GET   /api/v1/account               name, counts, rate limit, the key's prefix,
 *                                       the default retention window
 *   PATCH /api/v1/account               {"retention_days"?: N or null}
 *   POST  /api/v1/account/webhook-secret a new webhook signing secret, shown once
 * (Devices are api_devices.c's, groups api_groups.c's, keys api_keys.c's.)
 * The retention rule and its message are retention.c's, the same the
 * dashboard's account page applies; a change is audited as there.
 */
#include <json-c/json.h>
#include <openssl/crypto.h>

#include "api.h"
#include "api_json.h"
#include "app.h"
#include "conf.h"
#include "db_account.h"
#include "db_retention.h"
#include "handlers.h"
#include "retention.h"
#include "webhook_secret.h"

/* The account as GET shows it, with status 200. */
static int account_answer(struct api_ctx *c, const struct api_account_row *a)
{
	struct json_object *o, *limits;

	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_int64(a->id));
	json_object_object_add(o, "name", json_object_new_string(a->name));
	json_object_object_add(o, "created_at", json_object_new_string(a->created_at));
	json_object_object_add(o, "devices", json_object_new_int64(a->devices));
	json_object_object_add(o, "groups", json_object_new_int64(a->groups));
	limits = json_object_new_object();
	json_object_object_add(limits, "requests_per_minute_per_key",
	    json_object_new_int64(c->app->conf->ratelimit_per_minute));
	json_object_object_add(o, "rate_limit", limits);
	json_object_object_add(o, "key_prefix", json_object_new_string(c->key.display));
	json_object_object_add(o, "retention_days",
	    a->retention_days > 0 ? json_object_new_int(a->retention_days) : NULL);
	return api_send(c->rs, 200, o);
}

static int account_unavailable(struct resp *rs)
{
	return api_error(rs, 503, "unavailable", "The account is temporarily unavailable. Try again.");
}

int api_account_get(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct api_ctx c;
	struct api_account_row a;
	int st;

	(void)m;
	if ((st = api_begin_account_or_reply(&c, app, r, rs)) != 0)
		return st;
	if (db_api_account(app->db, c.key.account_id, &a) != DB_OK)
		return account_unavailable(rs);
	return account_answer(&c, &a);
}

static const char *const patch_fields[] = { "retention_days" };

/* The body, checked whole: *given says whether retention_days was there. */
static int patch_or_reply(struct api_ctx *c, int *given, int *days)
{
	struct json_object *body, *v;
	int st;

	if ((st = api_json_fields_or_reply(c, "invalid_field", patch_fields, 1, &body)) != 0)
		return st;
	*given = json_object_object_get_ex(body, "retention_days", &v);
	if (*given && !retention_days_json(v, days))
		st = api_error_at(c->rs, 422, "invalid_field", "/retention_days", "%s", RETENTION_DAYS_RULE);
	json_object_put(body);
	return st;
}

int api_account_patch(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct api_ctx c;
	struct api_account_row a;
	char detail[RETENTION_DETAIL_LEN];
	int st, days = 0, given;

	(void)m;
	if ((st = api_begin_account_or_reply(&c, app, r, rs)) != 0)
		return st;
	if ((st = patch_or_reply(&c, &given, &days)) != 0)
		return st;
	if (given && db_retention_set_account(app->db, c.key.account_id, days) != DB_OK)
		return api_error(rs, 503, "unavailable", "Nothing was changed: Gauge is temporarily unavailable. Try again.");
	if (db_api_account(app->db, c.key.account_id, &a) != DB_OK)
		return account_unavailable(rs);
	if (given) {
		struct audit_entry e = { .account_id = c.key.account_id, .actor_key_id = c.key.id,
			.actor_label = api_actor(&c), .action = "account.retention", .target_type = "account",
			.target_id = a.name, .detail_json = retention_detail(days, detail), .ip = r->remote_addr };

		(void)db_audit(app->db, &e);
	}
	return account_answer(&c, &a);
}

/* An empty body or {}: nothing to choose, and strict all the same. */
static int empty_body_or_reply(struct api_ctx *c)
{
	struct json_object *root;
	int st;

	if (c->r->body_len == 0)
		return 0;
	if ((st = api_json_fields_or_reply(c, "invalid_field", NULL, 0, &root)) != 0)
		return st;
	json_object_put(root);
	return 0;
}

/* A new secret replaces the old one at once (no grace: a receiver that
 * accepts both during a switch-over checks against either, README). */
int api_account_webhook_secret(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct api_ctx c;
	char secret[WEBHOOK_SECRET_LEN + 1];
	struct json_object *o;
	enum webhook_secret_err rc;
	int st;

	(void)m;
	if ((st = api_begin_account_or_reply(&c, app, r, rs)) != 0)
		return st;
	if ((st = empty_body_or_reply(&c)) != 0)
		return st;
	if ((rc = webhook_secret_rotate(app->db, app->box, c.key.account_id, secret)) == WEBHOOK_SECRET_NO_KEY)
		return api_error(rs, 409, "no_server_key", "%s", WEBHOOK_SECRET_NO_KEY_MSG);
	if (rc != WEBHOOK_SECRET_OK)
		return api_error(rs, 503, "unavailable", "No secret was made. Try again.");
	(void)db_audit(app->db, &(struct audit_entry){ .account_id = c.key.account_id, .actor_key_id = c.key.id,
	    .actor_label = api_actor(&c), .action = "webhook.secret_rotate", .target_type = "account",
	    .target_id = "webhook-secret", .ip = r->remote_addr });
	o = json_object_new_object();
	json_object_object_add(o, "secret", json_object_new_string(secret));
	OPENSSL_cleanse(secret, sizeof(secret));
	return api_send(rs, 201, o);
}
