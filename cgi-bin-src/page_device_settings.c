/*
 * page_device_settings.c - /devices/{id}/settings, administrators only:
 * rename, move between groups, key authentication off/on (public read),
 * keys (add, rotate with a grace period, revoke; the table is page_keys.c's),
 * the device's own data-retention window (retention.h), delete with readings.
 * Each POST carries one action; bad input re-displays the page with a
 * message and changes nothing.  Every change is audited.
 */
#include <ClearSilver.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "auth_key.h"
#include "auth_keys.h"
#include "db.h"
#include "db_account.h"
#include "db_api.h"
#include "db_device.h"
#include "db_retention.h"
#include "handlers.h"
#include "page.h"
#include "page_device_common.h"
#include "page_keys.h"
#include "provision.h"
#include "resp.h"
#include "retention.h"
#include "store_readings.h"
#include "valid.h"

static int settings_render(struct page_ctx *p, const struct api_device_row *d, int status)
{
	int account_days;

	page_hdf_device(p, "device", d);
	page_set(p, "page.title", d->name);
	page_set(p, "nav.devices", "1");
	if (page_keys(p, KEY_DEVICE, d->id) != 0 || page_groups_options(p) != 0 ||
	    db_retention_account(p->app->db, p->s.account_id, &account_days) != DB_OK)
		return page_error(p, 503, "Gauge is temporarily unavailable. Try again in a moment.");
	if (d->retention_days > 0)
		page_setf(p, "device.retention_days", "%d", d->retention_days);
	if (account_days > 0)
		page_setf(p, "account_retention_days", "%d", account_days);
	return page_render(p, status, "device_settings.cs");
}

int page_device_settings(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct page_ctx p;
	struct api_device_row d;
	static const struct page_flash flashes[] = {
		{ "renamed", "The device was renamed." }, { "moved", "The device's group was changed." },
		{ "public", "Key authentication is off: anyone with the device id can read its data." },
		{ "private", "Key authentication is on again." }, { "revoked", "The key was revoked." },
		{ "retention", "Data retention saved: older readings are deleted within the hour." },
		{ "retention_off", "This device follows the account's data retention again." },
	};
	int st;

	if ((st = page_begin_or_reply(&p, app, r, rs, PAGE_ADMIN)) != 0)
		return st;
	if ((st = page_device_or_reply(&p, m->params[0], &d)) != 0)
		return st;
	page_flash(&p, flashes, sizeof(flashes) / sizeof(flashes[0]));
	return settings_render(&p, &d, 200);
}

static int settings_done(struct page_ctx *p, const struct api_device_row *d, const char *what)
{
	char loc[128];

	snprintf(loc, sizeof(loc), "/devices/%s/settings?done=%s", d->uid, what);
	return page_redirect(p, loc);
}

static int settings_refuse(struct page_ctx *p, const struct api_device_row *d, const char *msg)
{
	page_set(p, "form.error", msg);
	return settings_render(p, d, 400);
}

static int settings_unavailable(struct page_ctx *p)
{
	return page_error(p, 503, "Nothing was changed: Gauge is temporarily unavailable. Try again.");
}

static int act_rename(struct page_ctx *p, struct api_device_row *d)
{
	const char *name = page_field(p, "name");

	if (!prov_name_ok(name))
		return settings_refuse(p, d, PROV_DEVICE_NAME_RULE);
	if (db_dev_rename(p->app->db, p->s.account_id, d->id, name) != DB_OK)
		return settings_unavailable(p);
	page_audit(p, "device.rename", "device", d->uid, NULL);
	return settings_done(p, d, "renamed");
}

static int act_move(struct page_ctx *p, struct api_device_row *d)
{
	const char *group = page_field(p, "group");
	char name[NAME_MAX_BYTES];
	long long gid = 0;

	if (group == NULL)
		return settings_refuse(p, d, "Choose a group.");
	if (prov_group_find(p->app->db, p->s.account_id, group, &gid, name, sizeof(name)) != DB_OK)
		return settings_refuse(p, d, PROV_NO_SUCH_GROUP);
	if (db_dev_move(p->app->db, p->s.account_id, d->id, gid) != DB_OK)
		return settings_unavailable(p);
	page_audit(p, "device.move", "device", d->uid, NULL);
	return settings_done(p, d, "moved");
}

static int act_public(struct page_ctx *p, struct api_device_row *d)
{
	const char *v = page_field(p, "public");
	int on;

	if (v == NULL || (strcmp(v, "on") != 0 && strcmp(v, "off") != 0))
		return settings_refuse(p, d, "Choose on or off.");
	on = v[1] == 'n';
	if (db_api_device_set_public(p->app->db, d->id, on) != DB_OK)
		return settings_unavailable(p);
	page_audit(p, on ? "device.public_on" : "device.public_off", "device", d->uid, NULL);
	return settings_done(p, d, on ? "public" : "private");
}

