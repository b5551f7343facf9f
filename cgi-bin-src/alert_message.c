/*
 * alert_message.c - alert texts (see alert_message.h).  Plain text only:
 * it reads the same in every mail client and on every phone.
 */
#include "alert_message.h"

#include <stdio.h>
#include <string.h>

static const char *headline(const struct alert_event_view *e)
{
	if (strcmp(e->kind, "clear") == 0)
		return "Back to normal";
	if (strcmp(e->kind, "reminder") == 0)
		return "Still in alarm";
	if (strcmp(e->kind, "no_data") == 0)
		return "No data";
	return "ALARM";
}

void alert_message_email(const struct alert_event_view *e, const char *base_url,
    char *subject, size_t slen, char *body, size_t blen)
{
	snprintf(subject, slen, "[Gauge] %s: %s on %s", headline(e), e->rule_name, e->device_name);
	snprintf(body, blen,
	    "%s: %s\n\n"
	    "Device:   %s\n"
	    "Channel:  %s\n"
	    "Value:    %s\n"
	    "Time:     %s\n\n"
	    "Verification code: %s\n"
	    "Check that this message really came from Gauge: %s/verify/%s\n\n"
	    "Acknowledge the alarm in the dashboard to stop reminders: %s/alerts/log\n",
	    headline(e), e->rule_name, e->device_name, e->channel, e->value != NULL ? e->value : "(no data)",
	    e->reading_at != NULL ? e->reading_at : "-", e->code, base_url, e->code, base_url);
}

void alert_message_sms(const struct alert_event_view *e, const char *base_url, char *text, size_t len)
{
	snprintf(text, len, "Gauge %s: %s on %s, %s %s at %s. Verify: %s/verify/%s",
	    headline(e), e->rule_name, e->device_name, e->channel, e->value != NULL ? e->value : "-",
	    e->reading_at != NULL ? e->reading_at : "-", base_url, e->code);
}

static size_t digest_line(const struct alert_event_view *e, int sms, char *out, size_t len)
{
	int n;

	if (sms)
		n = snprintf(out, len, " %s %s %s %s;", headline(e), e->device_name, e->channel,
		    e->value != NULL ? e->value : "-");
	else
		n = snprintf(out, len, "- %s  %s: %s on %s, %s %s (code %s)\n",
		    e->reading_at != NULL ? e->reading_at : "-", headline(e), e->rule_name, e->device_name,
		    e->channel, e->value != NULL ? e->value : "-", e->code);
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
