/*
 * page_keys.c - what the device settings page (device keys) and the
 * account page (account keys) share: the key table's rows and the choice
 * of how long old keys keep working after a rotation.  One set of words
 * for both pages, so a key that ended with its grace period reads
 * "expired" wherever it is shown, and one that was revoked "revoked".
 *
 * Times are printed as the rest of the dashboard prints them,
 * "2026-11-24 18:00:35 UTC"; the API prints the same instants as
 * millisecond ISO 8601.
 */
#include <ClearSilver.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "db_api.h"
#include "page_keys.h"

/* The grace periods a page offers, in the order shown. */
static const struct {
	const char *value;
	unsigned seconds;
	const char *label;
} key_graces[] = {
	{ "0", 0, "no time (stop now)" }, { "3600", 3600, "1 hour" },
	{ "86400", 86400, "1 day" }, { "604800", 604800, "7 days" },
};

#define KEY_GRACE_DEFAULT "86400"

void page_time(long long ms, char out[PAGE_TIME_LEN])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	out[0] = '\0';
	if (ms != 0 && gmtime_r(&t, &tm) != NULL)
		strftime(out, PAGE_TIME_LEN, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

struct keys_ctx {
	struct page_ctx *p;
	int n;
};

static void key_time(struct page_ctx *p, int n, const char *name, long long ms)
{
	char t[PAGE_TIME_LEN];

	page_time(ms, t);
	hdf_set_valuef(p->hdf, "keys.%d.%s=%s", n, name, t);
}

static int key_row(void *ctx, const struct api_key_info *k)
{
	struct keys_ctx *c = ctx;

	hdf_set_valuef(c->p->hdf, "keys.%d.id=%lld", c->n, k->id);
	hdf_set_valuef(c->p->hdf, "keys.%d.prefix=%s", c->n, k->prefix);
	hdf_set_valuef(c->p->hdf, "keys.%d.status=%s", c->n, key_status_name(k->status));
	hdf_set_valuef(c->p->hdf, "keys.%d.last_ip=%s", c->n, k->last_ip);
	key_time(c->p, c->n, "created", k->created_ms);
	key_time(c->p, c->n, "expires", k->expires_ms);
	key_time(c->p, c->n, "revoked", k->revoked_ms);
	key_time(c->p, c->n, "last_used", k->last_used_ms);
	c->n++;
	return 0;
}

int page_keys(struct page_ctx *p, enum key_kind kind, long long owner_id)
{
	struct keys_ctx c = { p, 0 };
	size_t i;

	for (i = 0; i < sizeof(key_graces) / sizeof(key_graces[0]); i++) {
		hdf_set_valuef(p->hdf, "graces.%zu.value=%s", i, key_graces[i].value);
		hdf_set_valuef(p->hdf, "graces.%zu.label=%s", i, key_graces[i].label);
	}
	page_set(p, "grace_default", KEY_GRACE_DEFAULT);
	if (kind == KEY_ACCOUNT)
		return db_api_account_keys(p->app->db, owner_id, key_row, &c) == DB_OK ? 0 : -1;
	return db_api_device_keys(p->app->db, owner_id, key_row, &c) == DB_OK ? 0 : -1;
}

int page_key_grace(const struct page_ctx *p, unsigned *grace, const char **label)
{
	const char *g = page_field(p, "grace");

	for (size_t i = 0; g != NULL && i < sizeof(key_graces) / sizeof(key_graces[0]); i++)
		if (strcmp(g, key_graces[i].value) == 0) {
			*grace = key_graces[i].seconds;
			if (label != NULL)
				*label = key_graces[i].label;
			return 0;
		}
	return -1;
}
