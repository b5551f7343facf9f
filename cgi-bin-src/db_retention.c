/*
 * db_retention.c - data retention queries (see db_retention.h).
 */
#include "db_retention.h"

#define OPT_DAYS(x) ((x) > 0 ? DB_INT(x) : DB_NULL)

static int days_row(void *ctx, const struct db_row *row)
{
	*(int *)ctx = (int)db_row_int(row, 0);
	return 1;
}

int db_retention_account(struct db *db, long long account_id, int *days)
{
	*days = 0;
	return db_query(db, "SELECT retention_days FROM accounts WHERE id = ?",
	    DB_ARGS(DB_INT(account_id)), days_row, days);
}

int db_retention_set_account(struct db *db, long long account_id, int days)
{
	return db_exec(db, "UPDATE accounts SET retention_days = ? WHERE id = ?",
	    DB_ARGS(OPT_DAYS(days), DB_INT(account_id)), NULL);
}

int db_retention_set_device(struct db *db, long long account_id, long long device_id, int days)
{
	return db_exec(db, "UPDATE devices SET retention_days = ? WHERE id = ? AND account_id = ?",
	    DB_ARGS(OPT_DAYS(days), DB_INT(device_id), DB_INT(account_id)), NULL);
}

struct devices_ctx {
	db_retention_fn fn;
	void *ctx;
};

static int device_row(void *ctx, const struct db_row *row)
{
	struct devices_ctx *c = ctx;
	struct retention_device d;

	d.id = db_row_int(row, 0);
	d.account_id = db_row_int(row, 1);
	db_row_copy(d.uid, sizeof(d.uid), row, 2);
	d.days = (int)db_row_int(row, 3);
	return c->fn(c->ctx, &d);
}

int db_retention_devices(struct db *db, db_retention_fn fn, void *ctx)
{
	struct devices_ctx c = { fn, ctx };

	return db_query_all(db, "SELECT d.id, d.account_id, d.uid, COALESCE(d.retention_days, a.retention_days) "
	    "FROM devices d JOIN accounts a ON a.id = d.account_id "
	    "WHERE d.retention_days IS NOT NULL OR a.retention_days IS NOT NULL ORDER BY d.id",
	    NULL, 0, device_row, &c);
}

static int flag_row(void *ctx, const struct db_row *row)
{
	*(int *)ctx = db_row_int(row, 0) == 1;
	return 1;
}

int db_retention_lock(struct db *db, int *locked)
{
	*locked = 0;
	return db_query(db, "SELECT GET_LOCK('gauge.retention', 0)", NULL, 0, flag_row, locked);
}

int db_retention_unlock(struct db *db)
{
	return db_query(db, "SELECT RELEASE_LOCK('gauge.retention')", NULL, 0, NULL, NULL);
}
