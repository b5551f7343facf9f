/*
 * crypto.c - thin wrappers over OpenSSL (see crypto.h), so the rest of the
 * code never touches OpenSSL types and one place decides how tokens look.
 */
#include "crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <string.h>

int crypto_random(void *buf, size_t n)
{
	return RAND_bytes(buf, (int)n) == 1 ? 0 : -1;
}

/* crypto_random_id's block; crypto_random_fork() empties it in a child. */
static unsigned char crypto_id_block[4096];
static size_t crypto_id_left;
static pthread_once_t crypto_id_once = PTHREAD_ONCE_INIT;

static void crypto_random_fork(void)
{
	OPENSSL_cleanse(crypto_id_block, sizeof(crypto_id_block));
	crypto_id_left = 0;
}

static void crypto_random_atfork(void)
{
	pthread_atfork(NULL, NULL, crypto_random_fork);
}

int crypto_random_id(void *buf, size_t n)
{
	if (n > 64)
		return crypto_random(buf, n);
	pthread_once(&crypto_id_once, crypto_random_atfork);
	if (crypto_id_left < n) {
		if (RAND_bytes(crypto_id_block, (int)sizeof(crypto_id_block)) != 1)
			return -1;
		crypto_id_left = sizeof(crypto_id_block);
	}
	/* Taken from the end, then wiped: a byte is handed out once. */
	crypto_id_left -= n;
	memcpy(buf, crypto_id_block + crypto_id_left, n);
	OPENSSL_cleanse(crypto_id_block + crypto_id_left, n);
	return 0;
}

/* EVP_Digest() with EVP_sha256() looks the algorithm up in OpenSSL's
 * provider store on every call (a third of a request's SHA-256 cost):
 * fetched once per process, with one context reused.  Workers are
 * single-threaded; a forked child gets its own copy of both. */
void crypto_sha256(const void *data, size_t n, unsigned char out[SHA256_LEN])
{
	static EVP_MD *md;
	static EVP_MD_CTX *ctx;
	unsigned int len = SHA256_LEN;

	if (md == NULL)
		md = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (ctx == NULL)
		ctx = EVP_MD_CTX_new();
	if (md == NULL || ctx == NULL || EVP_DigestInit_ex2(ctx, md, NULL) != 1 ||
	    EVP_DigestUpdate(ctx, data, n) != 1 || EVP_DigestFinal_ex(ctx, out, &len) != 1)
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
