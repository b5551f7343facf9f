/*
 * session.c - sessions and CSRF tokens (see session.h).
 */
#include "session.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "db_session.h"
#include "req.h"
#include "resp.h"
#include "valid.h"

static const char session_cookie_attrs[] = "; Path=/; Secure; HttpOnly; SameSite=Lax";

/* The user agent as the sessions list shows it: whole when it fits the
 * column, else cut at a character boundary and visibly marked "...". */
static void session_ua_summary(const char *ua, char *out, size_t cap)
{
	size_t n = strlen(ua);

	if (n < cap) {
		memcpy(out, ua, n + 1);
	} else {
		n = cap - 4;
		while (n > 0 && ((unsigned char)ua[n] & 0xc0) == 0x80)
			n--;
		memcpy(out, ua, n);
		memcpy(out + n, "...", 4);
	}
	/* MariaDB refuses bytes that are not UTF-8: show them as '?'. */
	if (valid_utf8_chars(out) < 0)
		for (char *p = out; *p != '\0'; p++)
			if ((unsigned char)*p >= 0x80)
				*p = '?';
}

int session_create(struct db *db, struct resp *rs, long long user_id, int mfa_pending,
    const char *ip, const char *user_agent, unsigned absolute_h, long long *session_id)
{
	unsigned char raw[32], hash[SHA256_LEN], csrf[32];
	char token[SESSION_TOKEN_LEN + 1], cookie[128], ua[256];
	int rc;

	if (crypto_random(raw, sizeof(raw)) != 0 || crypto_random(csrf, sizeof(csrf)) != 0)
		return DB_ERROR;
	crypto_b64url(raw, sizeof(raw), token);
	crypto_sha256(token, strlen(token), hash);
	session_ua_summary(user_agent != NULL ? user_agent : "", ua, sizeof(ua));
	rc = db_session_create(db, hash, user_id, csrf, mfa_pending, absolute_h, ip, ua, session_id);
	if (rc != DB_OK)
		return rc;
	snprintf(cookie, sizeof(cookie), SESSION_COOKIE "=%s%s", token, session_cookie_attrs);
	resp_header(rs, "Set-Cookie", cookie);
	return DB_OK;
}

void session_clear_cookie(struct resp *rs)
{
	resp_header(rs, "Set-Cookie", SESSION_COOKIE "=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax");
}

int session_load(struct db *db, const struct req *r, unsigned idle_min, struct session *s)
{
	const char *token = req_cookie(r, SESSION_COOKIE);
	unsigned char hash[SHA256_LEN];
	int rc, stale;

	memset(s, 0, sizeof(*s));
	if (token == NULL || strlen(token) != SESSION_TOKEN_LEN)
		return DB_OK;
	crypto_sha256(token, SESSION_TOKEN_LEN, hash);
	rc = db_session_find(db, hash, idle_min, s, &stale);
	if (rc == DB_NOTFOUND) {
		memset(s, 0, sizeof(*s));
		return DB_OK;
	}
	if (rc != DB_OK)
		return rc;
	if (stale)      /* live, but last seen over a minute ago */
		(void)db_session_touch(db, s->id);
	return DB_OK;
}

int session_end(struct db *db, long long session_id)
{
	return db_session_delete(db, session_id);
}

int session_end_others(struct db *db, long long user_id, long long keep_id)
{
	return db_session_delete_others(db, user_id, keep_id);
}

int session_mark_mfa_done(struct db *db, long long session_id)
{
	return db_session_mfa_done(db, session_id);
}

static void hmac_token(const unsigned char *key, size_t keylen, const char *msg,
    char out[CSRF_TOKEN_LEN + 1])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)msg, strlen(msg), mac, &len);
	crypto_b64url(mac, 32, out);
}

void session_csrf_token(const struct session *s, char out[CSRF_TOKEN_LEN + 1])
{
	hmac_token(s->csrf_secret, sizeof(s->csrf_secret), "gauge-csrf", out);
}

int session_csrf_ok(const struct session *s, const char *token)
{
	char want[CSRF_TOKEN_LEN + 1];

	if (s->id == 0 || token == NULL || strlen(token) != CSRF_TOKEN_LEN)
		return 0;
	session_csrf_token(s, want);
	return crypto_equal(want, token, CSRF_TOKEN_LEN);
}

void prelogin_token(const struct req *r, struct resp *rs, char out[CSRF_TOKEN_LEN + 1])
{
	const char *have = req_cookie(r, PRELOGIN_COOKIE);
	char cookie[128];

	if (have != NULL && strlen(have) == CSRF_TOKEN_LEN) {
		snprintf(out, CSRF_TOKEN_LEN + 1, "%s", have);
		return;
	}
	if (crypto_token(32, out, CSRF_TOKEN_LEN + 1) != 0)
		out[0] = '\0';
	snprintf(cookie, sizeof(cookie), PRELOGIN_COOKIE "=%s; Path=/; Secure; HttpOnly; SameSite=Strict", out);
	resp_header(rs, "Set-Cookie", cookie);
}

int prelogin_ok(const struct req *r, const char *token)
{
	const char *have = req_cookie(r, PRELOGIN_COOKIE);

	return have != NULL && token != NULL && strlen(have) == CSRF_TOKEN_LEN &&
	    strlen(token) == CSRF_TOKEN_LEN && crypto_equal(have, token, CSRF_TOKEN_LEN);
}
