/*
 * db_admin.c - account administration queries (see db_admin.h).
 *
 * "An account always keeps an administrator" is checked inside the same
 * transaction as the change, with the admin rows locked (FOR UPDATE), so
 * two administrators demoting each other at once cannot both succeed.
 */
#include "db_admin.h"

#include <string.h>

/* The typed callback of a list query, called by its row function. */
struct typed_ctx {
	union {
		db_admin_user_fn user;
		db_outbox_count_fn count;
		db_named_fn named;
	} fn;
	void *ctx;
};

static int user_row(void *ctx, const struct db_row *row)
{
	struct typed_ctx *c = ctx;
	struct admin_user_row u;
	int role = valid_role(db_row_str(row, 2));

	u.id = db_row_int(row, 0);
	db_row_copy(u.email, sizeof(u.email), row, 1);
	u.role = role >= 0 ? (enum role)role : ROLE_VIEWER;
	u.totp_enabled = db_row_int(row, 3) != 0;
	u.has_password = db_row_int(row, 4) != 0;
	db_row_copy(u.created, sizeof(u.created), row, 5);
	return c->fn.user(c->ctx, &u);
}

int db_admin_users(struct db *db, long long account_id, db_admin_user_fn fn, void *ctx)
{
	struct typed_ctx c = { .fn.user = fn, .ctx = ctx };

	return db_query_all(db, "SELECT id, email, role, totp_enabled, password_hash IS NOT NULL, "
	    "DATE_FORMAT(created_at, '%Y-%m-%d %H:%i UTC') FROM users WHERE account_id = ? ORDER BY email",
	    DB_ARGS(DB_INT(account_id)), user_row, &c);
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

/* Within a transaction: locks the account's other administrators; DB_OK
 * when there is one (the account would keep an administrator if user_id
 * were no longer one), DB_NOTFOUND when there is none. */
static int other_admin_exists(struct db *db, long long account_id, long long user_id)
{
	return db_query(db, "SELECT id FROM users WHERE account_id = ? AND role = 'admin' AND id <> ? FOR UPDATE",
	    DB_ARGS(DB_INT(account_id), DB_INT(user_id)), NULL, NULL);
}

static int admin_change(struct db *db, long long account_id, long long user_id, const char *sql,
    const struct db_val *args, size_t nargs, int needs_other_admin)
{
	struct db_result res;
	int rc = db_begin(db);

	if (rc == DB_OK && needs_other_admin) {
		rc = other_admin_exists(db, account_id, user_id);
		if (rc == DB_NOTFOUND)
			rc = DB_ERROR;      /* the account would lose its last administrator */
	}
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

	db_row_copy(c->email, c->len, row, 0);
	return 1;
}

int db_admin_user_email(struct db *db, long long account_id, long long user_id, char *email, size_t len)
{
	struct email_ctx c = { email, len };

	return db_query(db, "SELECT email FROM users WHERE id = ? AND account_id = ?",
	    DB_ARGS(DB_INT(user_id), DB_INT(account_id)), email_fn, &c);
}

static int account_row(void *ctx, const struct db_row *row)
{
	struct admin_account_row *a = ctx;

	db_row_copy(a->name, sizeof(a->name), row, 0);
	a->require_2fa = db_row_int(row, 1) != 0;
	db_row_copy(a->twilio_sid, sizeof(a->twilio_sid), row, 2);
	a->twilio_token_set = db_row_int(row, 3) != 0;
	db_row_copy(a->twilio_from, sizeof(a->twilio_from), row, 4);
	a->webhook_secret_set = db_row_int(row, 5) != 0;
	return 1;
}

int db_admin_account(struct db *db, long long account_id, struct admin_account_row *a)
{
	memset(a, 0, sizeof(*a));
	return db_query(db, "SELECT name, require_2fa, COALESCE(twilio_account_sid, ''), "
	    "twilio_auth_token_enc IS NOT NULL, COALESCE(twilio_from_number, ''), webhook_secret_enc IS NOT NULL "
	    "FROM accounts WHERE id = ?",
	    DB_ARGS(DB_INT(account_id)), account_row, a);
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

static int twilio_row(void *ctx, const struct db_row *row)
{
	struct admin_twilio_row *t = ctx;

	t->sid_set = db_row_str(row, 0) != NULL;
	t->token_set = db_row_str(row, 1) != NULL;
	t->from_set = db_row_str(row, 2) != NULL;
	db_row_copy(t->sid, sizeof(t->sid), row, 0);
	db_row_copy(t->from, sizeof(t->from), row, 2);
	if (t->token_set && row->lens[1] <= sizeof(t->token_enc)) {
		memcpy(t->token_enc, row->cols[1], row->lens[1]);
		t->token_len = row->lens[1];
	}
	return 1;
}

/* Inside a transaction the row stays locked until commit, so a caller can
 * compare the settings and change them without a dashboard edit between. */
int db_admin_twilio(struct db *db, long long account_id, struct admin_twilio_row *t)
{
	memset(t, 0, sizeof(*t));
	return db_query(db, "SELECT twilio_account_sid, twilio_auth_token_enc, twilio_from_number "
	    "FROM accounts WHERE id = ? FOR UPDATE", DB_ARGS(DB_INT(account_id)), twilio_row, t);
}

int db_admin_clear_twilio(struct db *db, long long account_id)
{
	return db_exec(db, "UPDATE accounts SET twilio_account_sid = NULL, twilio_auth_token_enc = NULL, "
	    "twilio_from_number = NULL WHERE id = ?", DB_ARGS(DB_INT(account_id)), NULL);
}

int db_admin_set_webhook_secret(struct db *db, long long account_id, const unsigned char *enc, size_t len)
{
	return db_exec(db, "UPDATE accounts SET webhook_secret_enc = ? WHERE id = ?",
	    DB_ARGS(DB_BLOB(enc, len), DB_INT(account_id)), NULL);
}

static int flag_row(void *ctx, const struct db_row *row)
{
	*(int *)ctx = db_row_int(row, 0) != 0;
	return 1;
}

int db_admin_webhook_secret_set(struct db *db, long long account_id, int *set)
{
	*set = 0;
	return db_query(db, "SELECT webhook_secret_enc IS NOT NULL FROM accounts WHERE id = ?",
	    DB_ARGS(DB_INT(account_id)), flag_row, set);
}

struct device_ids {
	long long *id, *account_id;
};

static int device_ids_row(void *ctx, const struct db_row *row)
{
	struct device_ids *d = ctx;

	*d->id = db_row_int(row, 0);
	*d->account_id = db_row_int(row, 1);
	return 1;
}

int db_admin_device_by_uid(struct db *db, const char *uid, long long *id, long long *account_id)
{
	struct device_ids d = { id, account_id };

	return db_query(db, "SELECT id, account_id FROM devices WHERE uid = ?",
	    DB_ARGS(DB_TEXT(uid)), device_ids_row, &d);
}

static int outbox_count_row(void *ctx, const struct db_row *row)
{
	struct typed_ctx *c = ctx;

	return c->fn.count(c->ctx, db_row_str(row, 0), db_row_int(row, 1));
}

int db_admin_outbox_counts(struct db *db, db_outbox_count_fn fn, void *ctx)
{
	struct typed_ctx c = { .fn.count = fn, .ctx = ctx };

	return db_query_all(db, "SELECT status, COUNT(*) FROM alert_outbox GROUP BY status", NULL, 0,
	    outbox_count_row, &c);
}

static int named_row(void *ctx, const struct db_row *row)
{
	struct typed_ctx *c = ctx;

	return c->fn.named(c->ctx, db_row_str(row, 0), db_row_str(row, 1));
}

int db_admin_alert_times(struct db *db, db_named_fn fn, void *ctx)
{
	struct typed_ctx c = { .fn.named = fn, .ctx = ctx };

	return db_query_all(db, "SELECT 'oldest_undelivered', DATE_FORMAT(MIN(created_at), '%Y-%m-%dT%H:%i:%sZ') "
	    "FROM alert_outbox WHERE status IN ('pending', 'sending', 'held') "
	    "UNION ALL SELECT 'last_poll', DATE_FORMAT(FROM_UNIXTIME(value / 1000), '%Y-%m-%dT%H:%i:%sZ') "
	    "FROM alertd_state WHERE name = 'last_poll_ms' "
	    "UNION ALL SELECT 'evaluator', value FROM alertd_state WHERE name = 'leader'", NULL, 0, named_row, &c);
}
