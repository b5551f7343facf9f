/*
 * db_user.h - users as the dashboard needs them: sign-in lookups, password
 * and second-factor changes, one-time links, recovery codes, sessions.
 */
#ifndef GAUGE_DB_USER_H
#define GAUGE_DB_USER_H

#include "crypto.h"
#include "valid.h"

struct db;

struct user_row {
	long long id;
	long long account_id;
	enum role role;
	char email[255];
	char password_hash[128];
	int totp_enabled;
	long long totp_last_step;
	unsigned char totp_secret_enc[256];
	size_t totp_secret_len;
};

int db_user_by_email(struct db *db, const char *email, struct user_row *u);
int db_user_by_id(struct db *db, long long id, struct user_row *u);
int db_user_set_password(struct db *db, long long user_id, const char *hash);
/* Stores an encrypted, not yet enabled, TOTP secret. */
int db_user_totp_pending(struct db *db, long long user_id, const unsigned char *enc, size_t len);
int db_user_totp_enable(struct db *db, long long user_id, long long step);
int db_user_totp_disable(struct db *db, long long user_id);
/* Records step as used; DB_NOTFOUND when it (or a later one) already was. */
int db_user_totp_use_step(struct db *db, long long user_id, long long step);

/* Replaces the user's recovery codes with these hashes. */
int db_recovery_replace(struct db *db, long long user_id, const unsigned char (*hashes)[SHA256_LEN], size_t n);
/* Uses a code once: DB_OK when it was unused, DB_NOTFOUND otherwise. */
int db_recovery_use(struct db *db, long long user_id, const unsigned char hash[SHA256_LEN]);
int db_recovery_left(struct db *db, long long user_id, long long *left);

/* One-time links: set_password (new users) and reset_password. */
int db_token_create(struct db *db, long long user_id, const char *purpose,
    const unsigned char hash[SHA256_LEN], unsigned valid_hours);
/* Finds a live token; DB_NOTFOUND when unknown, used or expired. */
int db_token_find(struct db *db, const char *purpose, const unsigned char hash[SHA256_LEN],
    long long *user_id);
/* DB_OK when the user was sent a link for purpose in the last minutes,
 * DB_NOTFOUND when not. */
int db_token_recent(struct db *db, long long user_id, const char *purpose, unsigned minutes);
/* Marks it used; DB_NOTFOUND when it was used meanwhile. */
int db_token_use(struct db *db, const unsigned char hash[SHA256_LEN]);

#endif
