/*
 * fuzz_alert_rule.c - alert_rule_parse(): an alert rule as a customer
 * enters it, here as the dashboard's form body (req_parse_urlencoded(),
 * then the form's fields by name; the API's JSON reaches the same parser
 * as the same text).
 *
 * A rule that parses is what alert_rule.h promises: a valid name kept
 * whole, exactly one target of PUBLIC_ID_LEN characters, a channel name, a
 * kind whose thresholds make sense (alert_rule_normalise's rules), timings
 * within their bounds, 1..ALERT_RECIPIENTS_MAX recipients each a valid
 * e-mail address or E.164 number.  The rule written back as a form (the
 * numbers as %.17g, the timings in their units) parses to the same rule.
 * A refusal says why.
 */
#include <math.h>
#include <stdio.h>

#include "alert_rule.h"
#include "arena.h"
#include "fuzz.h"
#include "req.h"
#include "valid.h"

static const char *form_field(void *ctx, const char *name)
{
	return kv_get(ctx, name);
}

static int same_number(double a, double b)
{
	return (isnan(a) && isnan(b)) || a == b;
}

static void check_rule(const struct alert_rule_input *in, const struct kvlist *form)
{
	const struct alert_rule *r = &in->rule;

	INVARIANT(valid_name(in->name) && strcmp(in->name, kv_get(form, "name")) == 0,
	    "name '%s'", in->name);
	INVARIANT((in->device_uid[0] != '\0') != (in->group_uid[0] != '\0'), "two targets or none");
	INVARIANT(strlen(in->device_uid[0] != '\0' ? in->device_uid : in->group_uid) == PUBLIC_ID_LEN,
	    "target '%s%s'", in->device_uid, in->group_uid);
	INVARIANT(channel_name_ok(in->channel), "channel '%s'", in->channel);
	switch (r->kind) {
	case ALERT_ABOVE:
		INVARIANT(isfinite(r->threshold) && r->clear <= r->threshold, "above %g clear %g",
		    r->threshold, r->clear);
		break;
	case ALERT_BELOW:
		INVARIANT(isfinite(r->threshold) && r->clear >= r->threshold, "below %g clear %g",
		    r->threshold, r->clear);
		break;
	case ALERT_OUTSIDE:
		INVARIANT(r->threshold < r->threshold_high && r->threshold <= r->clear &&
		    r->clear <= r->clear_high && r->clear_high <= r->threshold_high,
		    "outside %g..%g clear %g..%g", r->threshold, r->threshold_high, r->clear, r->clear_high);
		break;
	case ALERT_NO_DATA:
		INVARIANT(r->no_data_ms > 0, "no data after %lld ms", r->no_data_ms);
		break;
	default:
		INVARIANT(0, "kind %d", (int)r->kind);
	}
	INVARIANT(r->no_data_ms >= 0 && r->no_data_ms <= 10080LL * 60000, "no data %lld", r->no_data_ms);
	INVARIANT(r->min_duration_ms >= 0 && r->min_duration_ms <= 86400000LL, "min duration %lld",
	    r->min_duration_ms);
	INVARIANT(r->reminder_ms >= 0 && r->reminder_ms <= 604800000LL, "reminder %lld", r->reminder_ms);
	INVARIANT((r->notify_clear == 0 || r->notify_clear == 1) && (in->enabled == 0 || in->enabled == 1),
	    "flags");
	INVARIANT(in->nrecipients >= 1 && in->nrecipients <= ALERT_RECIPIENTS_MAX, "%zu recipients",
	    in->nrecipients);
	for (size_t i = 0; i < in->nrecipients; i++) {
		const struct alert_recipient *p = &in->recipients[i];

		INVARIANT(p->kind == RECIPIENT_SMS ? phone_e164_ok(p->address) : valid_email(p->address),
		    "recipient '%s'", p->address);
	}
}

