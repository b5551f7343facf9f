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
int db_alert_rules_list(struct db *db, long long account_id, db_row_fn fn, void *ctx);
int db_alert_rule_recipients(struct db *db, long long account_id, long long rule_id, db_row_fn fn, void *ctx);
int db_alert_log(struct db *db, long long account_id, db_row_fn fn, void *ctx);
/* Acknowledges the alarm of a rule on a device (stops reminders). */
int db_alert_ack(struct db *db, long long account_id, long long rule_id, const char *device_uid, long long user_id);
int db_alert_states_of_device(struct db *db, long long account_id, const char *device_uid, db_row_fn fn, void *ctx);
int db_alert_verify(struct db *db, const char *code, db_row_fn fn, void *ctx);
int db_alert_verify_recipients(struct db *db, const char *code, db_row_fn fn, void *ctx);

#endif
