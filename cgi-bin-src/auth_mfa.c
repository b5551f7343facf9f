/*
 * auth_mfa.c - second-factor checks and enrolment (see auth_mfa.h).
 *
 * "A code works once" is enforced in the database (the last accepted step
 * only moves forward; a recovery code is marked used by one UPDATE), so it
 * holds across workers and hosts, not just within one process.
 */
#include "auth_mfa.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth_totp.h"
#include "crypto.h"
#include "db.h"
#include "db_user.h"
#include "secretbox.h"

static void mfa_aad(long long user_id, char out[48])
{
	snprintf(out, 48, "user:%lld:totp", user_id);
}

enum mfa_result mfa_secret(const struct secretbox_key *box, const struct user_row *u,
    unsigned char *secret, size_t *len)
{
	char aad[48];

	if (box == NULL)
		return MFA_NO_KEY;
	mfa_aad(u->id, aad);
	if (u->totp_secret_len == 0 || u->totp_secret_len > SECRETBOX_SEALED_LEN(TOTP_SECRET_LEN) ||
	    secretbox_open(box, u->totp_secret_enc, u->totp_secret_len, aad, strlen(aad), secret, len) != 0)
		return MFA_WRONG;
	return MFA_OK;
}

/* Recovery codes are compared without dashes, spaces or case. */
static int mfa_recovery_hash(const char *code, unsigned char hash[SHA256_LEN])
{
	char norm[32];
	size_t n = 0;

	for (; *code != '\0'; code++) {
		if (*code == '-' || *code == ' ')
			continue;
		if (n == sizeof(norm) - 1 || !isalnum((unsigned char)*code))
			return -1;
		norm[n++] = (char)tolower((unsigned char)*code);
	}
	norm[n] = '\0';
	if (n != MFA_RECOVERY_LEN - 1)
		return -1;
	crypto_sha256(norm, n, hash);
	return 0;
}

static enum mfa_result mfa_totp(struct db *db, const struct secretbox_key *box,
    const struct user_row *u, const char *code)
{
	unsigned char secret[TOTP_SECRET_LEN + 16];
	size_t len = 0;
	int64_t step;
	enum mfa_result rc = mfa_secret(box, u, secret, &len);
	int rc_db;

	if (rc != MFA_OK)
		return rc;
	if (!totp_verify(secret, len, code, time(NULL), u->totp_last_step, &step)) {
		OPENSSL_cleanse(secret, sizeof(secret));
		return MFA_WRONG;
	}
	OPENSSL_cleanse(secret, sizeof(secret));
	rc_db = db_user_totp_use_step(db, u->id, step);
	return rc_db == DB_OK ? MFA_OK : rc_db == DB_NOTFOUND ? MFA_WRONG : MFA_DOWN;
}

enum mfa_result mfa_check(struct db *db, const struct secretbox_key *box,
    const struct user_row *u, const char *code)
{
	unsigned char hash[SHA256_LEN];
	int rc;

	if (code == NULL || !u->totp_enabled)
		return MFA_WRONG;
	if (strlen(code) == TOTP_DIGITS)
		return mfa_totp(db, box, u, code);
	if (mfa_recovery_hash(code, hash) != 0)
		return MFA_WRONG;
	rc = db_recovery_use(db, u->id, hash);
	return rc == DB_OK ? MFA_OK : rc == DB_NOTFOUND ? MFA_WRONG : MFA_DOWN;
}

enum mfa_result mfa_begin(struct db *db, const struct secretbox_key *box,
    long long user_id, const char *email, char *secret_b32, size_t len, char *uri)
{
	unsigned char secret[TOTP_SECRET_LEN], sealed[SECRETBOX_SEALED_LEN(TOTP_SECRET_LEN)];
	char aad[48];
	int rc;

	if (box == NULL)
		return MFA_NO_KEY;
	if (len < TOTP_BASE32_LEN(TOTP_SECRET_LEN) + 1 || totp_secret_new(secret) != 0)
		return MFA_DOWN;
	mfa_aad(user_id, aad);
	rc = secretbox_seal(box, secret, sizeof(secret), aad, strlen(aad), sealed);
	if (rc == 0) {
		totp_base32_encode(secret, sizeof(secret), secret_b32);
		rc = totp_uri("Gauge", email, secret, sizeof(secret), uri);
	}
	OPENSSL_cleanse(secret, sizeof(secret));
	if (rc != 0)
		return MFA_DOWN;
	return db_user_totp_pending(db, user_id, sealed, sizeof(sealed)) == DB_OK ? MFA_OK : MFA_DOWN;
}

enum mfa_result mfa_confirm(struct db *db, const struct secretbox_key *box,
    const struct user_row *u, const char *code)
{
	unsigned char secret[TOTP_SECRET_LEN + 16];
	size_t len = 0;
	int64_t step;
	enum mfa_result rc = mfa_secret(box, u, secret, &len);

	if (rc != MFA_OK)
		return rc;
	if (!totp_verify(secret, len, code, time(NULL), -1, &step)) {
		OPENSSL_cleanse(secret, sizeof(secret));
		return MFA_WRONG;
	}
	OPENSSL_cleanse(secret, sizeof(secret));
	return db_user_totp_enable(db, u->id, step) == DB_OK ? MFA_OK : MFA_DOWN;
}

enum mfa_result mfa_new_recovery(struct db *db, long long user_id,
    char codes[MFA_RECOVERY_CODES][MFA_RECOVERY_LEN + 1])
{
	unsigned char hashes[MFA_RECOVERY_CODES][SHA256_LEN], raw[7];
	char b32[16];

	for (int i = 0; i < MFA_RECOVERY_CODES; i++) {
		if (crypto_random(raw, sizeof(raw)) != 0)
			return MFA_DOWN;
		totp_base32_encode(raw, sizeof(raw), b32);     /* 56 bits: 12 chars, keep 10 */
		for (int j = 0; j < 10; j++)
			b32[j] = (char)tolower((unsigned char)b32[j]);
		snprintf(codes[i], MFA_RECOVERY_LEN + 1, "%.5s-%.5s", b32, b32 + 5);
		if (mfa_recovery_hash(codes[i], hashes[i]) != 0)
			return MFA_DOWN;
	}
	OPENSSL_cleanse(raw, sizeof(raw));
	return db_recovery_replace(db, user_id, (const unsigned char (*)[SHA256_LEN])hashes,
	    MFA_RECOVERY_CODES) == DB_OK ? MFA_OK : MFA_DOWN;
}
