/*
 * auth_keys.c - the keys service (see auth_keys.h): the db change, then
 * the wait that makes it true for every worker.
 */
#include "auth_keys.h"

#include "db_api.h"
#include "db_device.h"
#include "key_cache.h"

/* After a committed change that ends keys, before saying so. */
static int settled(int rc)
{
	if (rc == DB_OK)
		key_cache_settle();
	return rc;
}

int auth_keys_rotate_device(struct db *db, long long account_id, long long device_id,
    unsigned grace_s, const struct new_key *key, long long *key_id)
{
	return settled(db_key_replace(db, KEY_DEVICE, account_id, device_id, grace_s, key, key_id));
}

int auth_keys_revoke_device(struct db *db, long long device_id, long long key_id)
{
	return settled(db_key_revoke(db, KEY_DEVICE, device_id, key_id));
}

int auth_keys_regenerate_account(struct db *db, long long account_id, unsigned grace_s,
    const struct new_key *key, long long *key_id)
{
	return settled(db_key_replace(db, KEY_ACCOUNT, account_id, 0, grace_s, key, key_id));
}

int auth_keys_revoke_account(struct db *db, long long account_id, long long key_id)
{
	return settled(db_key_revoke(db, KEY_ACCOUNT, account_id, key_id));
}

int auth_keys_device_deleted(struct db *db, long long account_id, long long device_id)
{
	return settled(db_dev_delete(db, account_id, device_id));
}
