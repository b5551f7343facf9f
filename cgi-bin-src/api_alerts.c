/*
 * api_alerts.c - alert rules through the API, account keys only:
 *   GET    /api/v1/alert-rules        every rule of the account
 *   POST   /api/v1/alert-rules        create one (the dashboard's fields, as JSON)
 *   GET    /api/v1/alert-rules/{id}   one rule
 *   PATCH  /api/v1/alert-rules/{id}   change any field the create takes
 *   DELETE /api/v1/alert-rules/{id}   delete one
 * JSON values are turned into text and checked by the same validator as
 * the dashboard's form, so both accept and refuse exactly the same rules;
 * a change is merged over the stored rule and the whole rule validated
 * again (alert_rule_merge(), the dashboard's edit form does the same).
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "alert_rule.h"
#include "api.h"
#include "api_json.h"
#include "app.h"
#include "db_account.h"
#include "db_alert_admin.h"
#include "handlers.h"
#include "webhook_secret.h"
#include "json_body.h"
#include "req.h"
#include "resp.h"
#include "valid.h"

struct json_fields {
	struct json_object *obj;
	struct arena *arena;
};

/* An array of strings joined with commas; "\x01" (refused by every
 * validator) when an element is not a string or holds a comma itself. */
static const char *json_list(struct arena *a, struct json_object *arr)
{
	size_t n = json_object_array_length(arr), len = 1;
	char *out, *p;

	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(e, json_type_string) ||
		    strpbrk(json_object_get_string(e), ",\r\n") != NULL)
			return "\x01";
		len += (size_t)json_object_get_string_len(e) + 1;
	}
	if ((p = out = arena_alloc(a, len)) == NULL)
		return "\x01";
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		size_t el = (size_t)json_object_get_string_len(e);

		if (i > 0)
			*p++ = ',';
		memcpy(p, json_object_get_string(e), el);
		p += el;
	}
	*p = '\0';
	return out;
}

/* A JSON field as the validator's text: numbers printed, booleans as
 * on/off, a recipients array joined with commas (in the arena, at its full
 * length: the validator then refuses what is too long, nothing is cut). */
static const char *json_field(void *ctx, const char *name)
{
	struct json_fields *f = ctx;
	struct json_object *v;
	char num[32];

	if (!json_object_object_get_ex(f->obj, name, &v) || v == NULL)
		return NULL;
	switch (json_object_get_type(v)) {
	case json_type_string:
		return json_object_get_string(v);
	case json_type_int:
	case json_type_double:
		return arena_strdup(f->arena, api_fmt_double(json_object_get_double(v), num));
	case json_type_boolean:
		return json_object_get_boolean(v) ? "on" : "off";
	case json_type_array:
		return json_list(f->arena, v);
	default:
		return "\x01";
	}
}

/* The fields a rule body may hold (create and change); any other is refused. */
static const char *const rule_fields[] = {
	"name", "device", "group", "channel", "kind", "threshold", "threshold_high", "clear_threshold",
	"clear_threshold_high", "no_data_minutes", "min_duration_s", "reminder_minutes", "reminder_s",
	"notify_clear", "enabled", "recipients",
};
#define RULE_NFIELDS (sizeof(rule_fields) / sizeof(rule_fields[0]))

/* A change's field: NULL when the body does not name it, "" when it is
 * null (unset: the field's default), else as json_field(). */
static const char *patch_field(void *ctx, const char *name)
{
	struct json_fields *f = ctx;
	const char *v;

	if (!json_object_object_get_ex(f->obj, name, NULL))
		return NULL;
	return (v = json_field(ctx, name)) != NULL ? v : "";
}

