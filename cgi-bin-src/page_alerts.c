/*
 * page_alerts.c - alerts in the dashboard:
 *   GET/POST /alerts      rules: users and administrators read, create,
 *                         edit (?edit=id shows the form), disable, enable
 *                         and delete them (the API's validator, same words;
 *                         a change is merged over the stored rule and the
 *                         whole rule checked, as PATCH does)
 *   GET/POST /alerts/log  events with their delivery status; users and
 *                         administrators acknowledge an alarm (no more reminders)
 * Viewers are refused both: rules name their recipients (e-mail addresses,
 * phone numbers) and the log lists every delivery, and the README's role
 * table gives viewers no alert rules.
 */
#include <ClearSilver.h>
#include <stdio.h>
#include <string.h>

#include "alert_rule.h"
#include "app.h"
#include "db.h"
#include "db_alert_admin.h"
#include "db_api.h"
#include "handlers.h"
#include "webhook_secret.h"
#include "page.h"
#include "page_device_common.h"
#include "resp.h"
#include "valid.h"

struct list_ctx {
	struct page_ctx *p;
	int n;
};

/* The edit form's fields: every one a rule has, as the validator names them. */
static const char *const edit_fields[] = { "name", "device", "group", "channel", "kind", "threshold",
	"threshold_high", "clear_threshold", "clear_threshold_high", "no_data_minutes", "min_duration_s",
	"reminder_s", "notify_clear", "enabled", "recipients", NULL };

static int rule_row(void *ctx, const struct alert_rule_info *ri)
{
	struct list_ctx *c = ctx;
	const struct page_item fields[] = {
		{ "name", ri->name }, { "channel", ri->channel }, { "kind", ri->kind },
		{ "threshold", ri->threshold }, { "threshold_high", ri->threshold_high },
		{ "clear", ri->clear }, { "clear_high", ri->clear_high },
		{ "no_data_minutes", ri->no_data_minutes }, { "min_duration_s", ri->min_duration_s },
		{ "reminder_s", ri->reminder_s }, { "notify_clear", ri->notify_clear ? "1" : "0" },
		{ "enabled", ri->enabled ? "1" : "0" }, { "device_id", ri->device_uid },
		{ "device", ri->device_name }, { "group_id", ri->group_uid }, { "group", ri->group_name },
		{ "recipients", ri->recipients },
	};

	hdf_set_valuef(c->p->hdf, "rules.%d.id=%lld", c->n, ri->id);
	page_items(c->p, "rules", c->n, fields, sizeof(fields) / sizeof(fields[0]));
	c->n++;
	return 0;
}

static int device_option(void *ctx, const struct api_device_row *d)
{
	struct list_ctx *c = ctx;

	hdf_set_valuef(c->p->hdf, "devices.%d.id=%s", c->n, d->uid);
	hdf_set_valuef(c->p->hdf, "devices.%d.name=%s", c->n, d->name);
	c->n++;
	return 0;
}

static int rules_render(struct page_ctx *p, int status)
{
	struct list_ctx rules = { p, 0 }, devs = { p, 0 };

	page_set(p, "page.title", "Alerts");
	page_set(p, "nav.alerts", "1");
	if (db_alert_rules_list(p->app->db, p->s.account_id, rule_row, &rules) != DB_OK ||
	    db_api_devices(p->app->db, p->s.account_id, NULL, device_option, &devs) != DB_OK ||
	    page_groups_options(p) != 0)
		return page_error(p, 503, "Gauge is temporarily unavailable. Try again in a moment.");
	return page_render(p, status, "alerts.cs");
}

static const struct {
	const char *done, *says;
} done_flash[] = {
	{ "created", "The rule was created." }, { "deleted", "The rule was deleted." },
	{ "updated", "The rule was saved." }, { "disabled", "The rule is disabled: it sends nothing until enabled." },
	{ "enabled", "The rule is enabled." },
};

/* The edit form of ?edit=id, filled from the stored rule. */
static int edit_form(struct page_ctx *p, const char *edit)
{
	struct alert_rule_text t;
	long long id = valid_id(edit);
	int rc;

	if (id == 0 || (rc = db_alert_rule_text(p->app->db, p->s.account_id, id, &t)) == DB_NOTFOUND) {
		page_set(p, "form.error", "There is no such rule in your account.");
		return rules_render(p, 404);
	}
	if (rc != DB_OK)
		return page_error(p, 503, "Gauge is temporarily unavailable. Try again in a moment.");
	hdf_set_valuef(p->hdf, "edit.id=%lld", id);
	for (const char *const *f = edit_fields; *f != NULL; f++)
		hdf_set_valuef(p->hdf, "edit.%s=%s", *f, alert_rule_text_field(&t, *f));
	return rules_render(p, 200);
}

