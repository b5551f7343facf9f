/*
 * db_device.h - devices and groups as the dashboard manages them.  Every
 * query takes the account id, so an id from another account simply does
 * not match: nothing is reachable by guessing an id.
 */
#ifndef GAUGE_DB_DEVICE_H
#define GAUGE_DB_DEVICE_H

#include "db_api.h"

int db_dev_get(struct db *db, long long account_id, const char *uid, struct api_device_row *dev);
int db_dev_rename(struct db *db, long long account_id, long long device_id, const char *name);
/* group_id 0 takes the device out of any group. */
int db_dev_move(struct db *db, long long account_id, long long device_id, long long group_id);
int db_dev_delete(struct db *db, long long account_id, long long device_id);

int db_group_get(struct db *db, long long account_id, const char *uid, long long *id, char *name, size_t len);
int db_group_create(struct db *db, long long account_id, const char *name, char uid[PUBLIC_ID_LEN + 1]);
int db_group_rename(struct db *db, long long account_id, long long group_id, const char *name);
int db_group_delete(struct db *db, long long account_id, long long group_id);

#endif
