/*
 * secretbox.c - AES-256-GCM boxes for secrets at rest (see secretbox.h).
 *
 * Sealing and opening run through one function, gcm(), so the known-answer
 * test of secretbox_gcm_encrypt() exercises the very EVP calls that seal
 * real secrets.  OpenSSL hands out plaintext before it has checked the
 * tag, so a failed open wipes what was written: a caller that ignores the
 * return value still never sees forged plaintext.
 */
#include "secretbox.h"

#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <string.h>

#include "crypto.h"

#define HEADER_AAD_LEN 2                /* version and key id */

/* Feeds associated data; a zero length feeds nothing. */
static int gcm_aad(EVP_CIPHER_CTX *ctx, const unsigned char *ad, size_t adlen)
{
	int len;

	return adlen == 0 || EVP_CipherUpdate(ctx, NULL, &len, ad, (int)adlen) == 1;
}

/* One AES-256-GCM pass.  The associated data is hdr then ad (hdr has a
 * fixed length, so the split is unambiguous).  Encrypting writes tag;
 * decrypting checks it and fails unless it matches. */
static int gcm(int enc, const unsigned char key[SECRETBOX_KEY_LEN],
    const unsigned char nonce[SECRETBOX_NONCE_LEN], const unsigned char *hdr,
    size_t hdrlen, const unsigned char *ad, size_t adlen,
    const unsigned char *in, size_t n, unsigned char *out,
    unsigned char tag[SECRETBOX_TAG_LEN])
{
	EVP_CIPHER_CTX *ctx;
	int len = 0, fin, rc = -1;

	if (n > SECRETBOX_MAX_PLAIN || adlen > INT_MAX || hdrlen > INT_MAX)
		return -1;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce, enc) != 1 ||
	    !gcm_aad(ctx, hdr, hdrlen) || !gcm_aad(ctx, ad, adlen))
		goto done;
	if (n > 0 && EVP_CipherUpdate(ctx, out, &len, in, (int)n) != 1)
		goto done;
	if (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG,
	    SECRETBOX_TAG_LEN, tag) != 1)
		goto done;
	if (EVP_CipherFinal_ex(ctx, out + len, &fin) != 1)
		goto done;
	if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG,
	    SECRETBOX_TAG_LEN, tag) != 1)
		goto done;
	rc = 0;
done:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

int secretbox_gcm_encrypt(const unsigned char key[SECRETBOX_KEY_LEN],
    const unsigned char nonce[SECRETBOX_NONCE_LEN],
    const unsigned char *ad, size_t adlen, const unsigned char *pt,
    size_t n, unsigned char *ct, unsigned char tag[SECRETBOX_TAG_LEN])
{
	return gcm(1, key, nonce, NULL, 0, ad, adlen, pt, n, ct, tag);
}

/* The hex decoder is OpenSSL's; it reports refusals on OpenSSL's error
 * queue, which is cleared so a later, unrelated caller does not find a
 * stale error there. */
int secretbox_key_parse(const char *hex, unsigned char id, struct secretbox_key *out)
{
	unsigned char any = 0;
	size_t len = 0;

	secretbox_key_clear(out);
	if (hex == NULL || strnlen(hex, SECRETBOX_KEY_HEX + 1) != SECRETBOX_KEY_HEX)
		return -1;
	if (OPENSSL_hexstr2buf_ex(out->key, sizeof(out->key), &len, hex, '\0') != 1 ||
	    len != SECRETBOX_KEY_LEN) {
		ERR_clear_error();
		secretbox_key_clear(out);
		return -1;
	}
	for (size_t i = 0; i < SECRETBOX_KEY_LEN; i++)
		any |= out->key[i];
	if (any == 0)
		return -1;              /* the placeholder from an example config */
	out->id = id;
	return 0;
}

void secretbox_key_clear(struct secretbox_key *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

int secretbox_seal(const struct secretbox_key *k, const void *plain, size_t n,
    const void *ad, size_t adlen, unsigned char *out)
{
	unsigned char *nonce = out + HEADER_AAD_LEN;
	unsigned char *ct = out + SECRETBOX_HEADER;

	if (n > SECRETBOX_MAX_PLAIN)
		return -1;
	out[0] = SECRETBOX_VERSION;
	out[1] = k->id;
	if (crypto_random(nonce, SECRETBOX_NONCE_LEN) != 0 ||
	    gcm(1, k->key, nonce, out, HEADER_AAD_LEN, ad, adlen, plain, n, ct,
	    ct + n) != 0) {
		OPENSSL_cleanse(out, SECRETBOX_SEALED_LEN(n));
		return -1;
	}
	return 0;
}

int secretbox_open(const struct secretbox_key *k, const unsigned char *box,
    size_t boxlen, const void *ad, size_t adlen, unsigned char *out,
    size_t *outlen)
{
	unsigned char tag[SECRETBOX_TAG_LEN];
	size_t n;

	if (secretbox_key_id(box, boxlen) != k->id)
		return -1;
	n = boxlen - SECRETBOX_OVERHEAD;
	memcpy(tag, box + boxlen - SECRETBOX_TAG_LEN, sizeof(tag));
	if (gcm(0, k->key, box + HEADER_AAD_LEN, box, HEADER_AAD_LEN, ad, adlen,
	    box + SECRETBOX_HEADER, n, out, tag) != 0) {
		OPENSSL_cleanse(out, n);
		return -1;
	}
	*outlen = n;
	return 0;
}

int secretbox_key_id(const unsigned char *box, size_t boxlen)
{
	if (box == NULL || boxlen < SECRETBOX_OVERHEAD || box[0] != SECRETBOX_VERSION)
		return -1;
	return box[1];
}