static int rule_json(void *ctx, const struct alert_rule_info *ri)
{
	const struct { const char *name, *value; } nums[] = {
		{ "threshold", ri->threshold }, { "threshold_high", ri->threshold_high },
		{ "clear_threshold", ri->clear }, { "clear_threshold_high", ri->clear_high },
		{ "no_data_minutes", ri->no_data_minutes }, { "min_duration_s", ri->min_duration_s },
		{ "reminder_s", ri->reminder_s },
	};
	struct json_object *r = json_object_new_object();

	json_object_object_add(r, "id", json_object_new_int64(ri->id));
	json_object_object_add(r, "name", json_object_new_string(ri->name));
	json_object_object_add(r, "channel", json_object_new_string(ri->channel));
	json_object_object_add(r, "kind", json_object_new_string(ri->kind));
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		if (nums[i].value != NULL)
			json_object_object_add(r, nums[i].name, api_number(strtod(nums[i].value, NULL)));
	json_object_object_add(r, "notify_clear", json_object_new_boolean(ri->notify_clear));
	json_object_object_add(r, "enabled", json_object_new_boolean(ri->enabled));
	if (ri->device_uid != NULL)
		json_object_object_add(r, "device", json_object_new_string(ri->device_uid));
	if (ri->group_uid != NULL)
		json_object_object_add(r, "group", json_object_new_string(ri->group_uid));
	json_object_object_add(r, "recipients", json_object_new_string(ri->recipients));
	json_object_array_add(ctx, r);
	return 0;
}

int api_alert_rules_list(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct api_ctx c;
	struct json_object *arr;
	int st;

	(void)m;
	if ((st = api_begin_account_or_reply(&c, app, r, rs)) != 0)
		return st;
	arr = json_object_new_array();
	return api_send_list(rs, db_alert_rules_list(app->db, c.key.account_id, rule_json, arr), "rules",
	    arr, "Alert rules");
}

static void rule_audit(struct api_ctx *c, const char *action, long long id, const char *detail)
{
	char target[24];
	struct audit_entry e = { .account_id = c->key.account_id, .actor_key_id = c->key.id,
		.actor_label = api_actor(c), .action = action, .target_type = "alert_rule",
		.target_id = target, .detail_json = detail, .ip = c->r->remote_addr };

	snprintf(target, sizeof(target), "%lld", id);
	(void)db_audit(c->app->db, &e);
}

/* A webhook recipient needs the account's secret (webhook_secret.h): 0,
 * or the refusal sent. */
static int webhook_secret_or_reply(struct api_ctx *c, const struct alert_rule_input *in)
{
	switch (webhook_secret_rule_check(c->app->db, c->key.account_id, in)) {
	case WEBHOOK_SECRET_OK:
		return 0;
	case WEBHOOK_SECRET_MISSING:
		return api_error(c->rs, 422, "invalid_rule", "%s", WEBHOOK_SECRET_MISSING_MSG);
	default:
		return api_error(c->rs, 503, "unavailable", "The rule was not saved. Try again.");
	}
}

int api_alert_rules_create(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct api_ctx c;
	struct json_fields f;
	struct alert_rule_input in;
	struct json_object *o;
	char err[200];
	long long id;
	int st, rc;

	(void)m;
	if ((st = api_begin_account_or_reply(&c, app, r, rs)) != 0)
		return st;
	if (r->media != MEDIA_JSON)
		return api_error(rs, 415, "unsupported_media_type", "Send the rule as application/json.");
	f.arena = &r->arena;
	if ((st = api_json_object_or_reply(&c, "invalid_rule", &f.obj)) != 0)
		return st;
	if ((st = api_json_known_or_reply(&c, f.obj, rule_fields, RULE_NFIELDS)) != 0) {
		json_object_put(f.obj);
		return st;
	}
	rc = alert_rule_parse(json_field, &f, &in, err, sizeof(err));
	json_object_put(f.obj);
	if (rc != 0)
		return api_error(rs, 422, "invalid_rule", "%s", err);
	if ((st = webhook_secret_or_reply(&c, &in)) != 0)
		return st;
	if ((rc = db_alert_rule_create(app->db, c.key.account_id, 0, &in, &id)) == DB_NOTFOUND)
		return api_error(rs, 422, "invalid_rule", "There is no such %s.", in.device_uid[0] ? "device" : "group");
	if (rc != DB_OK)
		return api_error(rs, 503, "unavailable", "The rule was not saved. Try again.");
	rule_audit(&c, "alert.rule_create", id, NULL);
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_int64(id));
	return api_send(rs, 201, o);
}

