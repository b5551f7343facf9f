/*
 * fuzz_base32.c - TOTP input: totp_base32_decode() (a secret typed or
 * pasted by a user), totp_verify() (the six digits of a login form) and
 * totp_uri() (an account name inside the otpauth:// URI).
 *
 * Decoding is canonical: whatever text decodes, encoding the bytes again
 * gives that text upper-cased without spaces and padding, and any bytes
 * encode to text that decodes back to them.  A code totp_verify() accepts
 * is six digits and is the code of the step it reports.  A URI that is
 * built fits its buffer and starts as an otpauth URI.
 */
#include "auth_totp.h"
#include "fuzz.h"

/* 2026-11-24T18:00:00Z, and the RFC 6238 test key. */
#define NOW ((time_t)(FUZZ_NOW_MS / 1000))
static const unsigned char secret[20] = "12345678901234567890";

static void check_decode(const char *s, size_t size)
{
	unsigned char *out = malloc(size + 1);
	char *canon = malloc(size + 1), *again = malloc(TOTP_BASE32_LEN(size) + 1);
	size_t outlen = 0, n = 0;

	if (out == NULL || canon == NULL || again == NULL)
		abort();
	if (totp_base32_decode(s, out, size, &outlen) == 0) {
		for (const char *p = s; *p != '\0'; p++)
			if (*p != ' ' && *p != '=')
				canon[n++] = *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p;
		canon[n] = '\0';
		INVARIANT(outlen <= size, "%zu bytes out of %zu characters", outlen, size);
		totp_base32_encode(out, outlen, again);
		INVARIANT(strcmp(again, canon) == 0, "'%s' decoded, encoded again as '%s'", s, again);
	}
	free(out);
	free(canon);
	free(again);
}

static void check_encode(const uint8_t *data, size_t size)
{
	char *text = malloc(TOTP_BASE32_LEN(size) + 1);
	unsigned char *back = malloc(size + 1);
	size_t n = 0;

	if (text == NULL || back == NULL)
		abort();
	INVARIANT(totp_base32_encode(data, size, text) == TOTP_BASE32_LEN(size), "encoded length");
	INVARIANT(totp_base32_decode(text, back, size, &n) == 0, "'%s' does not decode", text);
	INVARIANT(n == size && memcmp(back, data, size) == 0, "'%s' decodes to other bytes", text);
	/* One byte short of room is refused, never overrun. */
	if (size > 0)
		INVARIANT(totp_base32_decode(text, back, size - 1, &n) != 0, "'%s' overran", text);
	free(text);
	free(back);
}

static void check_code(const char *code)
{
	int64_t step = -1;
	char want[TOTP_DIGITS + 1];

	if (!totp_verify(secret, sizeof(secret), code, NOW, -1, &step))
		return;
	INVARIANT(strlen(code) == TOTP_DIGITS, "code '%s' accepted", code);
	INVARIANT(step >= totp_step(NOW) - TOTP_WINDOW && step <= totp_step(NOW) + TOTP_WINDOW,
	    "step %lld", (long long)step);
	INVARIANT(totp_code(secret, sizeof(secret), (time_t)(step * TOTP_PERIOD), want) == 0 &&
	    strcmp(want, code) == 0, "code '%s' accepted for step %lld whose code is %s", code,
	    (long long)step, want);
	/* Once used, the code is refused for its step and every earlier one. */
	{
		int64_t later = step;

		INVARIANT(!totp_verify(secret, sizeof(secret), code, NOW, step, &later) || later > step,
		    "'%s' replayed for step %lld", code, (long long)later);
	}
}

static void check_uri(const char *account)
{
	static char uri[TOTP_URI_MAX];

	if (totp_uri("Gauge", account, secret, sizeof(secret), uri) == 0)
		INVARIANT(strlen(uri) < TOTP_URI_MAX && strncmp(uri, "otpauth://totp/Gauge:", 21) == 0,
		    "uri '%s'", uri);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);

	check_decode(s, size);
	check_encode(data, size);
	check_code(s);
	check_uri(s);
	free(s);
	return 0;
}
