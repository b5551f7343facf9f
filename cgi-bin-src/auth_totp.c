/*
 * auth_totp.c - TOTP codes, their verification, base32 and the otpauth URI
 * (see auth_totp.h).
 *
 * The HMAC is OpenSSL's; everything else is a few lines of arithmetic from
 * the RFCs.  Base32 is written here because OpenSSL has none and a library
 * for forty lines would cost more than it saves.  Codes are compared with
 * crypto_equal, and every candidate step in the window is computed and
 * compared, so the time taken says nothing about how close a guess was.
 */
#include "auth_totp.h"

#include <inttypes.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

#include "crypto.h"

#define SHA1_LEN        20
#define TOTP_SECRET_MAX 64              /* the longest key RFC 6238 uses */

/* totp_uri() states the parameters as text. */
_Static_assert(TOTP_DIGITS == 6 && TOTP_PERIOD == 30, "update totp_uri()");

static const char base32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
static const uint32_t digit_modulus[] = { 1000000, 10000000, 100000000 };

int totp_secret_new(unsigned char secret[TOTP_SECRET_LEN])
{
	return crypto_random(secret, TOTP_SECRET_LEN);
}

size_t totp_base32_encode(const unsigned char *in, size_t n, char *out)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8 | in[i]) & 0xfff;
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[len++] = base32_alphabet[acc >> bits & 31];
		}
	}
	if (bits > 0)
		out[len++] = base32_alphabet[acc << (5 - bits) & 31];
	out[len] = '\0';
	return len;
}

