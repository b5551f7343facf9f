/*
 * alert_message.h - the words of an alert: e-mail subject and body, SMS
 * text.  Every message carries its verification code and the public link
 * where anyone holding it can check that Gauge really sent it.
 *
 * A message says only what happened: the value and time of the reading it
 * reports (never the moment of evaluation), "no data since" the last
 * reading for a silence, and a request to acknowledge only where that
 * does something (an alarm that is still on).
 */
#ifndef GAUGE_ALERT_MESSAGE_H
#define GAUGE_ALERT_MESSAGE_H

#include <stddef.h>

struct alert_event_view {
	const char *code;
	const char *kind;           /* alarm, reminder, clear, no_data */
	int no_data;                /* the rule watches for silence, not a value */
	const char *rule_name;
	const char *device_name;
	const char *channel;
	const char *value;          /* as text; NULL when there is none (no_data) */
	const char *reading_at;     /* the reading's own time, ISO 8601 UTC, or NULL */
	const char *since;          /* condition held since (no_data: silent since), or NULL */
};

void alert_message_email(const struct alert_event_view *e, const char *base_url,
    char *subject, size_t slen, char *body, size_t blen);
void alert_message_sms(const struct alert_event_view *e, const char *base_url, char *text, size_t len);
/* A digest: n events folded together because of the recipient's budget. */
void alert_message_digest(const struct alert_event_view *e, size_t n, const char *base_url, int sms,
    char *subject, size_t slen, char *body, size_t blen);

#endif
