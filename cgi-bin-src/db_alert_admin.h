/*
 * db_alert_admin.h - alert rules as customers manage them, the alert log,
 * acknowledgement, and the public verification of a message.  Scoped by
 * account everywhere except verification, which needs only the code.
 */
#ifndef GAUGE_DB_ALERT_ADMIN_H
#define GAUGE_DB_ALERT_ADMIN_H

#include "alert_rule.h"
#include "db.h"

/* DB_NOTFOUND when the device or group is not in the account. */
int db_alert_rule_create(struct db *db, long long account_id, long long user_id,
    const struct alert_rule_input *in, long long *id);
int db_alert_rule_delete(struct db *db, long long account_id, long long rule_id);
/* One rule as the lists show it.  The strings are valid during the callback
 * only; the numbers are the database's text for them (NULL when unset), so
 * the page shows what was stored and the API reads it with strtod. */
struct alert_rule_info {
	long long id;
	const char *name, *channel, *kind;
	const char *threshold, *threshold_high, *clear, *clear_high;
	const char *no_data_minutes, *min_duration_s, *reminder_s;
	int notify_clear, enabled;
	const char *device_uid, *device_name;   /* NULL for a group's rule */
	const char *group_uid, *group_name;     /* NULL for a device's rule */
	const char *recipients;                 /* "a, b", "" for none */
};

typedef int (*db_alert_rule_fn)(void *ctx, const struct alert_rule_info *r);
/* The account's rules by name. */
int db_alert_rules_list(struct db *db, long long account_id, db_alert_rule_fn fn, void *ctx);

/* One alert event as the alert log shows it; every string is the
 * database's text ("" for NULL), valid during the callback only. */
struct alert_event_info {
	const char *id, *at, *kind, *rule, *device, *channel, *value, *code;
	const char *rule_id, *device_uid;
	const char *deliveries;     /* "recipient: status; ..." */
	const char *ackable;        /* "1" while the alarm it raised is unacknowledged */
	const char *reading_at, *rule_kind;
};

typedef int (*db_alert_event_fn)(void *ctx, const struct alert_event_info *e);
/* The account's 200 newest alert events, newest first. */
int db_alert_log(struct db *db, long long account_id, db_alert_event_fn fn, void *ctx);
/* Acknowledges the alarm of a rule on a device (stops reminders). */
int db_alert_ack(struct db *db, long long account_id, long long rule_id, const char *device_uid, long long user_id);

/* One enabled rule's state on a device ("" for NULL; valid during the callback). */
struct alert_state_info {
	const char *rule, *channel;
	const char *state;          /* "ok" before any evaluation */
	const char *since;          /* "YYYY-MM-DD HH:MM:SS UTC", "" when never */
	const char *acked;          /* "1" when acknowledged */
};

typedef int (*db_alert_state_fn)(void *ctx, const struct alert_state_info *s);
/* The states of the rules that apply to a device, by rule name. */
int db_alert_states_of_device(struct db *db, long long account_id, const char *device_uid,
    db_alert_state_fn fn, void *ctx);

/* An alert event as the public verification page shows it ("" for NULL
 * strings; valid during the callback only); times are epoch ms, with
 * has_* 0 when the time is NULL. */
struct alert_verify_info {
	const char *kind, *rule, *device, *channel, *value, *rule_kind;
	long long reading_at_ms, since_ms, raised_at_ms;
	int has_reading_at, has_since, has_raised_at;
};

typedef int (*db_alert_verify_fn)(void *ctx, const struct alert_verify_info *v);
/* Calls fn with the event carrying code; DB_NOTFOUND when there is none. */
int db_alert_verify(struct db *db, const char *code, db_alert_verify_fn fn, void *ctx);

/* One message of a verified event ("" for NULL; valid during the callback). */
struct alert_message_info {
	const char *transport;      /* "email" or "sms" */
	const char *recipient;
	const char *status;
	const char *digest_status;  /* the digest's status when status is "digested" */
};

typedef int (*db_alert_message_fn)(void *ctx, const struct alert_message_info *m);
int db_alert_verify_recipients(struct db *db, const char *code, db_alert_message_fn fn, void *ctx);

#endif
