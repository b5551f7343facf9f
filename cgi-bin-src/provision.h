/*
 * provision.h - devices and groups made, changed and deleted: the rules
 * the dashboard (page_devices.c, page_device_settings.c, page_groups.c)
 * and the API (api_devices.c, api_groups.c) both apply, so the two are
 * faces of the same functions.  Each field's check and the words that
 * refuse it live here once; each change that spans more than one row or
 * store is one function here.
 *
 * Functions return an enum db_status (db.h) or, for checks, 1/0.
 */
#ifndef GAUGE_PROVISION_H
#define GAUGE_PROVISION_H

#include <stddef.h>

#include "auth_key.h"
#include "db_api.h"

struct db;
struct store;

/* What a refusal says, on a page and in an API error alike. */
extern const char PROV_DEVICE_NAME_RULE[];  /* a device name that valid_name() refuses */
extern const char PROV_GROUP_NAME_RULE[];   /* a group name that valid_name() refuses */
extern const char PROV_GROUP_TAKEN[];       /* a group name already used in the account */
extern const char PROV_NO_SUCH_GROUP[];     /* a group id that is not the account's */

/* A device or group name: valid_name()'s 1..100 characters of text. */
int prov_name_ok(const char *name);

/* The group uid names in the account: id (and name, len bytes) filled.
 * NULL or "" is "no group": DB_OK with id 0 and name "".  A malformed or
 * unknown id is DB_NOTFOUND, without a query when malformed. */
int prov_group_find(struct db *db, long long account_id, const char *uid, long long *id,
    char *name, size_t len);

/* A new device in group_id (0: none) with its first key, in one
 * transaction: d is zeroed and gets its id, uid, account and name (the
 * caller adds the group it found, prov_device_grouped), key the key that
 * is shown once. */
int prov_device_create(struct db *db, long long account_id, long long group_id, const char *name,
    struct api_device_row *d, struct new_key *key, long long *key_id);
/* Sets d's group uid and name ("" and "": none). */
void prov_device_grouped(struct api_device_row *d, const char *uid, const char *name);

/* Deletes the device with all its readings: the readings first (a device
 * row without readings is harmless, the reverse would leave readings
 * nobody can reach or delete), then the device, whose keys, alert rules
 * and alert state go with it.  Its keys are refused by every worker when
 * this returns DB_OK (auth_keys_device_deleted).  *readings_deleted: how
 * many readings went. */
int prov_device_delete(struct db *db, struct store *store, long long account_id, long long device_id,
    long long *readings_deleted);

#endif