int page_alerts(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	const char *done = req_param(r, "done"), *edit = req_param(r, "edit");
	struct page_ctx p;
	int st;

	(void)m;
	if ((st = page_begin_or_reply(&p, app, r, rs, PAGE_USER)) != 0)
		return st;
	for (size_t i = 0; done != NULL && i < sizeof(done_flash) / sizeof(done_flash[0]); i++)
		if (strcmp(done, done_flash[i].done) == 0)
			page_set(&p, "flash", done_flash[i].says);
	if (edit != NULL)
		return edit_form(&p, edit);
	return rules_render(&p, 200);
}

static const char *form_field(void *ctx, const char *name)
{
	return page_field(ctx, name);
}

static void keep_form(struct page_ctx *p)
{
	static const char *const fields[] = { "name", "device", "group", "channel", "kind", "threshold", "threshold_high",
		"clear_threshold", "clear_threshold_high", "no_data_minutes", "min_duration_s",
		"reminder_minutes", "recipients" };

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		hdf_set_valuef(p->hdf, "form.%s=%s", fields[i], page_field(p, fields[i]) ? page_field(p, fields[i]) : "");
}

/* A webhook recipient needs the account's secret (webhook_secret.h): 1
 * with the sentence in err when the rule cannot be saved for that. */
static int webhook_refused(struct page_ctx *p, const struct alert_rule_input *in, char *err, size_t len)
{
	switch (webhook_secret_rule_check(p->app->db, p->s.account_id, in)) {
	case WEBHOOK_SECRET_OK:
		return 0;
	case WEBHOOK_SECRET_MISSING:
		snprintf(err, len, "%s", WEBHOOK_SECRET_MISSING_MSG);
		return 1;
	default:
		snprintf(err, len, "Nothing was saved: Gauge is temporarily unavailable. Try again.");
		return 1;
	}
}

static int act_create(struct page_ctx *p)
{
	struct alert_rule_input in;
	char err[200], id[24];
	long long rule;
	int rc;

	if (alert_rule_parse(form_field, p, &in, err, sizeof(err)) != 0 || webhook_refused(p, &in, err, sizeof(err))) {
		page_set(p, "form.error", err);
		keep_form(p);
		return rules_render(p, 400);
	}
	if ((rc = db_alert_rule_create(p->app->db, p->s.account_id, p->s.user_id, &in, &rule)) == DB_NOTFOUND) {
		page_set(p, "form.error", "There is no such device or group in your account.");
		keep_form(p);
		return rules_render(p, 400);
	}
	if (rc != DB_OK)
		return page_error(p, 503, "The rule was not saved: Gauge is temporarily unavailable.");
	snprintf(id, sizeof(id), "%lld", rule);
	page_audit(p, "alert.rule_create", "alert_rule", id, NULL);
	return page_redirect(p, "/alerts?done=created");
}

/* The edit form's fields kept after a refusal, as they were posted. */
static void keep_edit(struct page_ctx *p, long long id)
{
	hdf_set_valuef(p->hdf, "edit.id=%lld", id);
	for (const char *const *f = edit_fields; *f != NULL; f++)
		hdf_set_valuef(p->hdf, "edit.%s=%s", *f, page_field(p, *f) ? page_field(p, *f) : "");
}

/* enable and disable change one field: the rest is the stored rule. */
static const char *enable_field(void *ctx, const char *name)
{
	return strcmp(name, "enabled") == 0 ? ctx : NULL;
}

/* update (the edit form), enable, disable: the change merged over the
 * stored rule, the whole rule validated, then saved and audited. */
static int act_change(struct page_ctx *p, const char *action)
{
	long long id = valid_id(page_field(p, "rule"));
	int edit = strcmp(action, "update") == 0, rc, no_target;
	struct alert_rule_text stored;
	struct alert_rule_input in;
	char err[200], target[24], detail[40], done[40];

	if (id == 0 || (rc = db_alert_rule_text(p->app->db, p->s.account_id, id, &stored)) == DB_NOTFOUND) {
		page_set(p, "form.error", "There is no such rule in your account.");
		return rules_render(p, 400);
	}
	if (rc != DB_OK)
		return page_error(p, 503, "Nothing was changed: Gauge is temporarily unavailable.");
	if (edit ? alert_rule_merge(form_field, p, &stored, &in, err, sizeof(err)) != 0
	    : alert_rule_merge(enable_field, (void *)(action[0] == 'e' ? "on" : "off"), &stored, &in, err, sizeof(err)) != 0
	    || webhook_refused(p, &in, err, sizeof(err))) {
		page_set(p, "form.error", err);
		if (edit)
			keep_edit(p, id);
		return rules_render(p, 400);
	}
	if ((rc = db_alert_rule_update(p->app->db, p->s.account_id, id, &in, &no_target)) == DB_NOTFOUND) {
		page_set(p, "form.error", no_target ? "There is no such device or group in your account."
		    : "There is no such rule in your account.");
		if (edit)
			keep_edit(p, id);
		return rules_render(p, 400);
	}
	if (rc != DB_OK)
		return page_error(p, 503, "Nothing was changed: Gauge is temporarily unavailable.");
	snprintf(target, sizeof(target), "%lld", id);
	snprintf(detail, sizeof(detail), "{\"enabled\":%s}", in.enabled ? "true" : "false");
	page_audit(p, "alert.rule_update", "alert_rule", target, detail);
	snprintf(done, sizeof(done), "/alerts?done=%s", edit ? "updated" : in.enabled ? "enabled" : "disabled");
	return page_redirect(p, done);
}

