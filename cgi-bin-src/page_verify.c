/*
 * page_verify.c - GET /verify/{code}: public, no sign-in.  Anyone holding
 * an alert message can check that Gauge really sent it: what it said, for
 * which device and when, and to whom (masked), and what became of each
 * message: a failed SMS is shown failed, not sent.  A code Gauge never
 * issued says so plainly.
 *
 * Times are written as the message wrote them (ISO 8601, milliseconds), so
 * the reading's time on the page and in the message can be compared.
 */
#include <ClearSilver.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "db.h"
#include "db_alert_admin.h"
#include "handlers.h"
#include "page.h"
#include "resp.h"
#include "ts.h"

static int verify_row(void *ctx, const struct db_row *row)
{
	static const char *const cols[] = { "kind", "rule", "device", "channel", "value", "rule_kind" };
	static const char *const times[] = { "reading_at", "since", "raised_at" };
	struct page_ctx *p = ctx;
	const size_t ncols = sizeof(cols) / sizeof(cols[0]);
	char ts[TS_LEN];

	for (size_t i = 0; i < ncols; i++) {
		const char *v = db_row_str(row, i);

		hdf_set_valuef(p->hdf, "event.%s=%s", cols[i], v != NULL ? v : "");
	}
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		ts[0] = '\0';
		if (db_row_str(row, ncols + i) != NULL)
			ts_format(db_row_int(row, ncols + i), ts);
		hdf_set_valuef(p->hdf, "event.%s=%s", times[i], ts);
	}
	return 1;
}

/* What became of one message, in words, and a badge for it. */
static const struct outcome {
	const char *status, *says, *badge;
} outcomes[] = {
	{ "sent",     "sent", "ok" },
	{ "failed",   "failed: not delivered", "bad" },
	{ "pending",  "not sent yet", "public" },
	{ "sending",  "being sent", "public" },
	{ "held",     "held back by the hourly limit, to go out in a digest", "public" },
	{ "unknown",  "unknown: interrupted while sending, it may not have arrived", "bad" },
};

static const struct outcome *outcome_of(const char *status)
{
	for (size_t i = 0; status != NULL && i < sizeof(outcomes) / sizeof(outcomes[0]); i++)
		if (strcmp(status, outcomes[i].status) == 0)
			return &outcomes[i];
	return &outcomes[2];    /* no digest row yet: not sent */
}

/* o***@acme.example, +1415****23: enough to recognise, not to harvest. */
static void mask(const char *addr, char *out, size_t len)
{
	const char *at = strchr(addr, '@');
	size_t n = strlen(addr);

	if (at != NULL)
		snprintf(out, len, "%c***%s", addr[0], at);
	else if (n > 7)
		snprintf(out, len, "%.5s%.*s%s", addr, (int)(n - 7), "****************", addr + n - 2);
	else
		snprintf(out, len, "***");
}

struct recip_ctx {
	struct page_ctx *p;
	int n;
};

static int recipient_row(void *ctx, const struct db_row *row)
{
	struct recip_ctx *c = ctx;
	char masked[300];
	/* A message folded into a digest fared as the digest did. */
	const int digested = strcmp(db_row_str(row, 2), "digested") == 0;
	const struct outcome *o = outcome_of(db_row_str(row, digested ? 3 : 2));

	mask(db_row_str(row, 1), masked, sizeof(masked));
	hdf_set_valuef(c->p->hdf, "recipients.%d.via=%s", c->n, strcmp(db_row_str(row, 0), "sms") == 0 ? "SMS" : "e-mail");
	hdf_set_valuef(c->p->hdf, "recipients.%d.to=%s", c->n, masked);
	hdf_set_valuef(c->p->hdf, "recipients.%d.status=%s", c->n, o->status);
	hdf_set_valuef(c->p->hdf, "recipients.%d.says=%s%s", c->n, digested ? "in a digest: " : "", o->says);
	hdf_set_valuef(c->p->hdf, "recipients.%d.badge=%s", c->n, o->badge);
	c->n++;
	return 0;
}

API_HANDLER(page_verify)
{
	struct page_ctx p;
	struct recip_ctx rc = { NULL, 0 };
	const char *code = m->params[0];
	int st, found;

	if ((st = page_begin(&p, app, r, rs, PAGE_PUBLIC)) != 0)
		return st;
	page_set(&p, "page.title", "Verify an alert");
	page_set(&p, "code", code);
	if (strlen(code) != 32 || strspn(code, "0123456789abcdef") != 32)
		found = DB_NOTFOUND;
	else
		found = db_alert_verify(app->db, code, verify_row, &p);
	if (found < 0)
		return page_error(&p, 503, "Verification is temporarily unavailable. Try again in a moment.");
	if (found == DB_NOTFOUND)
		return page_render(&p, 404, "verify.cs");
	rc.p = &p;
	if (db_alert_verify_recipients(app->db, code, recipient_row, &rc) != DB_OK)
		return page_error(&p, 503, "Verification is temporarily unavailable. Try again in a moment.");
	page_set(&p, "genuine", "1");
	return page_render(&p, 200, "verify.cs");
}
