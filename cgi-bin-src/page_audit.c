/*
 * page_audit.c - /audit, administrators only: the account's audit log,
 * newest first, 100 a page (keyset paging on id, so pages stay right while
 * new events arrive), optionally one area of actions.
 */
#include <ClearSilver.h>
#include <string.h>

#include "app.h"
#include "db.h"
#include "db_account.h"
#include "handlers.h"
#include "page.h"
#include "resp.h"
#include "valid.h"

#define AUDIT_PAGE 100

/* The areas an administrator can filter by: action prefixes. */
static const char *const audit_areas[] = {
	"login", "logout", "password", "2fa", "session", "user", "key", "device", "group",
	"readings", "account", "twilio", "alert",
};

struct audit_ctx {
	struct page_ctx *p;
	int n;
	long long last_id;
};

static int audit_row(void *ctx, const struct audit_event *e)
{
	struct audit_ctx *c = ctx;
	const struct page_item items[] = {
		{ "at", e->at }, { "who", e->who }, { "action", e->action }, { "type", e->target_type },
		{ "target", e->target_id }, { "detail", e->detail }, { "result", e->result }, { "ip", e->ip },
	};

	hdf_set_valuef(c->p->hdf, "events.%d.id=%lld", c->n, e->id);
	page_items(c->p, "events", c->n, items, sizeof(items) / sizeof(items[0]));
	c->last_id = e->id;
	c->n++;
	return 0;
}

int page_audit_log(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	const char *area = req_param(r, "action"), *before = req_param(r, "before");
	struct audit_ctx c = { NULL, 0, 0 };
	struct page_ctx p;
	long long before_id = 0;
	int st, rc;

	(void)m;
	if ((st = page_begin_or_reply(&p, app, r, rs, PAGE_ADMIN)) != 0)
		return st;
	if (area != NULL && *area != '\0') {
		size_t i;

		for (i = 0; i < sizeof(audit_areas) / sizeof(audit_areas[0]); i++)
			if (strcmp(area, audit_areas[i]) == 0)
				break;
		if (i == sizeof(audit_areas) / sizeof(audit_areas[0]))
			return page_error(&p, 400, "Unknown filter.");
		page_set(&p, "filter", area);
	}
	if (before != NULL && (before_id = valid_id(before)) == 0)
		return page_error(&p, 400, "Unknown page.");
	for (size_t i = 0; i < sizeof(audit_areas) / sizeof(audit_areas[0]); i++)
		hdf_set_valuef(p.hdf, "areas.%zu=%s", i, audit_areas[i]);
	c.p = &p;
	rc = db_audit_list(app->db, p.s.account_id, area != NULL && *area != '\0' ? area : NULL,
	    before_id, AUDIT_PAGE, audit_row, &c);
	if (rc != DB_OK)
		return page_error(&p, 503, "Gauge is temporarily unavailable. Try again in a moment.");
	if (c.n == AUDIT_PAGE)
		page_setf(&p, "older", "%lld", c.last_id);
	page_set(&p, "page.title", "Audit log");
	page_set(&p, "nav.audit", "1");
	return page_render(&p, 200, "audit.cs");
}
