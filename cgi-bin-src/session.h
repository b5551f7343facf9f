/*
 * session.h - signed-in users: session tokens, cookies and CSRF tokens.
 *
 * A session is a random 256-bit token in a __Host- cookie (Secure,
 * HttpOnly, SameSite=Lax, Path=/); the database keeps only its SHA-256,
 * so a leaked table opens no session.  Sessions end after an idle timeout
 * and an absolute one, on logout (server-side delete) and, for a user's
 * other sessions, on a password change.  Each session has its own CSRF
 * secret; the token in forms is an HMAC of it, checked in constant time on
 * every state-changing request.
 */
#ifndef GAUGE_SESSION_H
#define GAUGE_SESSION_H

#include "crypto.h"
#include "valid.h"

struct db;
struct req;
struct resp;

#define SESSION_COOKIE   "__Host-gauge_session"
#define PRELOGIN_COOKIE  "__Host-gauge_pre"
#define SESSION_TOKEN_LEN 43      /* base64url of 32 bytes */
#define CSRF_TOKEN_LEN    43

struct session {
	long long id;               /* 0: none */
	long long user_id;
	long long account_id;
	enum role role;
	int mfa_pending;            /* password accepted, second factor not yet */
	int totp_enabled;
	int require_2fa;            /* the account requires it */
	char email[255];
	char account_name[101];
	unsigned char csrf_secret[32];
};

/* Creates a session for user; writes the cookie header into rs. */
int session_create(struct db *db, struct resp *rs, long long user_id, int mfa_pending,
    const char *ip, const char *user_agent, unsigned absolute_h, long long *session_id);
/* Finds the request's live session (idle and absolute limits applied,
 * last-seen refreshed at most once a minute).  DB_OK with s->id == 0 when
 * there is none; DB_DOWN when the database cannot say. */
int session_load(struct db *db, const struct req *r, unsigned idle_min, struct session *s);
int session_end(struct db *db, long long session_id);
/* Ends every session of the user except keep_id (0: all of them). */
int session_end_others(struct db *db, long long user_id, long long keep_id);
int session_mark_mfa_done(struct db *db, long long session_id);
void session_clear_cookie(struct resp *rs);

/* The CSRF token to put in this session's forms. */
void session_csrf_token(const struct session *s, char out[CSRF_TOKEN_LEN + 1]);
int  session_csrf_ok(const struct session *s, const char *token);

/* Before sign-in there is no session: a double-submit token in its own
 * cookie protects the login and reset forms. */
void prelogin_token(const struct req *r, struct resp *rs, char out[CSRF_TOKEN_LEN + 1]);
int  prelogin_ok(const struct req *r, const char *token);

#endif
