/*
 * db_account.h - queries about accounts, users, devices, groups, keys and
 * the audit log: one function per question, prepared statements only.
 */
#ifndef GAUGE_DB_ACCOUNT_H
#define GAUGE_DB_ACCOUNT_H

#include "auth_key.h"
#include "valid.h"

struct db;

int db_account_create(struct db *db, const char *name, long long *id);
int db_account_exists(struct db *db, long long id);
int db_user_create(struct db *db, long long account_id, const char *email,
    const char *password_hash, enum role role, long long *id);
/* Finds the group by name in the account, creating it when missing. */
int db_group_ensure(struct db *db, long long account_id, const char *name,
    long long *id, char uid[PUBLIC_ID_LEN + 1]);
int db_device_create(struct db *db, long long account_id, long long group_id,
    const char *uid, const char *name, long long *id);
/* device_id 0 makes an account key. */
int db_key_create(struct db *db, long long account_id, long long device_id,
    const struct new_key *key, long long *id);

struct audit_entry {
	long long account_id;       /* 0: not tied to an account */
	long long actor_user_id;    /* 0: none */
	long long actor_key_id;     /* 0: none */
	const char *actor_label;
	const char *action;
	const char *target_type;
	const char *target_id;
	const char *detail_json;
	const char *ip;
};

int db_audit(struct db *db, const struct audit_entry *e);
/* The same, returning the record's id so its outcome can be added later. */
int db_audit_id(struct db *db, const struct audit_entry *e, long long *id);
/* Records the outcome of an audited action (e.g. how many were deleted). */
int db_audit_set_result(struct db *db, long long id, const char *result);

#endif
