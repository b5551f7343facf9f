/*
 * db_admin.h - what account administrators change: users and roles, the
 * account's own keys, the 2FA requirement, Twilio settings.  Every query
 * is scoped by account id.
 */
#ifndef GAUGE_DB_ADMIN_H
#define GAUGE_DB_ADMIN_H

#include "auth_key.h"
#include "db.h"
#include "valid.h"

int db_admin_users(struct db *db, long long account_id, db_row_fn fn, void *ctx);
/* A user without a password yet, who sets one through a one-time link. */
int db_admin_user_add(struct db *db, long long account_id, const char *email, enum role role, long long *id);
/* DB_NOTFOUND when the user is not in the account; DB_ERROR when the change
 * would leave the account without an administrator. */
int db_admin_user_role(struct db *db, long long account_id, long long user_id, enum role role);
int db_admin_user_remove(struct db *db, long long account_id, long long user_id);
int db_admin_user_email(struct db *db, long long account_id, long long user_id, char *email, size_t len);

int db_admin_account(struct db *db, long long account_id, db_row_fn fn, void *ctx);
int db_admin_set_require_2fa(struct db *db, long long account_id, int on);
int db_admin_set_twilio(struct db *db, long long account_id, const char *sid,
    const unsigned char *token_enc, size_t len, const char *from);
int db_admin_clear_twilio(struct db *db, long long account_id);
/* One row: SID, sealed auth token (bytes), sending number; each NULL when
 * unset.  DB_NOTFOUND when there is no such account. */
int db_admin_twilio(struct db *db, long long account_id, db_row_fn fn, void *ctx);

/* Ends the account's live account keys after grace_s (0: at once, as a
 * device key rotation does; see db_api_keys_retire) and adds key.  The
 * account's keys are listed by db_api_account_keys. */
int db_admin_account_key_regenerate(struct db *db, long long account_id, unsigned grace_s,
    const struct new_key *key);
/* DB_NOTFOUND when the key is not a live account key of the account. */
int db_admin_account_key_revoke(struct db *db, long long account_id, long long key_id);

#endif
