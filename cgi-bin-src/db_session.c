/*
 * db_session.c - session queries (see db_session.h).
 */
#include "db_session.h"

#include <string.h>

#include "db.h"

int db_session_create(struct db *db, const unsigned char hash[SHA256_LEN], long long user_id,
    const unsigned char csrf_secret[32], int mfa_pending, unsigned absolute_h,
    const char *ip, const char *user_agent, long long *id)
{
	struct db_result res;
	int rc = db_exec(db, "INSERT INTO sessions (token_hash, user_id, csrf_secret, mfa_pending, "
	    "expires_at, ip, user_agent) VALUES (?, ?, ?, ?, UTC_TIMESTAMP(3) + INTERVAL ? HOUR, ?, ?)",
	    DB_ARGS(DB_BLOB(hash, SHA256_LEN), DB_INT(user_id), DB_BLOB(csrf_secret, 32),
	    DB_INT(mfa_pending), DB_INT(absolute_h), DB_TEXT(ip), DB_TEXT(user_agent)), &res);

	if (rc == DB_OK)
		*id = (long long)res.insert_id;
	return rc;
}

struct find_ctx {
	struct session *s;
	int *stale;
};

static int session_row(void *ctx, const struct db_row *row)
{
	struct find_ctx *c = ctx;
	struct session *s = c->s;
	int role = valid_role(db_row_str(row, 3));

	s->id = db_row_int(row, 0);
	s->user_id = db_row_int(row, 1);
	s->account_id = db_row_int(row, 2);
	s->role = role >= 0 ? (enum role)role : ROLE_VIEWER;
	s->mfa_pending = db_row_int(row, 4) != 0;
	s->totp_enabled = db_row_int(row, 5) != 0;
	s->require_2fa = db_row_int(row, 6) != 0;
	db_row_copy(s->email, sizeof(s->email), row, 7);
	db_row_copy(s->account_name, sizeof(s->account_name), row, 8);
	if (row->lens[9] == sizeof(s->csrf_secret))
		memcpy(s->csrf_secret, row->cols[9], sizeof(s->csrf_secret));
	*c->stale = db_row_int(row, 10) != 0;
	return 1;
}

int db_session_find(struct db *db, const unsigned char hash[SHA256_LEN], unsigned idle_min,
    struct session *s, int *stale)
{
	struct find_ctx c = { s, stale };

	*stale = 0;
	return db_query(db,
	    "SELECT s.id, u.id, u.account_id, u.role, s.mfa_pending, u.totp_enabled, a.require_2fa, "
	    "u.email, a.name, s.csrf_secret, s.last_seen_at < UTC_TIMESTAMP(3) - INTERVAL 1 MINUTE "
	    "FROM sessions s JOIN users u ON u.id = s.user_id JOIN accounts a ON a.id = u.account_id "
	    "WHERE s.token_hash = ? AND s.expires_at > UTC_TIMESTAMP(3) "
	    "AND s.last_seen_at > UTC_TIMESTAMP(3) - INTERVAL ? MINUTE",
	    DB_ARGS(DB_BLOB(hash, SHA256_LEN), DB_INT(idle_min)), session_row, &c);
}

int db_session_touch(struct db *db, long long session_id)
{
	return db_exec(db, "UPDATE sessions SET last_seen_at = UTC_TIMESTAMP(3) WHERE id = ?",
	    DB_ARGS(DB_INT(session_id)), NULL);
}

int db_session_mfa_done(struct db *db, long long session_id)
{
	return db_exec(db, "UPDATE sessions SET mfa_pending = 0 WHERE id = ?",
	    DB_ARGS(DB_INT(session_id)), NULL);
}

int db_session_delete(struct db *db, long long session_id)
{
	return db_exec(db, "DELETE FROM sessions WHERE id = ?", DB_ARGS(DB_INT(session_id)), NULL);
}

int db_session_delete_own(struct db *db, long long user_id, long long session_id)
{
	return db_exec(db, "DELETE FROM sessions WHERE id = ? AND user_id = ?",
	    DB_ARGS(DB_INT(session_id), DB_INT(user_id)), NULL);
}

int db_session_delete_others(struct db *db, long long user_id, long long keep_id)
{
	return db_exec(db, "DELETE FROM sessions WHERE user_id = ? AND id <> ?",
	    DB_ARGS(DB_INT(user_id), DB_INT(keep_id)), NULL);
}

struct list_ctx {
	db_session_fn fn;
	void *ctx;
};

static int info_row(void *ctx, const struct db_row *row)
{
	struct list_ctx *c = ctx;
	struct session_info s = { db_row_int(row, 0), db_row_text(row, 1), db_row_text(row, 2),
		db_row_text(row, 3), db_row_text(row, 4) };

	return c->fn(c->ctx, &s);
}

int db_session_list(struct db *db, long long user_id, db_session_fn fn, void *ctx)
{
	struct list_ctx c = { fn, ctx };

	return db_query_all(db,
	    "SELECT id, DATE_FORMAT(created_at, '%Y-%m-%d %H:%i UTC'), DATE_FORMAT(last_seen_at, '%Y-%m-%d %H:%i UTC'), "
	    "ip, user_agent FROM sessions WHERE user_id = ? AND expires_at > UTC_TIMESTAMP(3) ORDER BY last_seen_at DESC",
	    DB_ARGS(DB_INT(user_id)), info_row, &c);
}
