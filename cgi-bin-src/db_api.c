/*
 * db_api.c - API queries (see db_api.h).
 *
 * db_api_lookup answers authentication and device resolution in a single
 * round trip, because it runs on every API request: a one-row select from
 * a dual table, left-joined to the key (by its unique hash) and the device
 * (by its unique public id).
 *
 * It is deterministic on purpose (no UTC_TIMESTAMP(); the caller compares
 * the expiry with its own clock, so grace periods end by the web host's
 * clock: keep hosts on NTP) and asks for SQL_CACHE, so MariaDB serves
 * repeat lookups from its query cache without planning a join each time.
 * That cache is exact: any change to api_keys, devices or device_groups
 * drops the results that read them, so no lookup after a revocation sees
 * the old row (workers' own short memory is key_cache.h's business, and
 * waiting it out is auth_keys.c's: this layer never sleeps).  The last-used
 * record lives in its own table so that its writes do not empty the cache
 * (schema/mysql/002_key_usage.sql).
 */
#include "db_api.h"

#include <stdio.h>
#include <string.h>

#include "db_account.h"

static const char lookup_sql[] =
    "SELECT SQL_CACHE k.id, k.account_id, k.device_id, k.kind, k.revoked_at IS NOT NULL, "
    "  TIMESTAMPDIFF(MICROSECOND, '1970-01-01', k.expires_at) DIV 1000, k.display_prefix, "
    "  d.id, d.account_id, d.public_read, d.uid, d.name, g.uid, g.name, d.retention_days "
    "FROM (SELECT 1) AS one "
    "LEFT JOIN api_keys k ON k.key_hash = ? "
    "LEFT JOIN devices d ON d.uid = ? "
    "LEFT JOIN device_groups g ON g.id = d.group_id";

struct lookup_ctx {
	struct api_key_row *key;
	struct api_device_row *dev;
};

/* Columns from offset: id, account_id, public_read, uid, name, group uid, group name,
 * retention_days. */
void db_api_device_from_row(const struct db_row *row, size_t o, struct api_device_row *dev)
{
	dev->id = db_row_int(row, o);
	dev->account_id = db_row_int(row, o + 1);
	dev->public_read = db_row_int(row, o + 2) != 0;
	db_row_copy(dev->uid, sizeof(dev->uid), row, o + 3);
	db_row_copy(dev->name, sizeof(dev->name), row, o + 4);
	db_row_copy(dev->group_uid, sizeof(dev->group_uid), row, o + 5);
	db_row_copy(dev->group_name, sizeof(dev->group_name), row, o + 6);
	dev->retention_days = (int)db_row_int(row, o + 7);
}

static int lookup_row(void *ctx, const struct db_row *row)
{
	struct lookup_ctx *c = ctx;
	const char *kind = db_row_str(row, 3);

	c->key->id = db_row_int(row, 0);
	c->key->account_id = db_row_int(row, 1);
	c->key->device_id = db_row_int(row, 2);
	c->key->kind = kind != NULL && strcmp(kind, "account") == 0 ? KEY_ACCOUNT : KEY_DEVICE;
	c->key->revoked = db_row_int(row, 4) != 0;
	c->key->expires_ms = db_row_str(row, 5) != NULL ? db_row_int(row, 5) : 0;
	db_row_copy(c->key->display, sizeof(c->key->display), row, 6);
	db_api_device_from_row(row, 7, c->dev);
	return 1;
}

int db_api_lookup(struct db *db, const unsigned char *hash, const char *uid,
    struct api_key_row *key, struct api_device_row *dev)
{
	struct lookup_ctx c = { key, dev };

	memset(key, 0, sizeof(*key));
	memset(dev, 0, sizeof(*dev));
	/* The select from dual always yields its one row. */
	return db_query_all(db, lookup_sql, DB_ARGS(hash != NULL ? DB_BLOB(hash, SHA256_LEN) : DB_NULL,
	    DB_TEXT(uid)), lookup_row, &c);
}

int db_api_key_touch(struct db *db, long long key_id, const char *ip)
{
	return db_exec(db, "INSERT INTO api_key_usage (key_id, last_used_at, last_used_ip) "
	    "VALUES (?, UTC_TIMESTAMP(3), ?) ON DUPLICATE KEY UPDATE "
	    "last_used_at = VALUES(last_used_at), last_used_ip = VALUES(last_used_ip)",
	    DB_ARGS(DB_INT(key_id), DB_TEXT(ip)), NULL);
}

struct devices_ctx {
	db_device_fn fn;
	void *ctx;
};

static int devices_row(void *ctx, const struct db_row *row)
{
	struct devices_ctx *c = ctx;
	struct api_device_row dev;

	db_api_device_from_row(row, 0, &dev);
	return c->fn(c->ctx, &dev);
}

