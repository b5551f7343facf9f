/*
 * auth_password.c - bcrypt via crypt_gensalt_rn/crypt_rn (see
 * auth_password.h).  The reentrant calls keep all state on our stack;
 * the salt's randomness comes from the OS through libxcrypt.
 */
#include "auth_password.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "crypto.h"

int password_hash(const char *password, unsigned cost, char out[PASSWORD_HASH_MAX])
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data data;
	const char *h;
	int rc = -1;

	if (strlen(password) > PASSWORD_MAX_BYTES)
		return -1;
	memset(&data, 0, sizeof(data));
	if (crypt_gensalt_rn("$2b$", cost, NULL, 0, salt, sizeof(salt)) == NULL)
		return -1;
	h = crypt_rn(password, salt, &data, sizeof(data));
	if (h != NULL && h[0] != '*' && strlen(h) < PASSWORD_HASH_MAX) {
		snprintf(out, PASSWORD_HASH_MAX, "%s", h);
		rc = 0;
	}
	OPENSSL_cleanse(&data, sizeof(data));
	return rc;
}

int password_verify(const char *password, const char *hash)
{
	struct crypt_data data;
	const char *h;
	int ok = 0;

	if (hash == NULL || strncmp(hash, "$2b$", 4) != 0 ||
	    strlen(password) > PASSWORD_MAX_BYTES)
		return 0;
	memset(&data, 0, sizeof(data));
	h = crypt_rn(password, hash, &data, sizeof(data));
	if (h != NULL && h[0] != '*' && strlen(h) == strlen(hash))
		ok = crypto_equal(h, hash, strlen(hash));
	OPENSSL_cleanse(&data, sizeof(data));
	return ok;
}
