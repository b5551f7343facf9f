/*
 * db_user.c - user queries (see db_user.h).
 */
#include "db_user.h"

#include <string.h>

#include "db.h"

#define USER_COLS "u.id, u.account_id, u.role, u.email, COALESCE(u.password_hash, ''), " \
	"u.totp_enabled, COALESCE(u.totp_last_step, -1), u.totp_secret_enc "

static int user_row_fn(void *ctx, const struct db_row *row)
{
	struct user_row *u = ctx;
	int role = valid_role(db_row_str(row, 2));

	u->id = db_row_int(row, 0);
	u->account_id = db_row_int(row, 1);
	u->role = role >= 0 ? (enum role)role : ROLE_VIEWER;
	db_row_copy(u->email, sizeof(u->email), row, 3);
	db_row_copy(u->password_hash, sizeof(u->password_hash), row, 4);
	u->totp_enabled = db_row_int(row, 5) != 0;
	u->totp_last_step = db_row_int(row, 6);
	u->totp_secret_len = 0;
	if (row->cols[7] != NULL && row->lens[7] <= sizeof(u->totp_secret_enc)) {
		memcpy(u->totp_secret_enc, row->cols[7], row->lens[7]);
		u->totp_secret_len = row->lens[7];
	}
	return 1;
}

int db_user_by_email(struct db *db, const char *email, struct user_row *u)
{
	memset(u, 0, sizeof(*u));
	return db_query(db, "SELECT " USER_COLS "FROM users u WHERE u.email = ?",
	    DB_ARGS(DB_TEXT(email)), user_row_fn, u);
}

int db_user_by_id(struct db *db, long long id, struct user_row *u)
{
	memset(u, 0, sizeof(*u));
	return db_query(db, "SELECT " USER_COLS "FROM users u WHERE u.id = ?",
	    DB_ARGS(DB_INT(id)), user_row_fn, u);
}

int db_user_set_password(struct db *db, long long user_id, const char *hash)
{
	return db_exec(db, "UPDATE users SET password_hash = ?, password_changed_at = UTC_TIMESTAMP(3) "
	    "WHERE id = ?", DB_ARGS(DB_TEXT(hash), DB_INT(user_id)), NULL);
}

int db_user_totp_pending(struct db *db, long long user_id, const unsigned char *enc, size_t len)
{
	return db_exec(db, "UPDATE users SET totp_secret_enc = ?, totp_enabled = 0 WHERE id = ?",
	    DB_ARGS(DB_BLOB(enc, len), DB_INT(user_id)), NULL);
}

int db_user_totp_enable(struct db *db, long long user_id, long long step)
{
	return db_exec(db, "UPDATE users SET totp_enabled = 1, totp_last_step = ? WHERE id = ? "
	    "AND totp_secret_enc IS NOT NULL", DB_ARGS(DB_INT(step), DB_INT(user_id)), NULL);
}

int db_user_totp_disable(struct db *db, long long user_id)
{
	int rc = db_exec(db, "UPDATE users SET totp_enabled = 0, totp_secret_enc = NULL, "
	    "totp_last_step = NULL WHERE id = ?", DB_ARGS(DB_INT(user_id)), NULL);

	if (rc == DB_OK)
		rc = db_exec(db, "DELETE FROM recovery_codes WHERE user_id = ?", DB_ARGS(DB_INT(user_id)), NULL);
	return rc;
}

int db_user_totp_use_step(struct db *db, long long user_id, long long step)
{
	struct db_result res;
	/* The condition makes "a code works once" hold across workers too. */
	int rc = db_exec(db, "UPDATE users SET totp_last_step = ? WHERE id = ? "
	    "AND (totp_last_step IS NULL OR totp_last_step < ?)",
	    DB_ARGS(DB_INT(step), DB_INT(user_id), DB_INT(step)), &res);

	if (rc == DB_OK && res.affected == 0)
		return DB_NOTFOUND;
	return rc;
}

int db_recovery_replace(struct db *db, long long user_id, const unsigned char (*hashes)[SHA256_LEN], size_t n)
{
	int rc = db_begin(db);

	if (rc == DB_OK)
		rc = db_exec(db, "DELETE FROM recovery_codes WHERE user_id = ?", DB_ARGS(DB_INT(user_id)), NULL);
	for (size_t i = 0; rc == DB_OK && i < n; i++)
		rc = db_exec(db, "INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)",
		    DB_ARGS(DB_INT(user_id), DB_BLOB(hashes[i], SHA256_LEN)), NULL);
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK)
		db_rollback(db);
	return rc;
}

int db_recovery_use(struct db *db, long long user_id, const unsigned char hash[SHA256_LEN])
{
	struct db_result res;
	int rc = db_exec(db, "UPDATE recovery_codes SET used_at = UTC_TIMESTAMP(3) "
	    "WHERE user_id = ? AND code_hash = ? AND used_at IS NULL",
	    DB_ARGS(DB_INT(user_id), DB_BLOB(hash, SHA256_LEN)), &res);

	if (rc == DB_OK && res.affected == 0)
		return DB_NOTFOUND;
	return rc;
}

static int count_fn(void *ctx, const struct db_row *row)
{
	*(long long *)ctx = db_row_int(row, 0);
	return 1;
}

int db_recovery_left(struct db *db, long long user_id, long long *left)
{
	return db_query(db, "SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL",
	    DB_ARGS(DB_INT(user_id)), count_fn, left);
}

int db_token_create(struct db *db, long long user_id, const char *purpose,
    const unsigned char hash[SHA256_LEN], unsigned valid_hours)
{
	return db_exec(db, "INSERT INTO one_time_tokens (user_id, purpose, token_hash, expires_at) "
	    "VALUES (?, ?, ?, UTC_TIMESTAMP(3) + INTERVAL ? HOUR)",
	    DB_ARGS(DB_INT(user_id), DB_TEXT(purpose), DB_BLOB(hash, SHA256_LEN), DB_INT(valid_hours)), NULL);
}

int db_token_find(struct db *db, const char *purpose, const unsigned char hash[SHA256_LEN],
    long long *user_id)
{
	return db_query(db, "SELECT user_id FROM one_time_tokens WHERE token_hash = ? AND purpose = ? "
	    "AND used_at IS NULL AND expires_at > UTC_TIMESTAMP(3)",
	    DB_ARGS(DB_BLOB(hash, SHA256_LEN), DB_TEXT(purpose)), count_fn, user_id);
}

int db_token_recent(struct db *db, long long user_id, const char *purpose, unsigned minutes)
{
	return db_query(db, "SELECT id FROM one_time_tokens WHERE user_id = ? AND purpose = ? "
	    "AND created_at > UTC_TIMESTAMP(3) - INTERVAL ? MINUTE",
	    DB_ARGS(DB_INT(user_id), DB_TEXT(purpose), DB_INT(minutes)), NULL, NULL);
}

int db_token_use(struct db *db, const unsigned char hash[SHA256_LEN])
{
	struct db_result res;
	int rc = db_exec(db, "UPDATE one_time_tokens SET used_at = UTC_TIMESTAMP(3) "
	    "WHERE token_hash = ? AND used_at IS NULL", DB_ARGS(DB_BLOB(hash, SHA256_LEN)), &res);

	if (rc == DB_OK && res.affected == 0)
		return DB_NOTFOUND;
	return rc;
}
