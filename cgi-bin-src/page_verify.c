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
#include <stdio.h>
#include <string.h>

#include "alert_rule.h"
#include "app.h"
#include "db.h"
#include "db_alert_admin.h"
#include "handlers.h"
#include "page.h"
#include "resp.h"
#include "ts.h"

static int verify_row(void *ctx, const struct alert_verify_info *v)
{
	const struct { const char *name, *value; } strs[] = {
		{ "kind", v->kind }, { "rule", v->rule }, { "device", v->device }, { "channel", v->channel },
		{ "value", v->value }, { "rule_kind", v->rule_kind },
	};
	const struct { const char *name; int has; long long ms; } times[] = {
		{ "reading_at", v->has_reading_at, v->reading_at_ms }, { "since", v->has_since, v->since_ms },
		{ "raised_at", v->has_raised_at, v->raised_at_ms },
	};
	struct page_ctx *p = ctx;
	char ts[TS_LEN];

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		hdf_set_valuef(p->hdf, "event.%s=%s", strs[i].name, strs[i].value);
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		ts[0] = '\0';
		if (times[i].has)
			ts_format(times[i].ms, ts);
		hdf_set_valuef(p->hdf, "event.%s=%s", times[i].name, ts);
	}
	return 0;
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

struct recip_ctx {
	struct page_ctx *p;
	int n;
};

static int recipient_row(void *ctx, const struct alert_message_info *m)
{
	struct recip_ctx *c = ctx;
	char masked[300];
	/* A message folded into a digest fared as the digest did. */
	const int digested = strcmp(m->status, "digested") == 0;
	const struct outcome *o = outcome_of(digested ? m->digest_status : m->status);

	alert_recipient_mask(m->recipient, masked, sizeof(masked));
	hdf_set_valuef(c->p->hdf, "recipients.%d.via=%s", c->n, strcmp(m->transport, "sms") == 0 ? "SMS" : "e-mail");
	hdf_set_valuef(c->p->hdf, "recipients.%d.to=%s", c->n, masked);
	hdf_set_valuef(c->p->hdf, "recipients.%d.status=%s", c->n, o->status);
	hdf_set_valuef(c->p->hdf, "recipients.%d.says=%s%s", c->n, digested ? "in a digest: " : "", o->says);
	hdf_set_valuef(c->p->hdf, "recipients.%d.badge=%s", c->n, o->badge);
	c->n++;
	return 0;
}

int page_verify(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct page_ctx p;
	struct recip_ctx rc = { NULL, 0 };
	const char *code = m->params[0];
	int st, found;

	if ((st = page_begin_or_reply(&p, app, r, rs, PAGE_PUBLIC)) != 0)
		return st;
	page_set(&p, "page.title", "Verify an alert");
	page_set(&p, "code", code);
	if (strlen(code) != 32 || strspn(code, "0123456789abcdef") != 32)
		found = DB_NOTFOUND;
	else
		found = db_alert_verify(app->db, code, verify_row, &p);
	if (found != DB_OK && found != DB_NOTFOUND)
		return page_error(&p, 503, "Verification is temporarily unavailable. Try again in a moment.");
	if (found == DB_NOTFOUND)
		return page_render(&p, 404, "verify.cs");
	rc.p = &p;
	if (db_alert_verify_recipients(app->db, code, recipient_row, &rc) != DB_OK)
		return page_error(&p, 503, "Verification is temporarily unavailable. Try again in a moment.");
	page_set(&p, "genuine", "1");
	return page_render(&p, 200, "verify.cs");
}
