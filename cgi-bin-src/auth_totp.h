/*
 * auth_totp.h - time-based one-time passwords for two-factor login
 * (RFC 6238 over RFC 4226), in the one flavour every authenticator app
 * understands: HMAC-SHA1, 30-second steps, 6 digits, T0 = 0.
 *
 * A secret is 20 random bytes (the HMAC-SHA1 block of RFC 4226 section 4),
 * shown to the user once as base32 inside an otpauth:// URI and stored
 * only encrypted (see secretbox.h).  A code is accepted for the current
 * step and one step either side, to forgive clock drift and slow typing,
 * and only for a step later than the last one used, so a code observed
 * over a shoulder or in a log is worthless once it has logged someone in.
 * The caller stores the matched step with the user row.
 *
 * Nothing here allocates; every output goes to a buffer the caller owns.
 */
#ifndef GAUGE_AUTH_TOTP_H
#define GAUGE_AUTH_TOTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define TOTP_SECRET_LEN 20
#define TOTP_DIGITS     6
#define TOTP_PERIOD     30
#define TOTP_WINDOW     1               /* steps accepted either side of now */
/* Unpadded base32 of n bytes, without the NUL. */
#define TOTP_BASE32_LEN(n) (((n) * 8 + 4) / 5)
/* Room for any URI totp_uri() accepts to build, NUL included. */
#define TOTP_URI_MAX    2048

/* 0 on success; -1 when the OS CSPRNG fails. */
int      totp_secret_new(unsigned char secret[TOTP_SECRET_LEN]);

/* RFC 4648 base32, upper case, no padding.  out must hold
 * TOTP_BASE32_LEN(n) + 1 bytes.  Returns the length written. */
size_t   totp_base32_encode(const unsigned char *in, size_t n, char *out);
/* Decodes base32 in either case, ignoring spaces anywhere and '=' padding
 * at the end.  Refuses (-1) foreign characters, data after padding,
 * lengths no encoder produces, non-zero leftover bits, and output longer
 * than outsize.  On success stores the decoded length in *outlen. */
int      totp_base32_decode(const char *in, unsigned char *out, size_t outsize,
	    size_t *outlen);

/* The time step containing now (RFC 6238: floor(now / 30)); -1 when now is
 * before 1970. */
int64_t  totp_step(time_t now);
/* RFC 4226 section 5.3 dynamic truncation of an HMAC-SHA1 value: a 31-bit
 * number, before the reduction to digits. */
uint32_t totp_truncate(const unsigned char hmac[20]);
/* HOTP(key, counter) reduced to 6..8 digits into *value; -1 on a bad digit
 * count or an HMAC failure.  Exposed for the RFC test vectors. */
int      totp_hotp(const unsigned char *key, size_t keylen, uint64_t counter,
	    unsigned digits, uint32_t *value);
/* The code for now as TOTP_DIGITS zero-padded digits; -1 on failure. */
int      totp_code(const unsigned char *key, size_t keylen, time_t now,
	    char out[TOTP_DIGITS + 1]);

/* 1 when code is exactly TOTP_DIGITS ASCII digits matching one of the steps
 * within TOTP_WINDOW of now and that step is later than last_used_step
 * (pass -1 when none was used yet); the step is stored in *matched_step.
 * 0 otherwise, including malformed codes and replays. */
int      totp_verify(const unsigned char *secret, size_t len, const char *code,
	    time_t now, int64_t last_used_step, int64_t *matched_step);

/* Builds otpauth://totp/ISSUER:ACCOUNT?secret=..&issuer=..&algorithm=SHA1
 * &digits=6&period=30 into out, issuer and account percent-encoded.
 * Returns 0, or -1 when it would not fit or an argument is empty.  The URI
 * carries the secret: wipe it (OPENSSL_cleanse) when done. */
int      totp_uri(const char *issuer, const char *account,
	    const unsigned char *secret, size_t len, char out[TOTP_URI_MAX]);

#endif
