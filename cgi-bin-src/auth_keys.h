/*
 * auth_keys.h - the keys service: every change that ends API keys, and
 * the promise that goes with it: when one of these returns DB_OK, the
 * change is effective everywhere.
 *
 * Workers remember found keys for KEY_CACHE_MS (key_cache.h).  So each
 * function here makes its change in the database (one transaction, shared
 * by device and account keys in db_api.c) and then waits out the cache
 * (key_cache_settle) before it reports success: once "revoked" is said, no
 * worker on any host still accepts the key.  The database layer itself
 * never sleeps and knows nothing of the cache.
 *
 * Each returns an enum db_status (db.h).
 */
#ifndef GAUGE_AUTH_KEYS_H
#define GAUGE_AUTH_KEYS_H

#include "auth_key.h"

struct db;

/* Ends the device's live keys after grace_s (0: at once) and adds key. */
int auth_keys_rotate_device(struct db *db, long long account_id, long long device_id,
    unsigned grace_s, const struct new_key *key, long long *key_id);
/* DB_NOTFOUND when the key is not a live key of that device. */
int auth_keys_revoke_device(struct db *db, long long device_id, long long key_id);
/* Ends the account's live account keys after grace_s (0: at once) and adds key. */
int auth_keys_regenerate_account(struct db *db, long long account_id, unsigned grace_s,
    const struct new_key *key, long long *key_id);
/* DB_NOTFOUND when the key is not a live account key of the account. */
int auth_keys_revoke_account(struct db *db, long long account_id, long long key_id);
/* Deletes the device; its keys go with it.  DB_NOTFOUND when it is not the
 * account's. */
int auth_keys_device_deleted(struct db *db, long long account_id, long long device_id);

#endif
