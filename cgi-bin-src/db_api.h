/*
 * db_api.h - the MySQL questions the device-data API asks: who holds this
 * key, may it reach this device, and the key and account management behind
 * it.  One function per question; prepared statements only.
 */
#ifndef GAUGE_DB_API_H
#define GAUGE_DB_API_H

#include "auth_key.h"
#include "db.h"

#define NAME_MAX_BYTES 101

struct api_key_row {
	long long id;               /* 0 when no key matched */
	long long account_id;
	long long device_id;        /* 0 for an account key */
	enum key_kind kind;
	int revoked;
	long long expires_ms;       /* end of a rotation's grace period; 0: none */
	char display[KEY_DISPLAY_LEN + 1];
};

struct api_device_row {
	long long id;               /* 0 when no device has that id */
	long long account_id;
	int public_read;
	char uid[PUBLIC_ID_LEN + 1];
	char name[NAME_MAX_BYTES];
	char group_uid[PUBLIC_ID_LEN + 1];
	char group_name[NAME_MAX_BYTES];
	int retention_days;         /* its own retention window; 0: the account's */
};

/* One round trip: the key (hash may be NULL) and the device by public id
 * (uid may be NULL).  Either row is zeroed when nothing matched. */
int db_api_lookup(struct db *db, const unsigned char *hash, const char *uid,
    struct api_key_row *key, struct api_device_row *dev);
/* Records when and from where a key was last used. */
int db_api_key_touch(struct db *db, long long key_id, const char *ip);

/* Fills dev from columns o.. (id, account_id, public_read, uid, name, group uid, group name,
 * retention_days). */
void db_api_device_from_row(const struct db_row *row, size_t o, struct api_device_row *dev);

typedef int (*db_device_fn)(void *ctx, const struct api_device_row *dev);
/* Devices of an account, optionally only those in group_uid, by name. */
int db_api_devices(struct db *db, long long account_id, const char *group_uid,
    db_device_fn fn, void *ctx);

struct api_group_row {
	char uid[PUBLIC_ID_LEN + 1];
	char name[NAME_MAX_BYTES];
	long long devices;          /* how many devices are in it */
};

typedef int (*db_group_fn)(void *ctx, const struct api_group_row *group);
/* The account's groups by name, each with its device count. */
int db_api_groups(struct db *db, long long account_id, db_group_fn fn, void *ctx);

struct api_account_row {
	long long id;
	char name[NAME_MAX_BYTES];
	char created_at[32];        /* ISO 8601 UTC, milliseconds */
	long long devices;
	long long groups;
	int retention_days;         /* the account's default window; 0: keep forever */
};

/* DB_NOTFOUND when there is no such account. */
int db_api_account(struct db *db, long long account_id, struct api_account_row *a);

/* How a key ended, if it did.  A key ends once: revoked (by hand, or by a
 * rotation without grace) or expired (its rotation's grace ran out), and
 * is labelled by whichever came first. */
enum key_status {
	KEY_STATUS_ACTIVE,
	KEY_STATUS_EXPIRED,
	KEY_STATUS_REVOKED,
};

/* One key as the key lists show it; times are epoch ms UTC, 0 for none. */
struct api_key_info {
	long long id;
	char prefix[KEY_DISPLAY_LEN + 1];
	long long created_ms;
	long long expires_ms;       /* end of a grace period (in the future while active) */
	long long revoked_ms;
	long long last_used_ms;
	char last_ip[64];
	enum key_status status;
};

typedef int (*db_key_fn)(void *ctx, const struct api_key_info *key);
const char *key_status_name(enum key_status s);

/* A device's keys, oldest first. */
int db_api_device_keys(struct db *db, long long device_id, db_key_fn fn, void *ctx);
/* An account's account keys, newest first. */
int db_api_account_keys(struct db *db, long long account_id, db_key_fn fn, void *ctx);
/* Ends the live keys of one owner after grace_s (0: at once) and adds key,
 * in one transaction.  The owner is a device (kind KEY_DEVICE, device_id)
 * or the account itself (KEY_ACCOUNT, device_id 0).  A key already ending
 * sooner keeps its earlier end; keys that have already ended are left as
 * they are (an expired key is never relabelled revoked).  The key cache is
 * not this layer's business: auth_keys.h settles it. */
int db_key_replace(struct db *db, enum key_kind kind, long long account_id, long long device_id,
    unsigned grace_s, const struct new_key *key, long long *key_id);
/* Revokes one live key of an owner: a device's key (KEY_DEVICE, owner =
 * device id) or an account key (KEY_ACCOUNT, owner = account id).
 * DB_NOTFOUND when the key is not a live key of that owner. */
int db_key_revoke(struct db *db, enum key_kind kind, long long owner_id, long long key_id);
int db_api_device_set_public(struct db *db, long long device_id, int on);

#endif
