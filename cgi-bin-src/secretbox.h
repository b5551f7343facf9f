/*
 * secretbox.h - encryption at rest for the few secrets Gauge must be able
 * to read back (TOTP secrets, customers' Twilio auth tokens), under a
 * server key from the config file, so a copy of the database alone reveals
 * none of them.
 *
 * A sealed box is binary, for a VARBINARY column:
 *
 *	version (1) | key id (1) | nonce (12) | ciphertext (n) | tag (16)
 *
 * AES-256-GCM through OpenSSL's EVP interface, a fresh random 96-bit nonce
 * per box (safe for far more boxes than Gauge will ever seal under one
 * key), and the full 128-bit tag.  The key id names the key a box was
 * sealed with, so a new key can be introduced while old boxes still open
 * under the old one; the version byte leaves room for another cipher.
 * Both header bytes are authenticated along with the caller's associated
 * data, which names the row a secret belongs to ("user:42:totp"): a box
 * copied into another row, or given another header, does not open.
 */
#ifndef GAUGE_SECRETBOX_H
#define GAUGE_SECRETBOX_H

#include <stddef.h>

#define SECRETBOX_VERSION   1
#define SECRETBOX_KEY_LEN   32
#define SECRETBOX_KEY_HEX   (2 * SECRETBOX_KEY_LEN)
#define SECRETBOX_NONCE_LEN 12
#define SECRETBOX_TAG_LEN   16
#define SECRETBOX_HEADER    (2 + SECRETBOX_NONCE_LEN)
#define SECRETBOX_OVERHEAD  (SECRETBOX_HEADER + SECRETBOX_TAG_LEN)
/* Size of the box for n bytes of plaintext. */
#define SECRETBOX_SEALED_LEN(n) ((n) + SECRETBOX_OVERHEAD)
/* The longest plaintext accepted: secrets are small, and a bound keeps
 * every length well inside OpenSSL's int. */
#define SECRETBOX_MAX_PLAIN 65536

struct secretbox_key {
	unsigned char id;
	unsigned char key[SECRETBOX_KEY_LEN];
};

/* Parses exactly SECRETBOX_KEY_HEX hex digits (either case) into *out with
 * the given id.  Anything else (whitespace, a 0x prefix, a wrong length,
 * an all-zero placeholder) is refused with -1 and *out left cleared. */
int  secretbox_key_parse(const char *hex, unsigned char id, struct secretbox_key *out);
/* Wipes a key; call it before the memory holding one is released. */
void secretbox_key_clear(struct secretbox_key *k);

/* Seals n bytes of plain, bound to ad (adlen bytes; may be NULL when 0),
 * into out, which holds SECRETBOX_SEALED_LEN(n) bytes.  Returns 0, or -1
 * when n is over SECRETBOX_MAX_PLAIN or the CSPRNG or cipher fails. */
int  secretbox_seal(const struct secretbox_key *k, const void *plain, size_t n,
	    const void *ad, size_t adlen, unsigned char *out);
/* Opens a box of boxlen bytes into out, which holds boxlen -
 * SECRETBOX_OVERHEAD bytes, and stores the plaintext length in *outlen.
 * Returns 0, or -1 for anything short of an intact box sealed under k with
 * the same ad: out then holds no plaintext. */
int  secretbox_open(const struct secretbox_key *k, const unsigned char *box,
	    size_t boxlen, const void *ad, size_t adlen, unsigned char *out,
	    size_t *outlen);
/* The key id a box claims, so a caller holding several keys can pick one;
 * -1 when box is too short or of an unknown version. */
int  secretbox_key_id(const unsigned char *box, size_t boxlen);

/* The AES-256-GCM step itself, with an explicit nonce and no header;
 * exposed only so a unit test can check it against published test
 * vectors.  Writes n bytes to ct and the tag to tag; 0 or -1. */
int  secretbox_gcm_encrypt(const unsigned char key[SECRETBOX_KEY_LEN],
	    const unsigned char nonce[SECRETBOX_NONCE_LEN],
	    const unsigned char *ad, size_t adlen, const unsigned char *pt,
	    size_t n, unsigned char *ct, unsigned char tag[SECRETBOX_TAG_LEN]);

#endif
