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

/* One audit record as the audit page lists it; the strings are "" for
 * NULL and valid during the callback only. */
struct audit_event {
	long long id;
	const char *at;             /* "YYYY-MM-DD HH:MM:SS UTC" */
	const char *who;            /* the actor's label */
	const char *action;
	const char *target_type;
	const char *target_id;
	const char *detail;         /* JSON */
	const char *result;
	const char *ip;
};

typedef int (*db_audit_fn)(void *ctx, const struct audit_event *e);
/* The account's audit records, newest first: at most limit of them, only
 * those older than before_id (0: from the newest), only actions starting
 * with action_prefix (NULL: all).  The prefix holds no LIKE wildcards. */
int db_audit_list(struct db *db, long long account_id, const char *action_prefix,
    long long before_id, int limit, db_audit_fn fn, void *ctx);

#endif
