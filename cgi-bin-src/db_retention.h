/*
 * db_retention.h - the MySQL side of data retention (retention.h): the
 * windows an account and its devices keep readings for, the devices a
 * prune pass visits, and the named lock that lets one pass run at a time.
 * A window is a number of days; 0 here means "none of its own" (NULL).
 */
#ifndef GAUGE_DB_RETENTION_H
#define GAUGE_DB_RETENTION_H

#include "auth_key.h"
#include "db.h"

/* The account's default window (0: keep forever).  DB_NOTFOUND: no account. */
int db_retention_account(struct db *db, long long account_id, int *days);
int db_retention_set_account(struct db *db, long long account_id, int days);
/* A device's own window (0: follow the account).  A device of another
 * account is not touched (the callers have already found the device). */
int db_retention_set_device(struct db *db, long long account_id, long long device_id, int days);

/* A device with a window in force: its own, else its account's. */
struct retention_device {
	long long id;
	long long account_id;
	char uid[PUBLIC_ID_LEN + 1];
	int days;
};

typedef int (*db_retention_fn)(void *ctx, const struct retention_device *d);
/* Every device with a window in force, by id. */
int db_retention_devices(struct db *db, db_retention_fn fn, void *ctx);

/* MySQL's named lock 'gauge.retention' for this connection, without
 * waiting: *locked 1 when taken, 0 when another connection holds it.  It
 * ends with the connection too, so a pass that dies frees it. */
int db_retention_lock(struct db *db, int *locked);
int db_retention_unlock(struct db *db);

#endif