static int act_retention(struct page_ctx *p, struct api_device_row *d)
{
	char detail[RETENTION_DETAIL_LEN];
	int days;

	if (!retention_days_parse(page_field(p, "retention_days"), &days))
		return settings_refuse(p, d, RETENTION_DAYS_RULE);
	if (db_retention_set_device(p->app->db, p->s.account_id, d->id, days) != DB_OK)
		return settings_unavailable(p);
	page_audit(p, "device.retention", "device", d->uid, retention_detail(days, detail));
	return settings_done(p, d, days > 0 ? "retention" : "retention_off");
}

static int act_key_new(struct page_ctx *p, struct api_device_row *d)
{
	struct new_key key;
	long long id;

	if (key_generate(KEY_DEVICE, &key) != 0 ||
	    db_key_create(p->app->db, p->s.account_id, d->id, &key, &id) != DB_OK)
		return settings_unavailable(p);
	page_audit(p, "key.create", "device", d->uid, NULL);
	return page_key_shown(p, d, key.key, "added");
}

static int act_key_rotate(struct page_ctx *p, struct api_device_row *d)
{
	struct new_key key;
	char detail[96];
	unsigned grace;
	long long id;

	if (page_key_grace(p, &grace, NULL) != 0)
		return settings_refuse(p, d, "Choose how long the old key keeps working.");
	if (key_generate(KEY_DEVICE, &key) != 0 ||
	    auth_keys_rotate_device(p->app->db, p->s.account_id, d->id, grace, &key, &id) != DB_OK)
		return settings_unavailable(p);
	snprintf(detail, sizeof(detail), "{\"new_key\":\"%s\",\"grace_seconds\":%u}", key.display, grace);
	page_audit(p, "key.rotate", "device", d->uid, detail);
	return page_key_shown(p, d, key.key, "rotated");
}

static int act_key_revoke(struct page_ctx *p, struct api_device_row *d)
{
	long long id = valid_id(page_field(p, "key"));
	char detail[64];
	int rc;

	if (id == 0)
		return settings_refuse(p, d, "Choose a key to revoke.");
	if ((rc = auth_keys_revoke_device(p->app->db, d->id, id)) == DB_NOTFOUND)
		return settings_refuse(p, d, "That key is not an active key of this device (it was revoked or has expired).");
	if (rc != DB_OK)
		return settings_unavailable(p);
	snprintf(detail, sizeof(detail), "{\"key_id\":%lld}", id);
	page_audit(p, "key.revoke", "device", d->uid, detail);
	return settings_done(p, d, "revoked");
}

static int act_delete(struct page_ctx *p, struct api_device_row *d)
{
	const char *confirm = page_field(p, "confirm");
	long long deleted;
	char detail[96];

	if (confirm == NULL || strcmp(confirm, d->name) != 0)
		return settings_refuse(p, d, "To delete, type the device's name exactly.");
	if (prov_device_delete(p->app->db, p->app->store, p->s.account_id, d->id, &deleted) != DB_OK)
		return settings_unavailable(p);
	snprintf(detail, sizeof(detail), "{\"readings_deleted\":%lld}", deleted);
	page_audit(p, "device.delete", "device", d->uid, detail);
	return page_redirect(p, "/devices?deleted=1");
}

static const struct {
	const char *name;
	int (*fn)(struct page_ctx *p, struct api_device_row *d);
} settings_actions[] = {
	{ "rename", act_rename }, { "move", act_move }, { "public", act_public }, { "retention", act_retention },
	{ "key_new", act_key_new }, { "key_rotate", act_key_rotate },
	{ "key_revoke", act_key_revoke }, { "delete", act_delete },
};

int page_device_settings_post(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct page_ctx p;
	struct api_device_row d;
	const char *action;
	int st;

	if ((st = page_begin_or_reply(&p, app, r, rs, PAGE_ADMIN)) != 0)
		return st;
	if ((st = page_device_or_reply(&p, m->params[0], &d)) != 0)
		return st;
	action = page_field(&p, "action");
	for (size_t i = 0; action != NULL && i < sizeof(settings_actions) / sizeof(settings_actions[0]); i++)
		if (strcmp(action, settings_actions[i].name) == 0)
			return settings_actions[i].fn(&p, &d);
	return settings_refuse(&p, &d, "Unknown action.");
}
