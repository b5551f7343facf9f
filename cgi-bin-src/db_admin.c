/*
 * db_admin.c - account administration queries (see db_admin.h).
 *
 * "An account always keeps an administrator" is checked inside the same
 * transaction as the change, with the admin rows locked (FOR UPDATE), so
 * two administrators demoting each other at once cannot both succeed.
 */
#include "db_admin.h"

#include <stdio.h>

#include "db_api.h"
#include "key_cache.h"

int db_admin_users(struct db *db, long long account_id, db_row_fn fn, void *ctx)
{
	int rc = db_query(db, "SELECT id, email, role, totp_enabled, password_hash IS NOT NULL, "
	    "DATE_FORMAT(created_at, '%Y-%m-%d %H:%i UTC') FROM users WHERE account_id = ? ORDER BY email",
	    DB_ARGS(DB_INT(account_id)), fn, ctx);

	return rc == DB_NOTFOUND ? DB_OK : rc;
}

int db_admin_user_add(struct db *db, long long account_id, const char *email, enum role role, long long *id)
{
	struct db_result res;
	int rc = db_exec(db, "INSERT INTO users (account_id, email, role) VALUES (?, ?, ?)",
	    DB_ARGS(DB_INT(account_id), DB_TEXT(email), DB_TEXT(role_name(role))), &res);

	if (rc == DB_OK)
		*id = (long long)res.insert_id;
	return rc;
}

static int count_fn(void *ctx, const struct db_row *row)
{
	*(long long *)ctx += 1;
	(void)row;
	return 0;
}

/* Within a transaction: would the account still have an administrator if
 * user_id were no longer one? */
static int other_admin_exists(struct db *db, long long account_id, long long user_id)
{
	long long n = 0;
	int rc = db_query(db, "SELECT id FROM users WHERE account_id = ? AND role = 'admin' AND id <> ? FOR UPDATE",
	    DB_ARGS(DB_INT(account_id), DB_INT(user_id)), count_fn, &n);

	return rc < 0 ? rc : n > 0;
}

static int admin_change(struct db *db, long long account_id, long long user_id, const char *sql,
    const struct db_val *args, size_t nargs, int needs_other_admin)
{
	struct db_result res;
	int rc = db_begin(db), other = 1;

	if (rc == DB_OK && needs_other_admin)
		other = other_admin_exists(db, account_id, user_id);
	if (rc == DB_OK && other < 0)
		rc = other;
	else if (rc == DB_OK && !other)
		rc = DB_ERROR;
	if (rc == DB_OK && (rc = db_exec(db, sql, args, nargs, &res)) == DB_OK && res.affected == 0)
		rc = DB_NOTFOUND;
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK)
		db_rollback(db);
	return rc;
}

int db_admin_user_role(struct db *db, long long account_id, long long user_id, enum role role)
{
	return admin_change(db, account_id, user_id, "UPDATE users SET role = ? WHERE id = ? AND account_id = ?",
	    DB_ARGS(DB_TEXT(role_name(role)), DB_INT(user_id), DB_INT(account_id)), role != ROLE_ADMIN);
}

int db_admin_user_remove(struct db *db, long long account_id, long long user_id)
{
	return admin_change(db, account_id, user_id, "DELETE FROM users WHERE id = ? AND account_id = ?",
	    DB_ARGS(DB_INT(user_id), DB_INT(account_id)), 1);
}

struct email_ctx {
	char *email;
	size_t len;
};

static int email_fn(void *ctx, const struct db_row *row)
{
	struct email_ctx *c = ctx;

	snprintf(c->email, c->len, "%s", db_row_str(row, 0));
	return 1;
}

int db_admin_user_email(struct db *db, long long account_id, long long user_id, char *email, size_t len)
{
	struct email_ctx c = { email, len };

	return db_query(db, "SELECT email FROM users WHERE id = ? AND account_id = ?",
	    DB_ARGS(DB_INT(user_id), DB_INT(account_id)), email_fn, &c);
}

int db_admin_account(struct db *db, long long account_id, db_row_fn fn, void *ctx)
{
	return db_query(db, "SELECT name, require_2fa, COALESCE(twilio_account_sid, ''), "
	    "twilio_auth_token_enc IS NOT NULL, COALESCE(twilio_from_number, '') FROM accounts WHERE id = ?",
	    DB_ARGS(DB_INT(account_id)), fn, ctx);
}

int db_admin_set_require_2fa(struct db *db, long long account_id, int on)
{
	return db_exec(db, "UPDATE accounts SET require_2fa = ? WHERE id = ?",
	    DB_ARGS(DB_INT(on ? 1 : 0), DB_INT(account_id)), NULL);
}

int db_admin_set_twilio(struct db *db, long long account_id, const char *sid,
    const unsigned char *token_enc, size_t len, const char *from)
{
	return db_exec(db, "UPDATE accounts SET twilio_account_sid = ?, twilio_auth_token_enc = ?, "
	    "twilio_from_number = ? WHERE id = ?",
	    DB_ARGS(DB_TEXT(sid), DB_BLOB(token_enc, len), DB_TEXT(from), DB_INT(account_id)), NULL);
}

/* Inside a transaction the row stays locked until commit, so a caller can
 * compare the settings and change them without a dashboard edit between. */
int db_admin_twilio(struct db *db, long long account_id, db_row_fn fn, void *ctx)
{
	return db_query(db, "SELECT twilio_account_sid, twilio_auth_token_enc, twilio_from_number "
	    "FROM accounts WHERE id = ? FOR UPDATE", DB_ARGS(DB_INT(account_id)), fn, ctx);
}

int db_admin_clear_twilio(struct db *db, long long account_id)
{
	return db_exec(db, "UPDATE accounts SET twilio_account_sid = NULL, twilio_auth_token_enc = NULL, "
	    "twilio_from_number = NULL WHERE id = ?", DB_ARGS(DB_INT(account_id)), NULL);
}

int db_admin_account_key_regenerate(struct db *db, long long account_id, unsigned grace_s,
    const struct new_key *key)
{
	int rc = db_begin(db);

	if (rc == DB_OK)
		rc = db_api_keys_retire(db, KEY_ACCOUNT, account_id, grace_s);
	if (rc == DB_OK)
		rc = db_exec(db, "INSERT INTO api_keys (account_id, kind, key_hash, display_prefix) "
		    "VALUES (?, 'account', ?, ?)", DB_ARGS(DB_INT(account_id),
		    DB_BLOB(key->hash, sizeof(key->hash)), DB_TEXT(key->display)), NULL);
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK)
		db_rollback(db);
	else
		key_cache_settle();
	return rc;
}

int db_admin_account_key_revoke(struct db *db, long long account_id, long long key_id)
{
	struct db_result res;
	int rc = db_exec(db, "UPDATE api_keys SET revoked_at = UTC_TIMESTAMP(3) WHERE id = ? "
	    "AND account_id = ? AND kind = 'account' AND revoked_at IS NULL "
	    "AND (expires_at IS NULL OR expires_at > UTC_TIMESTAMP(3))",
	    DB_ARGS(DB_INT(key_id), DB_INT(account_id)), &res);

	if (rc == DB_OK && res.affected == 0)
		return DB_NOTFOUND;
	if (rc == DB_OK)
		key_cache_settle();
	return rc;
}
