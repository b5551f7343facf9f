/*
 * provision.c - device and group rules shared by the dashboard and the
 * API (see provision.h).  They left page_devices.c, page_device_settings.c
 * and page_groups.c when the API learned to provision, so that a device
 * made, grouped or deleted through either face is the same act.
 */
#include "provision.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "auth_keys.h"
#include "db.h"
#include "db_account.h"
#include "db_device.h"
#include "store.h"
#include "store_readings.h"
#include "valid.h"

const char PROV_DEVICE_NAME_RULE[] = "A device name is 1 to 100 characters of text.";
const char PROV_GROUP_NAME_RULE[] = "A group name is 1 to 100 characters of text.";
const char PROV_GROUP_TAKEN[] = "A group with this name already exists.";
const char PROV_NO_SUCH_GROUP[] = "There is no such group in your account.";

int prov_name_ok(const char *name)
{
	return name != NULL && valid_name(name);
}

int prov_group_find(struct db *db, long long account_id, const char *uid, long long *id,
    char *name, size_t len)
{
	*id = 0;
	if (len > 0)
		name[0] = '\0';
	if (uid == NULL || *uid == '\0')
		return DB_OK;
	if (!valid_public_id(uid, "grp_"))
		return DB_NOTFOUND;
	return db_group_get(db, account_id, uid, id, name, len);
}

int prov_device_create(struct db *db, long long account_id, long long group_id, const char *name,
    struct api_device_row *d, struct new_key *key, long long *key_id)
{
	int rc;

	memset(d, 0, sizeof(*d));
	if (public_id_generate("dev_", d->uid) != 0 || key_generate(KEY_DEVICE, key) != 0)
		return DB_ERROR;
	if ((rc = db_begin(db)) == DB_OK &&
	    (rc = db_device_create(db, account_id, group_id, d->uid, name, &d->id)) == DB_OK &&
	    (rc = db_key_create(db, account_id, d->id, key, key_id)) == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		return rc;
	}
	d->account_id = account_id;
	snprintf(d->name, sizeof(d->name), "%s", name);
	return DB_OK;
}

void prov_device_grouped(struct api_device_row *d, const char *uid, const char *name)
{
	snprintf(d->group_uid, sizeof(d->group_uid), "%s", uid);
	snprintf(d->group_name, sizeof(d->group_name), "%s", name);
}

int prov_device_delete(struct db *db, struct store *store, long long account_id, long long device_id,
    long long *readings_deleted)
{
	struct store_range all = { device_id, LLONG_MIN, LLONG_MAX, NULL, 0 };

	if (store_readings_delete(store, &all, readings_deleted) != STORE_OK)
		return DB_ERROR;
	return auth_keys_device_deleted(db, account_id, device_id);
}