int db_api_devices(struct db *db, long long account_id, const char *group_uid,
    db_device_fn fn, void *ctx)
{
	struct devices_ctx c = { fn, ctx };

	return db_query_all(db,
	    "SELECT d.id, d.account_id, d.public_read, d.uid, d.name, g.uid, g.name, d.retention_days "
	    "FROM devices d LEFT JOIN device_groups g ON g.id = d.group_id "
	    "WHERE d.account_id = ? AND (? IS NULL OR g.uid = ?) ORDER BY d.name, d.id",
	    DB_ARGS(DB_INT(account_id), DB_TEXT(group_uid), DB_TEXT(group_uid)), devices_row, &c);
}

struct groups_ctx {
	db_group_fn fn;
	void *ctx;
};

static int group_row(void *ctx, const struct db_row *row)
{
	struct groups_ctx *c = ctx;
	struct api_group_row g;

	db_row_copy(g.uid, sizeof(g.uid), row, 0);
	db_row_copy(g.name, sizeof(g.name), row, 1);
	g.devices = db_row_int(row, 2);
	return c->fn(c->ctx, &g);
}

int db_api_groups(struct db *db, long long account_id, db_group_fn fn, void *ctx)
{
	struct groups_ctx c = { fn, ctx };

	return db_query_all(db,
	    "SELECT g.uid, g.name, COUNT(d.id) FROM device_groups g "
	    "LEFT JOIN devices d ON d.group_id = g.id WHERE g.account_id = ? "
	    "GROUP BY g.id ORDER BY g.name", DB_ARGS(DB_INT(account_id)), group_row, &c);
}

static int account_row(void *ctx, const struct db_row *row)
{
	struct api_account_row *a = ctx;

	a->id = db_row_int(row, 0);
	db_row_copy(a->name, sizeof(a->name), row, 1);
	db_row_copy(a->created_at, sizeof(a->created_at), row, 2);
	a->devices = db_row_int(row, 3);
	a->groups = db_row_int(row, 4);
	a->retention_days = (int)db_row_int(row, 5);
	return 1;
}

int db_api_account(struct db *db, long long account_id, struct api_account_row *a)
{
	memset(a, 0, sizeof(*a));
	return db_query(db,
	    "SELECT a.id, a.name, CONCAT(LEFT(DATE_FORMAT(a.created_at, '%Y-%m-%dT%H:%i:%s.%f'), 23), 'Z'), "
	    "(SELECT COUNT(*) FROM devices WHERE account_id = a.id), "
	    "(SELECT COUNT(*) FROM device_groups WHERE account_id = a.id), a.retention_days "
	    "FROM accounts a WHERE a.id = ?", DB_ARGS(DB_INT(account_id)), account_row, a);
}

/* Epoch milliseconds of a DATETIME(3) column stored in UTC (NULL stays NULL). */
#define EPOCH_MS(col) "TIMESTAMPDIFF(MICROSECOND, '1970-01-01', " col ") DIV 1000"

/* The key lists' columns, one shape for device and account keys (key_from_row). */
#define KEY_COLUMNS \
    "SELECT k.id, k.display_prefix, " EPOCH_MS("k.created_at") ", " EPOCH_MS("k.expires_at") ", " \
    EPOCH_MS("k.revoked_at") ", " EPOCH_MS("u.last_used_at") ", u.last_used_ip, " \
    "CASE WHEN k.revoked_at IS NOT NULL AND (k.expires_at IS NULL OR k.revoked_at < k.expires_at) " \
    "THEN 2 WHEN k.expires_at IS NOT NULL AND k.expires_at <= UTC_TIMESTAMP(3) THEN 1 ELSE 0 END " \
    "FROM api_keys k LEFT JOIN api_key_usage u ON u.key_id = k.id "

/* A key is live while it is neither revoked nor past its expiry. */
#define KEY_LIVE "revoked_at IS NULL AND (expires_at IS NULL OR expires_at > UTC_TIMESTAMP(3))"

static const char *const key_status_names[] = { "active", "expired", "revoked" };

const char *key_status_name(enum key_status s)
{
	return key_status_names[s];
}

struct keys_ctx {
	db_key_fn fn;
	void *ctx;
};

static long long opt_int(const struct db_row *row, size_t i)
{
	return db_row_str(row, i) != NULL ? db_row_int(row, i) : 0;
}

