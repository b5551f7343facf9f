/*
 * db_device.c - dashboard device and group queries (see db_device.h).
 */
#include "db_device.h"

#include <string.h>

static int dev_row(void *ctx, const struct db_row *row)
{
	db_api_device_from_row(row, 0, ctx);
	return 1;
}

int db_dev_get(struct db *db, long long account_id, const char *uid, struct api_device_row *dev)
{
	memset(dev, 0, sizeof(*dev));
	return db_query(db, "SELECT d.id, d.account_id, d.public_read, d.uid, d.name, g.uid, g.name, d.retention_days "
	    "FROM devices d LEFT JOIN device_groups g ON g.id = d.group_id "
	    "WHERE d.account_id = ? AND d.uid = ?", DB_ARGS(DB_INT(account_id), DB_TEXT(uid)), dev_row, dev);
}

static int affected_one(int rc, const struct db_result *res)
{
	return rc == DB_OK && res->affected == 0 ? DB_NOTFOUND : rc;
}

int db_dev_rename(struct db *db, long long account_id, long long device_id, const char *name)
{
	struct db_result res;

	return affected_one(db_exec(db, "UPDATE devices SET name = ? WHERE id = ? AND account_id = ?",
	    DB_ARGS(DB_TEXT(name), DB_INT(device_id), DB_INT(account_id)), &res), &res);
}

int db_dev_move(struct db *db, long long account_id, long long device_id, long long group_id)
{
	struct db_result res;

	/* The group must be the account's too: the subquery yields NULL otherwise. */
	return affected_one(db_exec(db, "UPDATE devices SET group_id = "
	    "(SELECT id FROM device_groups WHERE id = ? AND account_id = ?) WHERE id = ? AND account_id = ?",
	    DB_ARGS(DB_INT(group_id), DB_INT(account_id), DB_INT(device_id), DB_INT(account_id)), &res), &res);
}

/* Its keys go with it (ON DELETE CASCADE): callers go through
 * auth_keys_device_deleted, which waits until workers have forgotten them. */
int db_dev_delete(struct db *db, long long account_id, long long device_id)
{
	struct db_result res;

	return affected_one(db_exec(db, "DELETE FROM devices WHERE id = ? AND account_id = ?",
	    DB_ARGS(DB_INT(device_id), DB_INT(account_id)), &res), &res);
}

struct group_ctx {
	long long *id;
	char *name;
	size_t len;
};

static int group_row(void *ctx, const struct db_row *row)
{
	struct group_ctx *g = ctx;

	*g->id = db_row_int(row, 0);
	db_row_copy(g->name, g->len, row, 1);
	return 1;
}

int db_group_get(struct db *db, long long account_id, const char *uid, long long *id, char *name, size_t len)
{
	struct group_ctx g = { id, name, len };

	return db_query(db, "SELECT id, name FROM device_groups WHERE account_id = ? AND uid = ?",
	    DB_ARGS(DB_INT(account_id), DB_TEXT(uid)), group_row, &g);
}

int db_group_create(struct db *db, long long account_id, const char *name, char uid[PUBLIC_ID_LEN + 1])
{
	if (public_id_generate("grp_", uid) != 0)
		return DB_ERROR;
	return db_exec(db, "INSERT INTO device_groups (uid, account_id, name) VALUES (?, ?, ?)",
	    DB_ARGS(DB_TEXT(uid), DB_INT(account_id), DB_TEXT(name)), NULL);
}

int db_group_rename(struct db *db, long long account_id, long long group_id, const char *name)
{
	struct db_result res;

	return affected_one(db_exec(db, "UPDATE device_groups SET name = ? WHERE id = ? AND account_id = ?",
	    DB_ARGS(DB_TEXT(name), DB_INT(group_id), DB_INT(account_id)), &res), &res);
}

int db_group_delete(struct db *db, long long account_id, long long group_id)
{
	struct db_result res;

	/* Its devices stay, ungrouped (ON DELETE SET NULL). */
	return affected_one(db_exec(db, "DELETE FROM device_groups WHERE id = ? AND account_id = ?",
	    DB_ARGS(DB_INT(group_id), DB_INT(account_id)), &res), &res);
}