static int base32_value(char c)
{
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

/* A final group of 1, 3 or 6 characters cannot come from whole bytes, and
 * leftover bits must be zero (RFC 4648 section 3.5): both catch typos in a
 * secret typed by hand rather than decode them into a different key. */
int totp_base32_decode(const char *in, unsigned char *out, size_t outsize,
    size_t *outlen)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t n = 0, chars = 0;
	int padded = 0, v;

	for (; *in != '\0'; in++) {
		if (*in == ' ')
			continue;
		if (*in == '=') {
			padded = 1;
			continue;
		}
		if (padded || (v = base32_value(*in)) < 0)
			return -1;
		acc = (acc << 5 | (uint32_t)v) & 0xfff;
		bits += 5;
		chars++;
		if (bits >= 8) {
			bits -= 8;
			if (n == outsize)
				return -1;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	if (chars % 8 == 1 || chars % 8 == 3 || chars % 8 == 6 ||
	    (acc & ((1u << bits) - 1)) != 0)
		return -1;
	*outlen = n;
	return 0;
}

int64_t totp_step(time_t now)
{
	return now < 0 ? -1 : (int64_t)now / TOTP_PERIOD;
}

uint32_t totp_truncate(const unsigned char hmac[20])
{
	unsigned off = hmac[19] & 0x0f;

	return (uint32_t)(hmac[off] & 0x7f) << 24 | (uint32_t)hmac[off + 1] << 16 |
	    (uint32_t)hmac[off + 2] << 8 | (uint32_t)hmac[off + 3];
}

int totp_hotp(const unsigned char *key, size_t keylen, uint64_t counter,
    unsigned digits, uint32_t *value)
{
	unsigned char msg[8], mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	int rc = -1;

	if (digits < 6 || digits > 8 || keylen == 0 || keylen > INT_MAX)
		return -1;
	for (int i = 0; i < 8; i++)
		msg[i] = (unsigned char)(counter >> (56 - 8 * i));
	if (HMAC(EVP_sha1(), key, (int)keylen, msg, sizeof(msg), mac, &maclen) != NULL &&
	    maclen == SHA1_LEN) {
		*value = totp_truncate(mac) % digit_modulus[digits - 6];
		rc = 0;
	}
	OPENSSL_cleanse(mac, sizeof(mac));
	return rc;
}

static int code_at(const unsigned char *key, size_t keylen, int64_t step,
    char out[TOTP_DIGITS + 1])
{
	uint32_t value;

	if (step < 0 || totp_hotp(key, keylen, (uint64_t)step, TOTP_DIGITS, &value) != 0)
		return -1;
	snprintf(out, TOTP_DIGITS + 1, "%0*" PRIu32, TOTP_DIGITS, value);
	return 0;
}

int totp_code(const unsigned char *key, size_t keylen, time_t now,
    char out[TOTP_DIGITS + 1])
{
	return code_at(key, keylen, totp_step(now), out);
}

/* Exactly TOTP_DIGITS ASCII digits: a short string stops at its NUL. */
static int code_wellformed(const char *code)
{
	for (int i = 0; i < TOTP_DIGITS; i++)
		if (code[i] < '0' || code[i] > '9')
			return 0;
	return code[TOTP_DIGITS] == '\0';
}

int totp_verify(const unsigned char *secret, size_t len, const char *code,
    time_t now, int64_t last_used_step, int64_t *matched_step)
{
	char want[TOTP_DIGITS + 1];
	int64_t step = totp_step(now), found = -1;

	if (code == NULL || !code_wellformed(code) || step < 0)
		return 0;
	for (int64_t s = step - TOTP_WINDOW; s <= step + TOTP_WINDOW; s++) {
		if (code_at(secret, len, s, want) != 0)
			continue;
		if (crypto_equal(want, code, TOTP_DIGITS) && s > last_used_step &&
		    found < 0)
			found = s;
	}
	OPENSSL_cleanse(want, sizeof(want));
	if (found < 0)
		return 0;
	*matched_step = found;
	return 1;
}

/* RFC 3986 unreserved characters pass as they are; so does '@', which
 * Google's key URI format shows unescaped in account names and which every
 * authenticator displays better that way. */
static int uri_plain(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("-._~@", c) != NULL);
}

/* Appends s at out + *at, percent-encoded when encode is set; -1 when
 * TOTP_URI_MAX would be exceeded (out stays NUL-terminated). */
static int uri_append(char *out, size_t *at, const char *s, int encode)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (*at + 4 > TOTP_URI_MAX)
			return -1;
		if (!encode || uri_plain(c)) {
			out[(*at)++] = (char)c;
		} else {
			out[(*at)++] = '%';
			out[(*at)++] = hex[c >> 4];
			out[(*at)++] = hex[c & 15];
		}
		out[*at] = '\0';
	}
	return 0;
}

int totp_uri(const char *issuer, const char *account,
    const unsigned char *secret, size_t len, char out[TOTP_URI_MAX])
{
	char b32[TOTP_BASE32_LEN(TOTP_SECRET_MAX) + 1];
	size_t at = 0;
	int rc = -1;

	out[0] = '\0';
	if (issuer == NULL || account == NULL || issuer[0] == '\0' || account[0] == '\0' ||
	    len == 0 || len > TOTP_SECRET_MAX)
		return -1;
	totp_base32_encode(secret, len, b32);
	if (uri_append(out, &at, "otpauth://totp/", 0) == 0 &&
	    uri_append(out, &at, issuer, 1) == 0 &&
	    uri_append(out, &at, ":", 0) == 0 &&
	    uri_append(out, &at, account, 1) == 0 &&
	    uri_append(out, &at, "?secret=", 0) == 0 &&
	    uri_append(out, &at, b32, 0) == 0 &&
	    uri_append(out, &at, "&issuer=", 0) == 0 &&
	    uri_append(out, &at, issuer, 1) == 0 &&
	    uri_append(out, &at, "&algorithm=SHA1&digits=6&period=30", 0) == 0)
		rc = 0;
	if (rc != 0)
		OPENSSL_cleanse(out, TOTP_URI_MAX);
	OPENSSL_cleanse(b32, sizeof(b32));
	return rc;
}