static int act_delete(struct page_ctx *p)
{
	long long id = valid_id(page_field(p, "rule"));
	int rc;

	if (id == 0 || (rc = db_alert_rule_delete(p->app->db, p->s.account_id, id)) == DB_NOTFOUND) {
		page_set(p, "form.error", "There is no such rule in your account.");
		return rules_render(p, 400);
	}
	if (rc != DB_OK)
		return page_error(p, 503, "Nothing was changed: Gauge is temporarily unavailable.");
	page_audit(p, "alert.rule_delete", "alert_rule", page_field(p, "rule"), NULL);
	return page_redirect(p, "/alerts?done=deleted");
}

int page_alerts_post(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct page_ctx p;
	const char *action;
	int st;

	(void)m;
	if ((st = page_begin_or_reply(&p, app, r, rs, PAGE_USER)) != 0)
		return st;
	action = page_field(&p, "action");
	if (action != NULL && strcmp(action, "create") == 0)
		return act_create(&p);
	if (action != NULL && strcmp(action, "delete") == 0)
		return act_delete(&p);
	if (action != NULL && (strcmp(action, "update") == 0 || strcmp(action, "enable") == 0 ||
	    strcmp(action, "disable") == 0))
		return act_change(&p, action);
	page_set(&p, "form.error", "Unknown action.");
	return rules_render(&p, 400);
}

static int event_row(void *ctx, const struct alert_event_info *e)
{
	struct list_ctx *c = ctx;
	const struct page_item items[] = {
		{ "id", e->id }, { "at", e->at }, { "kind", e->kind }, { "rule", e->rule },
		{ "device", e->device }, { "channel", e->channel }, { "value", e->value }, { "code", e->code },
		{ "rule_id", e->rule_id }, { "device_id", e->device_uid }, { "deliveries", e->deliveries },
		{ "ackable", e->ackable }, { "reading_at", e->reading_at }, { "rule_kind", e->rule_kind },
		{ "acked_at", e->acked_at }, { "acked_by", e->acked_by },
	};

	page_items(c->p, "events", c->n, items, sizeof(items) / sizeof(items[0]));
	c->n++;
	return 0;
}

static int log_render(struct page_ctx *p, int status)
{
	struct list_ctx c = { p, 0 };

	page_set(p, "page.title", "Alert log");
	page_set(p, "nav.alerts", "1");
	if (db_alert_log(p->app->db, p->s.account_id, event_row, &c) != DB_OK)
		return page_error(p, 503, "Gauge is temporarily unavailable. Try again in a moment.");
	return page_render(p, status, "alert_log.cs");
}

int page_alert_log(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct page_ctx p;
	int st;

	(void)m;
	if ((st = page_begin_or_reply(&p, app, r, rs, PAGE_USER)) != 0)
		return st;
	if (req_param(r, "acked") != NULL)
		page_set(&p, "flash", "Acknowledged: no more reminders for this alarm.");
	return log_render(&p, 200);
}

int page_alert_log_post(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct page_ctx p;
	long long rule;
	const char *dev;
	char detail[80];
	int st, rc;

	(void)m;
	if ((st = page_begin_or_reply(&p, app, r, rs, PAGE_USER)) != 0)
		return st;
	rule = valid_id(page_field(&p, "rule"));
	dev = page_field(&p, "device");
	if (rule == 0 || !valid_public_id(dev, "dev_") || (rc = db_alert_ack(app->db, p.s.account_id, rule, dev, p.s.user_id, p.s.email)) == DB_NOTFOUND) {
		page_set(&p, "form.error", "That alarm is not active (it may have cleared or been acknowledged).");
		return log_render(&p, 400);
	}
	if (rc != DB_OK)
		return page_error(&p, 503, "Nothing was changed: Gauge is temporarily unavailable.");
	snprintf(detail, sizeof(detail), "{\"rule\":%lld}", rule);
	page_audit(&p, "alert.acknowledge", "device", dev, detail);
	return page_redirect(&p, "/alerts/log?acked=1");
}
