/*
 * alert_rule.h - an alert rule as customers enter it, validated once at
 * the edge (API JSON or dashboard form) into typed values: target device
 * or group, channel, kind and thresholds, timing, and recipients (e-mail
 * addresses and E.164 phone numbers).
 */
#ifndef GAUGE_ALERT_RULE_H
#define GAUGE_ALERT_RULE_H

#include "alert_eval.h"
#include "auth_key.h"
#include "reading.h"

#define ALERT_RECIPIENTS_MAX 10
#define ALERT_ADDRESS_MAX 2048          /* bytes of the longest recipient: a webhook URL */

enum recipient_kind { RECIPIENT_EMAIL, RECIPIENT_SMS, RECIPIENT_WEBHOOK };

/* "email", "sms", "webhook": the recipient's kind and outbox transport as
 * stored; an unknown name reads as e-mail. */
const char *recipient_kind_name(enum recipient_kind k);
enum recipient_kind recipient_kind_parse(const char *name);

struct alert_recipient {
	enum recipient_kind kind;
	char address[ALERT_ADDRESS_MAX + 1];
};

struct alert_rule_input {
	char name[101];
	char device_uid[PUBLIC_ID_LEN + 1];     /* exactly one of device and group */
	char group_uid[PUBLIC_ID_LEN + 1];
	char channel[READING_CHANNEL_LEN + 1];
	struct alert_rule rule;                 /* thresholds and timing, normalised */
	int enabled;
	struct alert_recipient recipients[ALERT_RECIPIENTS_MAX];
	size_t nrecipients;
};

/* Reads one field by name (a form or a JSON object behind it). */
typedef const char *(*alert_field_fn)(void *ctx, const char *name);

/* Fields: name, device | group, channel, kind, threshold, threshold_high,
 * clear_threshold, clear_threshold_high, no_data_minutes, min_duration_s,
 * reminder_minutes (or reminder_s), notify_clear (on/off), enabled (on/off), recipients
 * (comma- or line-separated e-mails, +phone numbers and https:// webhook URLs;
 * a repeated recipient counts once).  0, or -1 with a
 * sentence for the user in err. */
int alert_rule_parse(alert_field_fn get, void *ctx, struct alert_rule_input *in,
    char *err, size_t errlen);
/* A stored rule as the validator's text fields, so a change is checked as
 * a whole rule by alert_rule_parse(): "" for an unset field, numbers as the
 * database wrote them, notify_clear and enabled "on" or "off". */
struct alert_rule_text {
	char name[404], device[PUBLIC_ID_LEN + 1], group[PUBLIC_ID_LEN + 1];
	char channel[READING_CHANNEL_LEN + 1], kind[16];
	char threshold[40], threshold_high[40], clear_threshold[40], clear_threshold_high[40];
	char no_data_minutes[24], min_duration_s[24], reminder_s[24];
	char notify_clear[4], enabled[4];
	char recipients[ALERT_RECIPIENTS_MAX * (ALERT_ADDRESS_MAX + 3)];
};

/* An alert_field_fn over a struct alert_rule_text; NULL for other names. */
const char *alert_rule_text_field(void *rule_text, const char *name);
/* The stored rule with a change over it, validated as a whole by
 * alert_rule_parse().  patch returns NULL for a field it does not change
 * and "" for one it unsets.  When the patch names a device or a group, the
 * target is what it says (the other one is dropped); reminder_minutes
 * replaces a stored reminder_s.  0, or -1 with err as alert_rule_parse(). */
int alert_rule_merge(alert_field_fn patch, void *patch_ctx, const struct alert_rule_text *stored,
    struct alert_rule_input *in, char *err, size_t errlen);

/* A recipient as shown to whoever is not managing the rule (the public
 * verification page, the API's alert history): o***@acme.example,
 * +1415****23, https://hooks.example.com/... -- enough to recognise, not to
 * harvest (a webhook's path often holds a token). */
void alert_recipient_mask(const char *addr, char *out, size_t len);
/* E.164: '+', a non-zero digit, then 7 to 14 more digits. */
int phone_e164_ok(const char *s);
/* A webhook URL as a rule may name it: https:// only, at most
 * ALERT_ADDRESS_MAX bytes of printable ASCII, no user:password@, a host
 * name, IPv4 address or [IPv6] literal, an optional port, no #fragment.
 * 0, or -1 with a sentence for the user in err.  Whether the host is a
 * private address is decided when the webhook is sent (after DNS). */
int webhook_url_check(const char *url, char *err, size_t errlen);
/* The rule names at least one webhook recipient. */
int alert_rule_has_webhook(const struct alert_rule_input *in);

#endif
