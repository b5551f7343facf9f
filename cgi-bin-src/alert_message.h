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
	long long rule_id;          /* 0 when the rule is gone */
	const char *device_uid;     /* the device's public id; NULL or "" when gone */
};

void alert_message_email(const struct alert_event_view *e, const char *base_url,
    char *subject, size_t slen, char *body, size_t blen);
void alert_message_sms(const struct alert_event_view *e, const char *base_url, char *text, size_t len);
/*
 * A webhook's JSON body: one event, or (digest_n > 0 events in e, with
 * event "digest") the events a digest folds together.  delivery_id is the
 * outbox row's id: the same on every retry of one message, so a receiver
 * can drop a repeat.  Returns the length, or 0 when it does not fit len.
 */
size_t alert_message_webhook(const struct alert_event_view *e, size_t n, int digest, long long delivery_id,
    const char *base_url, char *out, size_t len);
/* A digest: n events folded together because of the recipient's budget. */
void alert_message_digest(const struct alert_event_view *e, size_t n, const char *base_url, int sms,
    char *subject, size_t slen, char *body, size_t blen);

#endif
