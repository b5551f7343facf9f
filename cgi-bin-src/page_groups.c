/*
 * page_groups.c - /groups: device groups of the account with their
 * devices.  Everyone signed in reads; administrators create, rename,
 * delete (devices stay, ungrouped) and assign devices.  Audited.
 */
#include <ClearSilver.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "db.h"
#include "db_api.h"
#include "db_device.h"
#include "handlers.h"
#include "page.h"
#include "page_device_common.h"
#include "provision.h"
#include "resp.h"
#include "valid.h"

struct groups_ctx {
	struct page_ctx *p;
	int n;
};

static int device_row(void *ctx, const struct api_device_row *d)
{
	struct groups_ctx *c = ctx;

	hdf_set_valuef(c->p->hdf, "devices.%d.id=%s", c->n, d->uid);
	hdf_set_valuef(c->p->hdf, "devices.%d.name=%s", c->n, d->name);
	hdf_set_valuef(c->p->hdf, "devices.%d.group=%s", c->n, d->group_uid);
	c->n++;
	return 0;
}

static int groups_render(struct page_ctx *p, int status)
{
	struct groups_ctx d = { p, 0 };

	page_set(p, "page.title", "Groups");
	page_set(p, "nav.groups", "1");
	if (page_groups_options(p) != 0 ||
	    db_api_devices(p->app->db, p->s.account_id, NULL, device_row, &d) != DB_OK)
		return page_error(p, 503, "Gauge is temporarily unavailable. Try again in a moment.");
	return page_render(p, status, "groups.cs");
}

int page_groups(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	static const struct page_flash flashes[] = {
		{ "created", "The group was created." }, { "renamed", "The group was renamed." },
		{ "deleted", "The group was deleted; its devices are now ungrouped." },
		{ "assigned", "The device's group was changed." },
	};
	struct page_ctx p;
	int st;

	(void)m;
	if ((st = page_begin_or_reply(&p, app, r, rs, PAGE_VIEWER)) != 0)
		return st;
	page_flash(&p, flashes, sizeof(flashes) / sizeof(flashes[0]));
	return groups_render(&p, 200);
}

static int refuse(struct page_ctx *p, const char *msg)
{
	page_set(p, "form.error", msg);
	return groups_render(p, 400);
}

static int done(struct page_ctx *p, const char *what)
{
	char loc[48];

	snprintf(loc, sizeof(loc), "/groups?done=%s", what);
	return page_redirect(p, loc);
}

static int unavailable(struct page_ctx *p)
{
	return page_error(p, 503, "Nothing was changed: Gauge is temporarily unavailable. Try again.");
}

/* The group named by the form's "group" field, in the user's account. */
static int form_group(struct page_ctx *p, long long *id, char *name, size_t len)
{
	const char *uid = page_field(p, "group");

	return uid != NULL && *uid != '\0' &&
	    prov_group_find(p->app->db, p->s.account_id, uid, id, name, len) == DB_OK ? 0 : -1;
}

static int act_create(struct page_ctx *p)
{
	const char *name = page_field(p, "name");
	char uid[PUBLIC_ID_LEN + 1];
	int rc;

	if (!prov_name_ok(name))
		return refuse(p, PROV_GROUP_NAME_RULE);
	if ((rc = db_group_create(p->app->db, p->s.account_id, name, uid)) == DB_DUPLICATE)
		return refuse(p, PROV_GROUP_TAKEN);
	if (rc != DB_OK)
		return unavailable(p);
	page_audit(p, "group.create", "group", uid, NULL);
	return done(p, "created");
}

static int act_rename(struct page_ctx *p)
{
	const char *name = page_field(p, "name");
	char old[NAME_MAX_BYTES];
	long long id;
	int rc;

	if (form_group(p, &id, old, sizeof(old)) != 0)
		return refuse(p, PROV_NO_SUCH_GROUP);
	if (!prov_name_ok(name))
		return refuse(p, PROV_GROUP_NAME_RULE);
	if ((rc = db_group_rename(p->app->db, p->s.account_id, id, name)) == DB_DUPLICATE)
		return refuse(p, PROV_GROUP_TAKEN);
	if (rc != DB_OK)
		return unavailable(p);
	page_audit(p, "group.rename", "group", page_field(p, "group"), NULL);
	return done(p, "renamed");
}

static int act_delete(struct page_ctx *p)
{
	char name[NAME_MAX_BYTES];
	const char *confirm = page_field(p, "confirm");
	long long id;

	if (form_group(p, &id, name, sizeof(name)) != 0)
		return refuse(p, PROV_NO_SUCH_GROUP);
	if (confirm == NULL || strcmp(confirm, name) != 0)
		return refuse(p, "To delete a group, type its name exactly.");
	if (db_group_delete(p->app->db, p->s.account_id, id) != DB_OK)
		return unavailable(p);
	page_audit(p, "group.delete", "group", page_field(p, "group"), NULL);
	return done(p, "deleted");
}

static int act_assign(struct page_ctx *p)
{
	const char *group = page_field(p, "group"), *dev = page_field(p, "device");
	struct api_device_row d;
	char name[NAME_MAX_BYTES];
	long long id = 0;

	if (!valid_public_id(dev, "dev_") || db_dev_get(p->app->db, p->s.account_id, dev, &d) != DB_OK)
		return refuse(p, "There is no such device in your account.");
	if (prov_group_find(p->app->db, p->s.account_id, group, &id, name, sizeof(name)) != DB_OK)
		return refuse(p, PROV_NO_SUCH_GROUP);
	if (db_dev_move(p->app->db, p->s.account_id, d.id, id) != DB_OK)
		return unavailable(p);
	page_audit(p, "device.move", "device", d.uid, NULL);
	return done(p, "assigned");
}

static const struct {
	const char *name;
	int (*fn)(struct page_ctx *p);
} group_actions[] = {
	{ "create", act_create }, { "rename", act_rename }, { "delete", act_delete }, { "assign", act_assign },
};

int page_groups_post(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct page_ctx p;
	const char *action;
	int st;

	(void)m;
	if ((st = page_begin_or_reply(&p, app, r, rs, PAGE_ADMIN)) != 0)
		return st;
	action = page_field(&p, "action");
	for (size_t i = 0; action != NULL && i < sizeof(group_actions) / sizeof(group_actions[0]); i++)
		if (strcmp(action, group_actions[i].name) == 0)
			return group_actions[i].fn(&p);
	return refuse(&p, "Unknown action.");
}
