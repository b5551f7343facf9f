/*
 * crypto.c - thin wrappers over OpenSSL (see crypto.h), so the rest of the
 * code never touches OpenSSL types and one place decides how tokens look.
 */
#include "crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>

int crypto_random(void *buf, size_t n)
{
	return RAND_bytes(buf, (int)n) == 1 ? 0 : -1;
}

void crypto_sha256(const void *data, size_t n, unsigned char out[SHA256_LEN])
{
	unsigned int len = SHA256_LEN;

	EVP_Digest(data, n, out, &len, EVP_sha256(), NULL);
}

int crypto_hmac_sha256(const void *key, size_t keylen, const void *data, size_t n,
    unsigned char out[SHA256_LEN])
{
	size_t len = 0;

	return EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, keylen, data, n,
	    out, SHA256_LEN, &len) != NULL && len == SHA256_LEN ? 0 : -1;
}

int crypto_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

void crypto_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

/* OpenSSL's encoder, then the URL-safe alphabet of RFC 4648 section 5.
 * EVP_EncodeBlock writes the padded form, so it goes through a scratch
 * buffer: callers size out for the unpadded text only. */
size_t crypto_b64url(const unsigned char *in, size_t n, char *out)
{
	unsigned char tmp[(n + 2) / 3 * 4 + 1];
	int len = EVP_EncodeBlock(tmp, in, (int)n);

	while (len > 0 && tmp[len - 1] == '=')
		len--;
	for (int i = 0; i < len; i++)
		out[i] = tmp[i] == '+' ? '-' : tmp[i] == '/' ? '_' : (char)tmp[i];
	out[len] = '\0';
	return (size_t)len;
}

int crypto_token(size_t nbytes, char *out, size_t outlen)
{
	unsigned char raw[64];

	if (nbytes > sizeof(raw) || outlen < (nbytes * 4 + 2) / 3 + 1)
		return -1;
	if (crypto_random(raw, nbytes) != 0)
		return -1;
	crypto_b64url(raw, nbytes, out);
	OPENSSL_cleanse(raw, sizeof(raw));
	return 0;
}