static int key_from_row(void *ctx, const struct db_row *row)
{
	struct keys_ctx *c = ctx;
	struct api_key_info k;
	long long status = db_row_int(row, 7);

	memset(&k, 0, sizeof(k));
	k.id = db_row_int(row, 0);
	db_row_copy(k.prefix, sizeof(k.prefix), row, 1);
	k.created_ms = opt_int(row, 2);
	k.expires_ms = opt_int(row, 3);
	k.revoked_ms = opt_int(row, 4);
	k.last_used_ms = opt_int(row, 5);
	db_row_copy(k.last_ip, sizeof(k.last_ip), row, 6);
	k.status = status == 2 ? KEY_STATUS_REVOKED : status == 1 ? KEY_STATUS_EXPIRED : KEY_STATUS_ACTIVE;
	return c->fn(c->ctx, &k);
}

int db_api_device_keys(struct db *db, long long device_id, db_key_fn fn, void *ctx)
{
	struct keys_ctx c = { fn, ctx };

	return db_query_all(db, KEY_COLUMNS "WHERE k.device_id = ? ORDER BY k.id",
	    DB_ARGS(DB_INT(device_id)), key_from_row, &c);
}

int db_api_account_keys(struct db *db, long long account_id, db_key_fn fn, void *ctx)
{
	struct keys_ctx c = { fn, ctx };

	return db_query_all(db, KEY_COLUMNS "WHERE k.account_id = ? AND k.kind = 'account' ORDER BY k.id DESC",
	    DB_ARGS(DB_INT(account_id)), key_from_row, &c);
}

/* The four ways a rotation ends keys: [kind][grace > 0]. */
static const char *const retire_sql[2][2] = {
	[KEY_DEVICE] = {
		"UPDATE api_keys SET revoked_at = UTC_TIMESTAMP(3) WHERE device_id = ? AND " KEY_LIVE,
		"UPDATE api_keys SET expires_at = LEAST(COALESCE(expires_at, '9999-12-31'), "
		"UTC_TIMESTAMP(3) + INTERVAL ? SECOND) WHERE device_id = ? AND " KEY_LIVE,
	},
	[KEY_ACCOUNT] = {
		"UPDATE api_keys SET revoked_at = UTC_TIMESTAMP(3) "
		"WHERE account_id = ? AND kind = 'account' AND " KEY_LIVE,
		"UPDATE api_keys SET expires_at = LEAST(COALESCE(expires_at, '9999-12-31'), "
		"UTC_TIMESTAMP(3) + INTERVAL ? SECOND) WHERE account_id = ? AND kind = 'account' AND " KEY_LIVE,
	},
};

/* Inside the caller's transaction: ends the live keys of one owner. */
static int keys_retire(struct db *db, enum key_kind kind, long long owner_id, unsigned grace_s)
{
	const char *sql = retire_sql[kind == KEY_ACCOUNT ? KEY_ACCOUNT : KEY_DEVICE][grace_s > 0];

	if (grace_s == 0)
		return db_exec(db, sql, DB_ARGS(DB_INT(owner_id)), NULL);
	return db_exec(db, sql, DB_ARGS(DB_INT(grace_s), DB_INT(owner_id)), NULL);
}

int db_key_replace(struct db *db, enum key_kind kind, long long account_id, long long device_id,
    unsigned grace_s, const struct new_key *key, long long *key_id)
{
	long long owner = kind == KEY_ACCOUNT ? account_id : device_id;
	int rc = db_begin(db);

	if (rc == DB_OK)
		rc = keys_retire(db, kind, owner, grace_s);
	if (rc == DB_OK)
		rc = db_key_create(db, account_id, kind == KEY_ACCOUNT ? 0 : device_id, key, key_id);
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK)
		db_rollback(db);
	return rc;
}

/* One revocation per owner kind: [kind]; both take (key id, owner id). */
static const char *const revoke_sql[2] = {
	[KEY_DEVICE] = "UPDATE api_keys SET revoked_at = UTC_TIMESTAMP(3) "
	    "WHERE id = ? AND device_id = ? AND " KEY_LIVE,
	[KEY_ACCOUNT] = "UPDATE api_keys SET revoked_at = UTC_TIMESTAMP(3) "
	    "WHERE id = ? AND account_id = ? AND kind = 'account' AND " KEY_LIVE,
};

int db_key_revoke(struct db *db, enum key_kind kind, long long owner_id, long long key_id)
{
	struct db_result res;
	int rc = db_exec(db, revoke_sql[kind == KEY_ACCOUNT ? KEY_ACCOUNT : KEY_DEVICE],
	    DB_ARGS(DB_INT(key_id), DB_INT(owner_id)), &res);

	return rc == DB_OK && res.affected == 0 ? DB_NOTFOUND : rc;
}

int db_api_device_set_public(struct db *db, long long device_id, int on)
{
	return db_exec(db, "UPDATE devices SET public_read = ? WHERE id = ?",
	    DB_ARGS(DB_INT(on ? 1 : 0), DB_INT(device_id)), NULL);
}
