/*
 * alert_message.c - alert texts (see alert_message.h).  Plain text only:
 * it reads the same in every mail client and on every phone.
 *
 * One short phrase of fact (fact()) serves the SMS and the digest lines;
 * the e-mail spells the same facts out one per line.
 */
#include "alert_message.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_clear(const struct alert_event_view *e)
{
	return strcmp(e->kind, "clear") == 0;
}

static int is_reminder(const struct alert_event_view *e)
{
	return strcmp(e->kind, "reminder") == 0;
}

/* A silence: a no_data alarm, or a reminder of one (events from before
 * rule kinds were recorded say so only by their kind). */
static int is_silence(const struct alert_event_view *e)
{
	return (e->no_data || strcmp(e->kind, "no_data") == 0) && !is_clear(e);
}

static const char *or_dash(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : "-";
}

static const char *headline(const struct alert_event_view *e)
{
	if (is_clear(e))
		return "Back to normal";
	if (is_reminder(e))
		return is_silence(e) ? "Still no data" : "Still in alarm";
	if (is_silence(e))
		return "No data";
	return "ALARM";
}

/* "since" is worth saying when it is a different moment from the reading. */
static int has_since(const struct alert_event_view *e)
{
	return e->since != NULL && e->since[0] != '\0' &&
	    (e->reading_at == NULL || strcmp(e->since, e->reading_at) != 0);
}

/* The facts in one phrase: "temp 96 at T (since S)", "no data since T". */
static void fact(const struct alert_event_view *e, char *out, size_t len)
{
	if (is_silence(e))
		snprintf(out, len, "no data since %s", or_dash(e->reading_at));
	else if (e->no_data)
		snprintf(out, len, "data again at %s%s%s%s", or_dash(e->reading_at),
		    has_since(e) ? " (none since " : "", has_since(e) ? e->since : "", has_since(e) ? ")" : "");
	else
		snprintf(out, len, "%s %s at %s%s%s%s", e->channel, or_dash(e->value), or_dash(e->reading_at),
		    has_since(e) && !is_clear(e) ? " (since " : "", has_since(e) && !is_clear(e) ? e->since : "",
		    has_since(e) && !is_clear(e) ? ")" : "");
}

/* The lines between "Channel:" and the verification code. */
static void facts_block(const struct alert_event_view *e, char *out, size_t len)
{
	char since[160] = "";

	if (is_silence(e)) {
		snprintf(out, len, "No data has arrived since the last reading, taken at %s.\n", or_dash(e->reading_at));
		return;
	}
	if (e->no_data) {
		if (has_since(e))
			snprintf(since, sizeof(since), " No data had arrived since %s.", e->since);
		snprintf(out, len, "Data arrives again: a reading taken at %s.%s\n", or_dash(e->reading_at), since);
		return;
	}
	if (has_since(e) && !is_clear(e))
		snprintf(since, sizeof(since), "Since:    %s (the condition has held since then)\n", e->since);
	snprintf(out, len, "Value:    %s\nTime:     %s (when this reading was taken)\n%s",
	    or_dash(e->value), or_dash(e->reading_at), since);
}

/* What the reader can do: acknowledging only stops reminders of an alarm
 * that is on, so a back-to-normal message does not ask for it. */
static void action_line(const struct alert_event_view *e, const char *base_url, char *out, size_t len)
{
	if (is_clear(e))
		snprintf(out, len, "The alarm is over; there is nothing to acknowledge. Alert log: %s/alerts/log\n", base_url);
	else if (is_reminder(e))
		snprintf(out, len, "Acknowledge the alarm in the dashboard to stop these reminders: %s/alerts/log\n", base_url);
	else
		snprintf(out, len, "See or acknowledge the alarm in the dashboard: %s/alerts/log\n", base_url);
}

void alert_message_email(const struct alert_event_view *e, const char *base_url,
    char *subject, size_t slen, char *body, size_t blen)
{
	char facts[512], action[512];

	facts_block(e, facts, sizeof(facts));
	action_line(e, base_url, action, sizeof(action));
	snprintf(subject, slen, "[Gauge] %s: %s on %s", headline(e), e->rule_name, e->device_name);
	snprintf(body, blen,
	    "%s: %s\n\n"
	    "Device:   %s\n"
	    "Channel:  %s\n"
	    "%s\n"
	    "Verification code: %s\n"
	    "Check that this message really came from Gauge: %s/verify/%s\n\n"
	    "%s",
	    headline(e), e->rule_name, e->device_name, e->channel, facts, e->code, base_url, e->code, action);
}

