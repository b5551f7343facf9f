/*
 * crypto.h - the few primitives Gauge needs, all from OpenSSL: CSPRNG bytes,
 * SHA-256, constant-time comparison, and text encodings for tokens.
 */
#ifndef GAUGE_CRYPTO_H
#define GAUGE_CRYPTO_H

#include <stddef.h>

#define SHA256_LEN 32

/* 0 on success; -1 when the OS CSPRNG fails (never fall back to weaker). */
int  crypto_random(void *buf, size_t n);
/* The same bytes, served from a block this process drew from the CSPRNG
 * earlier, for identifiers made on every request (request ids): one
 * RAND_bytes per few hundred calls instead of one per call.  A forked child
 * drops the block it inherited (pthread_atfork), so no two workers ever
 * hand out the same bytes.  n at most 64. */
int  crypto_random_id(void *buf, size_t n);
void crypto_sha256(const void *data, size_t n, unsigned char out[SHA256_LEN]);
int  crypto_equal(const void *a, const void *b, size_t n);
/* HMAC-SHA256 of data under key: 0, or -1 when OpenSSL fails. */
int  crypto_hmac_sha256(const void *key, size_t keylen, const void *data, size_t n,
    unsigned char out[SHA256_LEN]);
/* Writes 2n hex digits and a NUL into out (size 2n+1). */
void crypto_hex(const unsigned char *in, size_t n, char *out);
/* Unpadded base64url; out must hold ceil(4n/3)+1 bytes. Returns length. */
size_t crypto_b64url(const unsigned char *in, size_t n, char *out);
/* A fresh random token: nbytes of entropy as base64url into out. */
int  crypto_token(size_t nbytes, char *out, size_t outlen);

#endif
