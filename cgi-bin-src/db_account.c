/*
 * db_account.c - account-side queries (see db_account.h).
 */
#include "db_account.h"

#include <stdio.h>

#include "db.h"

#define OPT_ID(x) ((x) > 0 ? DB_INT(x) : DB_NULL)

int db_account_create(struct db *db, const char *name, long long *id)
{
	struct db_result res;
	int rc = db_exec(db, "INSERT INTO accounts (name) VALUES (?)",
	    DB_ARGS(DB_TEXT(name)), &res);

	if (rc == DB_OK)
		*id = (long long)res.insert_id;
	return rc;
}

int db_account_exists(struct db *db, long long id)
{
	return db_query(db, "SELECT id FROM accounts WHERE id = ?",
	    DB_ARGS(DB_INT(id)), NULL, NULL);
}

int db_user_create(struct db *db, long long account_id, const char *email,
    const char *password_hash, enum role role, long long *id)
{
	struct db_result res;
	int rc = db_exec(db,
	    "INSERT INTO users (account_id, email, password_hash, role, password_changed_at) "
	    "VALUES (?, ?, ?, ?, IF(? IS NULL, NULL, UTC_TIMESTAMP(3)))",
	    DB_ARGS(DB_INT(account_id), DB_TEXT(email), DB_TEXT(password_hash),
	    DB_TEXT(role_name(role)), DB_TEXT(password_hash)), &res);

	if (rc == DB_OK)
		*id = (long long)res.insert_id;
	return rc;
}

struct group_row {
	long long id;
	char *uid;
};

static int group_row_fn(void *ctx, const struct db_row *row)
{
	struct group_row *g = ctx;

	g->id = db_row_int(row, 0);
	db_row_copy(g->uid, PUBLIC_ID_LEN + 1, row, 1);
	return 1;
}

int db_group_ensure(struct db *db, long long account_id, const char *name,
    long long *id, char uid[PUBLIC_ID_LEN + 1])
{
	struct group_row g = { 0, uid };
	struct db_result res;
	int rc = db_query(db,
	    "SELECT id, uid FROM device_groups WHERE account_id = ? AND name = ?",
	    DB_ARGS(DB_INT(account_id), DB_TEXT(name)), group_row_fn, &g);

	if (rc == DB_OK) {
		*id = g.id;
		return DB_OK;
	}
	if (rc != DB_NOTFOUND)
		return rc;
	if (public_id_generate("grp_", uid) != 0)
		return DB_ERROR;
	rc = db_exec(db, "INSERT INTO device_groups (uid, account_id, name) VALUES (?, ?, ?)",
	    DB_ARGS(DB_TEXT(uid), DB_INT(account_id), DB_TEXT(name)), &res);
	if (rc == DB_OK)
		*id = (long long)res.insert_id;
	return rc;
}

int db_device_create(struct db *db, long long account_id, long long group_id,
    const char *uid, const char *name, long long *id)
{
	struct db_result res;
	int rc = db_exec(db,
	    "INSERT INTO devices (uid, account_id, group_id, name) VALUES (?, ?, ?, ?)",
	    DB_ARGS(DB_TEXT(uid), DB_INT(account_id), OPT_ID(group_id), DB_TEXT(name)), &res);

	if (rc == DB_OK)
		*id = (long long)res.insert_id;
	return rc;
}

int db_key_create(struct db *db, long long account_id, long long device_id,
    const struct new_key *key, long long *id)
{
	struct db_result res;
	int rc = db_exec(db,
	    "INSERT INTO api_keys (account_id, device_id, kind, key_hash, display_prefix) "
	    "VALUES (?, ?, ?, ?, ?)",
	    DB_ARGS(DB_INT(account_id), OPT_ID(device_id),
	    DB_TEXT(device_id > 0 ? "device" : "account"),
	    DB_BLOB(key->hash, sizeof(key->hash)), DB_TEXT(key->display)), &res);

	if (rc == DB_OK)
		*id = (long long)res.insert_id;
	return rc;
}

int db_audit_id(struct db *db, const struct audit_entry *e, long long *id)
{
	struct db_result res;
	int rc = db_exec(db,
	    "INSERT INTO audit_log (account_id, actor_user_id, actor_key_id, actor_label, "
	    "action, target_type, target_id, detail, ip) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    DB_ARGS(OPT_ID(e->account_id), OPT_ID(e->actor_user_id), OPT_ID(e->actor_key_id),
	    DB_TEXT(e->actor_label), DB_TEXT(e->action), DB_TEXT(e->target_type),
	    DB_TEXT(e->target_id), DB_TEXT(e->detail_json), DB_TEXT(e->ip)), &res);

	if (rc == DB_OK && id != NULL)
		*id = (long long)res.insert_id;
	return rc;
}

int db_audit(struct db *db, const struct audit_entry *e)
{
	return db_audit_id(db, e, NULL);
}

int db_audit_set_result(struct db *db, long long id, const char *result)
{
	return db_exec(db, "UPDATE audit_log SET result = ? WHERE id = ?",
	    DB_ARGS(DB_TEXT(result), DB_INT(id)), NULL);
}

struct audit_list_ctx {
	db_audit_fn fn;
	void *ctx;
};

static int audit_row(void *ctx, const struct db_row *row)
{
	struct audit_list_ctx *c = ctx;
	struct audit_event e = { db_row_int(row, 0), db_row_text(row, 1), db_row_text(row, 2),
		db_row_text(row, 3), db_row_text(row, 4), db_row_text(row, 5), db_row_text(row, 6),
		db_row_text(row, 7), db_row_text(row, 8) };

	return c->fn(c->ctx, &e);
}

int db_audit_list(struct db *db, long long account_id, const char *action_prefix,
    long long before_id, int limit, db_audit_fn fn, void *ctx)
{
	struct audit_list_ctx c = { fn, ctx };
	char like[72];

	snprintf(like, sizeof(like), "%s%%", action_prefix != NULL ? action_prefix : "");
	return db_query_all(db,
	    "SELECT id, DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s UTC'), actor_label, action, target_type, "
	    "target_id, detail, result, ip FROM audit_log WHERE account_id = ? AND action LIKE ? "
	    "AND (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?",
	    DB_ARGS(DB_INT(account_id), DB_TEXT(like), DB_INT(before_id), DB_INT(before_id),
	    DB_INT(limit)), audit_row, &c);
}
