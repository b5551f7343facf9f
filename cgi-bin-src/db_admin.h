/*
 * db_admin.h - what account administrators change: users and roles, the
 * 2FA requirement, Twilio settings; and what gaugectl asks as the
 * operator.  Every dashboard query is scoped by account id.  The account's
 * own keys are changed through auth_keys.h.
 */
#ifndef GAUGE_DB_ADMIN_H
#define GAUGE_DB_ADMIN_H

#include "auth_key.h"
#include "db.h"
#include "secretbox.h"
#include "valid.h"

/* One user as the account page lists it. */
struct admin_user_row {
	long long id;
	char email[255];
	enum role role;
	int totp_enabled;
	int has_password;           /* 0: invited, no password set yet */
	char created[32];           /* "YYYY-MM-DD HH:MM UTC" */
};

typedef int (*db_admin_user_fn)(void *ctx, const struct admin_user_row *u);
/* The account's users by e-mail address. */
int db_admin_users(struct db *db, long long account_id, db_admin_user_fn fn, void *ctx);
/* A user without a password yet, who sets one through a one-time link. */
int db_admin_user_add(struct db *db, long long account_id, const char *email, enum role role, long long *id);
/* DB_NOTFOUND when the user is not in the account; DB_ERROR when the change
 * would leave the account without an administrator. */
int db_admin_user_role(struct db *db, long long account_id, long long user_id, enum role role);
int db_admin_user_remove(struct db *db, long long account_id, long long user_id);
int db_admin_user_email(struct db *db, long long account_id, long long user_id, char *email, size_t len);

/* The account's settings as its page shows them ("" for what is unset). */
struct admin_account_row {
	char name[101];
	int require_2fa;
	char twilio_sid[64];
	int twilio_token_set;
	char twilio_from[32];
	int webhook_secret_set;
};

/* DB_NOTFOUND when there is no such account. */
int db_admin_account(struct db *db, long long account_id, struct admin_account_row *a);
int db_admin_set_require_2fa(struct db *db, long long account_id, int on);
int db_admin_set_twilio(struct db *db, long long account_id, const char *sid,
    const unsigned char *token_enc, size_t len, const char *from);
int db_admin_clear_twilio(struct db *db, long long account_id);
/* The account's webhook secret, sealed (send_webhook.h), replacing any. */
int db_admin_set_webhook_secret(struct db *db, long long account_id, const unsigned char *enc, size_t len);
/* *set: whether the account has a webhook secret. */
int db_admin_webhook_secret_set(struct db *db, long long account_id, int *set);

/* The account's stored Twilio settings; a NULL column leaves its *_set 0. */
struct admin_twilio_row {
	int sid_set, token_set, from_set;
	char sid[128];
	unsigned char token_enc[SECRETBOX_SEALED_LEN(128)];
	size_t token_len;           /* 0 when longer than token_enc (never stored so) */
	char from[64];
};

/* DB_NOTFOUND when there is no such account.  Inside a transaction the row
 * stays locked until commit. */
int db_admin_twilio(struct db *db, long long account_id, struct admin_twilio_row *t);

/* gaugectl: a device's internal id and account by its public id;
 * DB_NOTFOUND when there is none. */
int db_admin_device_by_uid(struct db *db, const char *uid, long long *id, long long *account_id);

typedef int (*db_outbox_count_fn)(void *ctx, const char *status, long long n);
/* gaugectl status: how many outbox messages are in each status. */
int db_admin_outbox_counts(struct db *db, db_outbox_count_fn fn, void *ctx);

typedef int (*db_named_fn)(void *ctx, const char *name, const char *value);
/* gaugectl status: "oldest_undelivered" (always; NULL value when nothing
 * waits), then "last_poll" and "evaluator" when alertd has recorded them,
 * in that order.  Times are ISO 8601 UTC to the second. */
int db_admin_alert_times(struct db *db, db_named_fn fn, void *ctx);

#endif