void alert_message_sms(const struct alert_event_view *e, const char *base_url, char *text, size_t len)
{
	char f[256];

	fact(e, f, sizeof(f));
	snprintf(text, len, "Gauge %s: %s on %s, %s. Verify: %s/verify/%s",
	    headline(e), e->rule_name, e->device_name, f, base_url, e->code);
}

static size_t digest_line(const struct alert_event_view *e, int sms, char *out, size_t len)
{
	char f[256];
	int n;

	if (sms) {  /* short: an SMS digest has little room */
		if (e->no_data)
			snprintf(f, sizeof(f), "%s", is_silence(e) ? "no data" : "data again");
		else
			snprintf(f, sizeof(f), "%s %s", e->channel, or_dash(e->value));
		n = snprintf(out, len, " %s %s %s;", headline(e), e->device_name, f);
	} else {
		fact(e, f, sizeof(f));
		n = snprintf(out, len, "- %s: %s on %s, %s (code %s)\n", headline(e), e->rule_name, e->device_name,
		    f, e->code);
	}
	return n < 0 ? 0 : (size_t)n;
}

void alert_message_digest(const struct alert_event_view *e, size_t n, const char *base_url, int sms,
    char *subject, size_t slen, char *body, size_t blen)
{
	size_t used;

	snprintf(subject, slen, "[Gauge] %zu alerts held back, summarised", n);
	if (sms)
		used = (size_t)snprintf(body, blen, "Gauge: %zu alerts (hourly limit reached):", n);
	else
		used = (size_t)snprintf(body, blen, "You reached your hourly limit of alert messages, "
		    "so these %zu alerts were folded into this one:\n\n", n);
	for (size_t i = 0; i < n && used < blen; i++)
		used += digest_line(&e[i], sms, body + used, blen - used);
	if (used >= blen)
		return;
	if (sms)
		snprintf(body + used, blen - used, " Details: %s/alerts/log", base_url);
	else
		snprintf(body + used, blen - used, "\nCheck any of them at %s/verify/<code>.\n", base_url);
}

static struct json_object *opt_string(const char *s)
{
	return s != NULL && s[0] != '\0' ? json_object_new_string(s) : NULL;
}

/* One event as a webhook receiver reads it, in the alert history API's
 * words (event kind, rule, device, channel, value, reading_at, verification). */
static struct json_object *webhook_event(const struct alert_event_view *e, const char *base_url)
{
	struct json_object *o = json_object_new_object(), *rule = json_object_new_object(),
	    *dev = json_object_new_object(), *ver = json_object_new_object();
	char url[512];

	json_object_object_add(rule, "id", e->rule_id != 0 ? json_object_new_int64(e->rule_id) : NULL);
	json_object_object_add(rule, "name", json_object_new_string(e->rule_name));
	json_object_object_add(dev, "id", opt_string(e->device_uid));
	json_object_object_add(dev, "name", json_object_new_string(e->device_name));
	snprintf(url, sizeof(url), "%s/verify/%s", base_url, e->code);
	json_object_object_add(ver, "code", json_object_new_string(e->code));
	json_object_object_add(ver, "url", json_object_new_string(url));
	json_object_object_add(o, "event", json_object_new_string(e->kind));
	json_object_object_add(o, "rule", rule);
	json_object_object_add(o, "device", dev);
	json_object_object_add(o, "channel", json_object_new_string(e->channel));
	/* The value as MySQL printed it: a JSON number already, kept digit for digit. */
	json_object_object_add(o, "value", e->value != NULL && e->value[0] != '\0'
	    ? json_object_new_double_s(strtod(e->value, NULL), e->value) : NULL);
	json_object_object_add(o, "reading_at", opt_string(e->reading_at));
	json_object_object_add(o, "since", opt_string(e->since));
	json_object_object_add(o, "verification", ver);
	return o;
}

size_t alert_message_webhook(const struct alert_event_view *e, size_t n, int digest, long long delivery_id,
    const char *base_url, char *out, size_t len)
{
	struct json_object *o, *events;
	const char *text;
	size_t tlen;

	if (digest) {
		o = json_object_new_object();
		json_object_object_add(o, "event", json_object_new_string("digest"));
		events = json_object_new_array();
		for (size_t i = 0; i < n; i++)
			json_object_array_add(events, webhook_event(&e[i], base_url));
		json_object_object_add(o, "events", events);
	} else {
		o = webhook_event(e, base_url);
	}
	json_object_object_add(o, "delivery_id", json_object_new_int64(delivery_id));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	tlen = strlen(text);
	if (tlen >= len)
		tlen = 0;
	else
		memcpy(out, text, tlen + 1);
	json_object_put(o);
	return tlen;
}
