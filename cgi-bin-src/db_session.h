/*
 * db_session.h - the sessions table: signed-in users' sessions, found by
 * the SHA-256 of their token (session.h owns tokens, cookies and CSRF).
 */
#ifndef GAUGE_DB_SESSION_H
#define GAUGE_DB_SESSION_H

#include "crypto.h"
#include "session.h"

struct db;

/* A new session; id receives its row id. */
int db_session_create(struct db *db, const unsigned char hash[SHA256_LEN], long long user_id,
    const unsigned char csrf_secret[32], int mfa_pending, unsigned absolute_h,
    const char *ip, const char *user_agent, long long *id);
/* Fills s with the live session whose token hashes to hash (neither past
 * its absolute end nor idle for idle_min); *stale is 1 when it was last
 * seen over a minute ago.  DB_NOTFOUND when there is none. */
int db_session_find(struct db *db, const unsigned char hash[SHA256_LEN], unsigned idle_min,
    struct session *s, int *stale);
/* Records that the session was seen now. */
int db_session_touch(struct db *db, long long session_id);
int db_session_mfa_done(struct db *db, long long session_id);
int db_session_delete(struct db *db, long long session_id);
/* Deletes one session of the user's (another user's id matches nothing). */
int db_session_delete_own(struct db *db, long long user_id, long long session_id);
/* Deletes every session of the user except keep_id (0: all of them). */
int db_session_delete_others(struct db *db, long long user_id, long long keep_id);

/* One live session as the profile page lists it; the strings are valid
 * during the callback only. */
struct session_info {
	long long id;
	const char *created;        /* "YYYY-MM-DD HH:MM UTC" */
	const char *last_seen;
	const char *ip;
	const char *user_agent;
};

typedef int (*db_session_fn)(void *ctx, const struct session_info *s);
/* The user's live sessions, most recently seen first. */
int db_session_list(struct db *db, long long user_id, db_session_fn fn, void *ctx);

#endif