/* The rule as a form again; the strings live in the arena. */
static void rule_form(struct arena *a, const struct alert_rule_input *in, struct kvlist *f)
{
	static const char *const kinds[] = { "above", "below", "outside", "no_data" };
	const struct alert_rule *r = &in->rule;
	const double nums[] = { r->threshold, r->threshold_high, r->clear, r->clear_high };
	static const char *const num_names[] = { "threshold", "threshold_high", "clear_threshold",
		"clear_threshold_high" };
	char buf[ALERT_RECIPIENTS_MAX * 256], num[40];
	size_t o = 0;

#define ADD(k, v) do { \
	f->items[f->n].key = (k); \
	f->items[f->n].val = arena_strdup(a, (v)); \
	f->n++; \
} while (0)
	f->items = arena_alloc(a, 16 * sizeof(*f->items));
	f->n = 0;
	f->cap = 16;
	INVARIANT(f->items != NULL, "out of memory");
	ADD("name", in->name);
	ADD(in->device_uid[0] != '\0' ? "device" : "group",
	    in->device_uid[0] != '\0' ? in->device_uid : in->group_uid);
	ADD("channel", in->channel);
	ADD("kind", kinds[r->kind]);
	for (size_t i = 0; i < 4; i++) {
		if (isnan(nums[i]))
			continue;
		snprintf(num, sizeof(num), "%.17g", nums[i]);
		ADD(num_names[i], num);
	}
	snprintf(num, sizeof(num), "%lld", r->no_data_ms / 60000);
	ADD("no_data_minutes", num);
	snprintf(num, sizeof(num), "%lld", r->min_duration_ms / 1000);
	ADD("min_duration_s", num);
	snprintf(num, sizeof(num), "%lld", r->reminder_ms / 1000);
	ADD("reminder_s", num);
	ADD("notify_clear", r->notify_clear ? "on" : "off");
	ADD("enabled", in->enabled ? "on" : "off");
	for (size_t i = 0; i < in->nrecipients; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", i ? "," : "",
		    in->recipients[i].address);
	ADD("recipients", buf);
#undef ADD
}

static void check_round_trip(struct arena *a, const struct alert_rule_input *in)
{
	struct alert_rule_input again;
	struct kvlist f;
	char err[200] = "";

	rule_form(a, in, &f);
	INVARIANT(alert_rule_parse(form_field, &f, &again, err, sizeof(err)) == 0,
	    "the rule written back is refused: %s", err);
	INVARIANT(strcmp(again.name, in->name) == 0 && strcmp(again.device_uid, in->device_uid) == 0 &&
	    strcmp(again.group_uid, in->group_uid) == 0 && strcmp(again.channel, in->channel) == 0,
	    "name, target or channel changed");
	INVARIANT(again.rule.kind == in->rule.kind && same_number(again.rule.threshold, in->rule.threshold) &&
	    same_number(again.rule.threshold_high, in->rule.threshold_high) &&
	    same_number(again.rule.clear, in->rule.clear) &&
	    same_number(again.rule.clear_high, in->rule.clear_high), "thresholds changed");
	INVARIANT(again.rule.no_data_ms == in->rule.no_data_ms &&
	    again.rule.min_duration_ms == in->rule.min_duration_ms &&
	    again.rule.reminder_ms == in->rule.reminder_ms &&
	    again.rule.notify_clear == in->rule.notify_clear && again.enabled == in->enabled,
	    "timing or flags changed");
	INVARIANT(again.nrecipients == in->nrecipients, "%zu recipients became %zu", in->nrecipients,
	    again.nrecipients);
	for (size_t i = 0; i < in->nrecipients; i++)
		INVARIANT(again.recipients[i].kind == in->recipients[i].kind &&
		    strcmp(again.recipients[i].address, in->recipients[i].address) == 0,
		    "recipient %zu changed", i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct alert_rule_input in;
	struct kvlist form = { NULL, 0, 0 };
	struct arena a;
	char err[200];

	arena_init(&a);
	if (req_parse_urlencoded(&a, (const char *)data, size, &form) == 0) {
		err[0] = '\0';
		if (alert_rule_parse(form_field, &form, &in, err, sizeof(err)) == 0) {
			check_rule(&in, &form);
			check_round_trip(&a, &in);
		} else {
			INVARIANT(err[0] != '\0', "refused without a reason");
		}
	}
	arena_free(&a);
	return 0;
}