int api_alert_rules_delete(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct api_ctx c;
	long long id = valid_id(m->params[0]);
	struct json_object *o;
	int st, rc;

	if ((st = api_begin_account_or_reply(&c, app, r, rs)) != 0)
		return st;
	if (id == 0 || (rc = db_alert_rule_delete(app->db, c.key.account_id, id)) == DB_NOTFOUND)
		return api_error(rs, 404, "not_found", "No such alert rule.");
	if (rc != DB_OK)
		return api_error(rs, 503, "unavailable", "The rule was not deleted. Try again.");
	rule_audit(&c, "alert.rule_delete", id, NULL);
	o = json_object_new_object();
	json_object_object_add(o, "deleted", json_object_new_int64(id));
	return api_send(rs, 200, o);
}

/* The rule as GET sends it: an object (rule_json adds to an array). */
static int rule_send_or_reply(struct api_ctx *c, long long id, int status)
{
	struct json_object *arr = json_object_new_array(), *o;
	int rc = db_alert_rule_get(c->app->db, c->key.account_id, id, rule_json, arr);

	if (rc != DB_OK || json_object_array_length(arr) != 1) {
		json_object_put(arr);
		return rc == DB_NOTFOUND ? api_error(c->rs, 404, "not_found", "No such alert rule.")
		    : api_error(c->rs, 503, "unavailable", "Alert rules are temporarily unavailable. Try again.");
	}
	o = json_object_get(json_object_array_get_idx(arr, 0));
	json_object_put(arr);
	return api_send(c->rs, status, o);
}

int api_alert_rules_get(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct api_ctx c;
	long long id = valid_id(m->params[0]);
	int st;

	if ((st = api_begin_account_or_reply(&c, app, r, rs)) != 0)
		return st;
	if (r->query.n > 0)
		return api_error(rs, 400, "bad_param", "unknown parameter '%.40s'", r->query.items[0].key);
	if (id == 0)
		return api_error(rs, 404, "not_found", "No such alert rule.");
	return rule_send_or_reply(&c, id, 200);
}

/* The change merged over the stored rule into in; 0 or the error sent. */
static int rule_patch_or_reply(struct api_ctx *c, long long id, struct alert_rule_input *in)
{
	struct alert_rule_text stored;
	struct json_fields f = { NULL, &c->r->arena };
	char err[200];
	int st, rc;

	if (c->r->media != MEDIA_JSON)
		return api_error(c->rs, 415, "unsupported_media_type", "Send the change as application/json.");
	if ((rc = db_alert_rule_text(c->app->db, c->key.account_id, id, &stored)) == DB_NOTFOUND)
		return api_error(c->rs, 404, "not_found", "No such alert rule.");
	if (rc != DB_OK)
		return api_error(c->rs, 503, "unavailable", "The rule was not changed. Try again.");
	if ((st = api_json_object_or_reply(c, "invalid_rule", &f.obj)) != 0)
		return st;
	if ((st = api_json_known_or_reply(c, f.obj, rule_fields, RULE_NFIELDS)) != 0) {
		json_object_put(f.obj);
		return st;
	}
	rc = alert_rule_merge(patch_field, &f, &stored, in, err, sizeof(err));
	json_object_put(f.obj);
	return rc != 0 ? api_error(c->rs, 422, "invalid_rule", "%s", err) : webhook_secret_or_reply(c, in);
}

int api_alert_rules_patch(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct api_ctx c;
	struct alert_rule_input in;
	long long id = valid_id(m->params[0]);
	char detail[40];
	int st, rc, no_target;

	if ((st = api_begin_account_or_reply(&c, app, r, rs)) != 0)
		return st;
	if (id == 0)
		return api_error(rs, 404, "not_found", "No such alert rule.");
	if ((st = rule_patch_or_reply(&c, id, &in)) != 0)
		return st;
	if ((rc = db_alert_rule_update(app->db, c.key.account_id, id, &in, &no_target)) == DB_NOTFOUND)
		return no_target ? api_error(rs, 422, "invalid_rule", "There is no such %s.", in.device_uid[0] ? "device" : "group")
		    : api_error(rs, 404, "not_found", "No such alert rule.");
	if (rc != DB_OK)
		return api_error(rs, 503, "unavailable", "The rule was not changed. Try again.");
	snprintf(detail, sizeof(detail), "{\"enabled\":%s}", in.enabled ? "true" : "false");
	rule_audit(&c, "alert.rule_update", id, detail);
	return rule_send_or_reply(&c, id, 200);
}
