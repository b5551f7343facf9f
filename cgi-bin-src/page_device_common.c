/*
 * page_device_common.c - the device pages' shared pieces (see
 * page_device_common.h).  They left page_devices.c so that the settings
 * and alert pages depend on these few functions, not on the device list.
 */
#include "page_device_common.h"

#include <ClearSilver.h>
#include <stdio.h>

#include "app.h"
#include "db.h"
#include "db_api.h"
#include "db_device.h"
#include "page.h"
#include "valid.h"

int page_device_get(struct app *app, long long account_id, const char *uid,
    struct api_device_row *d)
{
	return valid_public_id(uid, "dev_") ? db_dev_get(app->db, account_id, uid, d) : DB_NOTFOUND;
}

int page_device_or_reply(struct page_ctx *p, const char *uid, struct api_device_row *d)
{
	int rc = page_device_get(p->app, p->s.account_id, uid, d);

	if (rc == DB_NOTFOUND)
		return page_error(p, 404, "There is no such device in your account.");
	if (rc != DB_OK)
		return page_error(p, 503, "Gauge is temporarily unavailable. Try again in a moment.");
	return 0;
}

void page_hdf_device(struct page_ctx *p, const char *prefix, const struct api_device_row *d)
{
	char key[96];

	snprintf(key, sizeof(key), "%s.id", prefix);
	page_set(p, key, d->uid);
	snprintf(key, sizeof(key), "%s.name", prefix);
	page_set(p, key, d->name);
	snprintf(key, sizeof(key), "%s.group", prefix);
	page_set(p, key, d->group_name);
	snprintf(key, sizeof(key), "%s.group_id", prefix);
	page_set(p, key, d->group_uid);
	snprintf(key, sizeof(key), "%s.public", prefix);
	page_set(p, key, d->public_read ? "1" : "");
}

struct groups_ctx {
	struct page_ctx *p;
	int n;
};

static int group_option(void *ctx, const struct api_group_row *g)
{
	struct groups_ctx *c = ctx;

	hdf_set_valuef(c->p->hdf, "groups.%d.id=%s", c->n, g->uid);
	hdf_set_valuef(c->p->hdf, "groups.%d.name=%s", c->n, g->name);
	hdf_set_valuef(c->p->hdf, "groups.%d.count=%lld", c->n, g->devices);
	c->n++;
	return 0;
}

int page_groups_options(struct page_ctx *p)
{
	struct groups_ctx g = { p, 0 };

	return db_api_groups(p->app->db, p->s.account_id, group_option, &g) == DB_OK ? 0 : -1;
}

int page_key_shown(struct page_ctx *p, const struct api_device_row *d, const char *key,
    const char *why)
{
	page_hdf_device(p, "device", d);
	page_set(p, "key.value", key);
	page_set(p, "key.why", why);
	page_set(p, "page.title", "New device key");
	page_set(p, "nav.devices", "1");
	return page_render(p, 201, "key_shown.cs");
}
