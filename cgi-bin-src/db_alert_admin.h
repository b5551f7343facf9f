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
/* Replaces every field of a rule with in (recipients too).  A rule that now
 * watches another kind, channel or target starts afresh: its evaluation
 * state goes.  A rule enabled again notes when (enabled_at): readings
 * received while it was disabled are never evaluated against it.  DB_NOTFOUND when the rule is not in the account (*no_target
 * 0) or the device or group is not (*no_target 1). */
int db_alert_rule_update(struct db *db, long long account_id, long long rule_id,
    const struct alert_rule_input *in, int *no_target);
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
/* One rule of the account as the validator's text (for a change to be
 * checked as a whole rule); DB_NOTFOUND when there is none. */
int db_alert_rule_text(struct db *db, long long account_id, long long rule_id, struct alert_rule_text *t);
/* One rule of the account; DB_NOTFOUND when there is none. */
int db_alert_rule_get(struct db *db, long long account_id, long long rule_id,
    db_alert_rule_fn fn, void *ctx);

/* One alert event as the alert log shows it; every string is the
 * database's text ("" for NULL), valid during the callback only. */
struct alert_event_info {
	const char *id, *at, *kind, *rule, *device, *channel, *value, *code;
	const char *rule_id, *device_uid;
	const char *deliveries;     /* "recipient: status; ..." */
	const char *ackable;        /* "1" while the alarm it belongs to is active and unacknowledged */
	const char *reading_at, *rule_kind;
	const char *acked_at, *acked_by;        /* "" when not acknowledged */
};

typedef int (*db_alert_event_fn)(void *ctx, const struct alert_event_info *e);
/* The account's 200 newest alert events, newest first. */
int db_alert_log(struct db *db, long long account_id, db_alert_event_fn fn, void *ctx);
/* Acknowledges the alarm of a rule on a device (stops reminders) and
 * stamps its events (from the alarm's latest alarm or no_data event on)
 * with the time and actor, the label the audit log gives the actor (user
 * e-mail or key prefix); user_id 0 for a key.  DB_NOTFOUND when that alarm
 * is not active and unacknowledged. */
int db_alert_ack(struct db *db, long long account_id, long long rule_id, const char *device_uid,
    long long user_id, const char *actor);

/* The alert history through the API: which events to list. */
enum alert_events_state {
	ALERT_EVENTS_ANY,
	ALERT_EVENTS_OPEN,              /* ackable now: its alarm is active and unacknowledged */
	ALERT_EVENTS_ACKNOWLEDGED,      /* acknowledged (whether or not cleared since) */
	ALERT_EVENTS_UNACKNOWLEDGED,    /* an alarm, no_data or reminder never acknowledged */
};

struct alert_events_filter {
	long long account_id;
	long long event_id;             /* one event; 0 for any */
	long long before_id;            /* the cursor: events older (lower id) only; 0 for none */
	long long from_ms, to_ms;       /* fired within [from, to) when has_from, has_to */
	int has_from, has_to;
	char device_uid[PUBLIC_ID_LEN + 1];     /* "" for any */
	long long rule_id;              /* 0 for any */
	enum alert_events_state state;
	size_t limit;
};

/* One event with one of its deliveries, newest event first, its deliveries
 * in order: an event with n deliveries comes as n rows (one row, with
 * delivery.transport NULL, when it has none).  Strings are valid during the
 * callback only; NULL where the database holds NULL. */
struct alert_event_row {
	long long id;
	const char *kind;               /* alarm, clear, reminder, no_data */
	const char *rule_kind, *channel, *code;
	long long rule_id;              /* 0 when the event has no rule id */
	const char *rule_name;
	const char *device_uid;         /* NULL when the device was deleted */
	const char *device_name;
	double value;
	int has_value;
	long long reading_at_ms, fired_at_ms, acked_at_ms;
	int has_reading_at, has_acked;
	const char *acked_by;
	int open;                       /* POST .../ack would act on it now */
	struct alert_delivery_row {
		const char *transport;  /* email, sms; NULL: no delivery on this row */
		const char *recipient, *status;
		const char *digest_status;      /* the digest's status when status is "digested" */
		long long attempts;
		const char *last_error;
	} delivery;
};

typedef int (*db_alert_event_row_fn)(void *ctx, const struct alert_event_row *e);
/* The account's events matching f, newest first, at most f->limit events. */
int db_alert_events(struct db *db, const struct alert_events_filter *f,
    db_alert_event_row_fn fn, void *ctx);

/* One rule's state on a device ("" for NULL; valid during the callback). */
struct alert_state_info {
	const char *rule, *channel;
	const char *state;          /* "ok" before any evaluation */
	const char *since;          /* "YYYY-MM-DD HH:MM:SS UTC", "" when never */
	const char *acked;          /* "1" when acknowledged */
	const char *enabled;        /* "1", or "0" for a disabled rule (it sends nothing) */
};

typedef int (*db_alert_state_fn)(void *ctx, const struct alert_state_info *s);
/* The states of the rules that apply to a device, disabled ones too, by rule name. */
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
