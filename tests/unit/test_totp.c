/*
 * test_totp.c - two-factor codes: RFC 6238 Appendix B and RFC 4226
 * Appendix D known answers, RFC 4648 base32, the ±1 step window, one use
 * per code, malformed codes, and the otpauth URI apps scan.
 */
#include "auth_totp.h"
#include "check.h"

#include <stdint.h>

static const unsigned char rfc_secret[] = "12345678901234567890";
#define RFC_SECRET_LEN 20

/* RFC 6238 Appendix B, SHA-1 rows. */
static void test_rfc6238_vectors(void)
{
	static const struct {
		time_t t;
		uint32_t totp8;
	} v[] = {
		{ 59, 94287082 }, { 1111111109, 7081804 }, { 1111111111, 14050471 },
		{ 1234567890, 89005924 }, { 2000000000, 69279037 },
		{ (time_t)20000000000LL, 65353130 },
	};
	char code[TOTP_DIGITS + 1], want[TOTP_DIGITS + 1], what[128];
	uint32_t got;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		snprintf(what, sizeof(what), "RFC 6238 8-digit value at T=%lld", (long long)v[i].t);
		CHECK(totp_hotp(rfc_secret, RFC_SECRET_LEN, (uint64_t)totp_step(v[i].t), 8, &got) == 0 &&
		    got == v[i].totp8, what);
		snprintf(want, sizeof(want), "%06u", (unsigned)(v[i].totp8 % 1000000));
		snprintf(what, sizeof(what), "the 6-digit code at T=%lld is the last six digits",
		    (long long)v[i].t);
		CHECK(totp_code(rfc_secret, RFC_SECRET_LEN, v[i].t, code) == 0, what);
		CHECK_STR(code, want, what);
	}
	CHECK(totp_step(59) == 1 && totp_step(1111111109) == 0x23523EC &&
	    totp_step((time_t)20000000000LL) == 0x27BC86AA, "time steps match RFC 6238's T column");
	CHECK(totp_step(-1) == -1, "a time before 1970 has no step");
}

/* RFC 4226 Appendix D: counters 0..9, the truncated value and HOTP. */
static void test_rfc4226_vectors(void)
{
	static const uint32_t truncated[] = {
		1284755224, 1094287082, 137359152, 1726969429, 1640338314,
		868254676, 1918287922, 82162583, 673399871, 645520489,
	};
	static const uint32_t hotp6[] = {
		755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
	};
	static const unsigned char example[20] = {
		0x1f, 0x86, 0x98, 0x69, 0x0e, 0x02, 0xca, 0x16, 0x61, 0x85,
		0x50, 0xef, 0x7f, 0x19, 0xda, 0x8e, 0x94, 0x5b, 0x55, 0x5a,
	};
	char what[96];
	uint32_t got;

	CHECK(totp_truncate(example) == 0x50ef7f19, "RFC 4226 section 5.4 truncation example");
	for (uint64_t c = 0; c < 10; c++) {
		snprintf(what, sizeof(what), "RFC 4226 HOTP for count %u", (unsigned)c);
		CHECK(totp_hotp(rfc_secret, RFC_SECRET_LEN, c, 6, &got) == 0 && got == hotp6[c], what);
		snprintf(what, sizeof(what), "RFC 4226 truncated value for count %u", (unsigned)c);
		CHECK(totp_hotp(rfc_secret, RFC_SECRET_LEN, c, 8, &got) == 0 &&
		    got == truncated[c] % 100000000, what);
	}
	CHECK(totp_hotp(rfc_secret, RFC_SECRET_LEN, 0, 5, &got) == -1 &&
	    totp_hotp(rfc_secret, RFC_SECRET_LEN, 0, 9, &got) == -1, "digit counts outside 6..8 are refused");
	CHECK(totp_hotp(rfc_secret, 0, 0, 6, &got) == -1, "an empty key is refused");
}

/* RFC 4648 section 10, and the secret RFC 6238 uses, as apps show it. */
static void test_base32_vectors(void)
{
	static const char *const v[][2] = {
		{ "", "" }, { "f", "MY" }, { "fo", "MZXQ" }, { "foo", "MZXW6" },
		{ "foob", "MZXW6YQ" }, { "fooba", "MZXW6YTB" }, { "foobar", "MZXW6YTBOI" },
		{ "12345678901234567890", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" },
	};
	char enc[64], what[96];
	unsigned char dec[64];
	size_t n;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		snprintf(what, sizeof(what), "base32 of \"%s\" is \"%s\"", v[i][0], v[i][1]);
		CHECK(totp_base32_encode((const unsigned char *)v[i][0], strlen(v[i][0]), enc) ==
		    strlen(v[i][1]), what);
		CHECK_STR(enc, v[i][1], what);
		snprintf(what, sizeof(what), "\"%s\" decodes to \"%s\"", v[i][1], v[i][0]);
		CHECK(totp_base32_decode(v[i][1], dec, sizeof(dec), &n) == 0 && n == strlen(v[i][0]) &&
		    memcmp(dec, v[i][0], n) == 0, what);
	}
	CHECK(TOTP_BASE32_LEN(TOTP_SECRET_LEN) == 32, "a 20-byte secret is 32 base32 characters");
}

static int decodes_to(const char *in, const char *want)
{
	unsigned char dec[32];
	size_t n;

	return totp_base32_decode(in, dec, sizeof(dec), &n) == 0 && n == strlen(want) &&
	    memcmp(dec, want, n) == 0;
}

static int refused(const char *in)
{
	unsigned char dec[32];
	size_t n;

	return totp_base32_decode(in, dec, sizeof(dec), &n) == -1;
}

static void test_base32_tolerance(void)
{
	unsigned char dec[4], raw[41], back[41];
	char enc[TOTP_BASE32_LEN(41) + 1];
	size_t n;
	int ok = 1;

	CHECK(decodes_to("mzxw6ytboi", "foobar"), "lower case decodes");
	CHECK(decodes_to("MzXw6YtBoI", "foobar"), "mixed case decodes");
	CHECK(decodes_to("MZXW6YTBOI======", "foobar"), "RFC 4648 padding is accepted");
	CHECK(decodes_to("MZXW 6YTB OI", "foobar"), "spaces between groups are ignored");
	CHECK(decodes_to(" MY== ", "f"), "spaces around and after padding are ignored");
	CHECK(refused("MZXW6YTB0I"), "the digit 0 is not base32");
	CHECK(refused("MZXW6YTB1I"), "the digit 1 is not base32");
	CHECK(refused("MZXW-6YTB"), "a hyphen is refused");
	CHECK(refused("MY==MY"), "data after padding is refused");
	CHECK(refused("MZXW6YTBO"), "a 9-character string cannot come from whole bytes");
	CHECK(refused("MZX"), "a 3-character group is refused");
	CHECK(refused("MZXW6Y"), "a 6-character group is refused");
	CHECK(refused("MZ"), "non-zero leftover bits are refused (a typo, not a key)");
	CHECK(totp_base32_decode("MZXW6YTB", dec, sizeof(dec), &n) == -1,
	    "output longer than the caller's buffer is refused");
	for (size_t len = 0; len <= sizeof(raw); len++) {
		for (size_t i = 0; i < len; i++)
			raw[i] = (unsigned char)(i * 37 + len * 11 + 0x80);
		totp_base32_encode(raw, len, enc);
		if (strlen(enc) != TOTP_BASE32_LEN(len) ||
		    totp_base32_decode(enc, back, sizeof(back), &n) != 0 || n != len ||
		    memcmp(raw, back, len) != 0)
			ok = 0;
	}
	CHECK(ok, "every length from 0 to 41 bytes round-trips");
}

static void test_secret(void)
{
	unsigned char a[TOTP_SECRET_LEN], b[TOTP_SECRET_LEN];

	CHECK(totp_secret_new(a) == 0 && totp_secret_new(b) == 0, "secrets generate");
	CHECK(memcmp(a, b, TOTP_SECRET_LEN) != 0, "two secrets differ");
}

static void test_window(void)
{
	const time_t now = 1111111111;
	const int64_t step = totp_step(now);
	char code[TOTP_DIGITS + 1];
	int64_t m = 0;

	totp_code(rfc_secret, RFC_SECRET_LEN, now, code);
	CHECK(totp_verify(rfc_secret, RFC_SECRET_LEN, code, now, -1, &m) == 1 && m == step,
	    "the current code verifies and reports its step");
	totp_code(rfc_secret, RFC_SECRET_LEN, now - TOTP_PERIOD, code);
	CHECK(totp_verify(rfc_secret, RFC_SECRET_LEN, code, now, -1, &m) == 1 && m == step - 1,
	    "the previous step's code is still accepted");
	totp_code(rfc_secret, RFC_SECRET_LEN, now + TOTP_PERIOD, code);
	CHECK(totp_verify(rfc_secret, RFC_SECRET_LEN, code, now, -1, &m) == 1 && m == step + 1,
	    "the next step's code is accepted (a fast phone clock)");
	m = 42;
	totp_code(rfc_secret, RFC_SECRET_LEN, now - 2 * TOTP_PERIOD, code);
	CHECK(totp_verify(rfc_secret, RFC_SECRET_LEN, code, now, -1, &m) == 0 && m == 42,
	    "a code two steps old is refused and nothing is reported");
	totp_code(rfc_secret, RFC_SECRET_LEN, now + 2 * TOTP_PERIOD, code);
	CHECK(totp_verify(rfc_secret, RFC_SECRET_LEN, code, now, -1, &m) == 0,
	    "a code two steps ahead is refused");
	totp_code(rfc_secret, RFC_SECRET_LEN, now, code);
	CHECK(totp_verify((const unsigned char *)"12345678901234567891", RFC_SECRET_LEN, code, now,
	    -1, &m) == 0, "a code for another secret is refused");
	CHECK(totp_verify(rfc_secret, RFC_SECRET_LEN, code, -5, -1, &m) == 0,
	    "a clock before 1970 verifies nothing");
}

static void test_replay(void)
{
	const time_t now = 1234567890;
	const int64_t step = totp_step(now);
	char code[TOTP_DIGITS + 1];
	int64_t used = -1, m;

	totp_code(rfc_secret, RFC_SECRET_LEN, now, code);
	CHECK(totp_verify(rfc_secret, RFC_SECRET_LEN, code, now, used, &used) == 1 && used == step,
	    "a fresh code logs in once");
	CHECK(totp_verify(rfc_secret, RFC_SECRET_LEN, code, now, used, &m) == 0,
	    "the same code is refused the second time");
	CHECK(totp_verify(rfc_secret, RFC_SECRET_LEN, code, now + 10, used, &m) == 0,
	    "the same code is refused later in its step");
	totp_code(rfc_secret, RFC_SECRET_LEN, now - TOTP_PERIOD, code);
	CHECK(totp_verify(rfc_secret, RFC_SECRET_LEN, code, now, used, &m) == 0,
	    "an older step's code is refused once a newer one was used");
	totp_code(rfc_secret, RFC_SECRET_LEN, now + TOTP_PERIOD, code);
	CHECK(totp_verify(rfc_secret, RFC_SECRET_LEN, code, now + TOTP_PERIOD, used, &m) == 1 &&
	    m == step + 1, "the next step's code is accepted after a used one");
}

static void test_malformed(void)
{
	static const char *const bad[] = {
		"", "12345", "1234567", "12345a", "a23456", " 123456", "123456 ", "123 456",
		"+12345", "-12345", "12345\n", "\xd9\xa1\xd9\xa2\xd9\xa3",
	};
	char code[TOTP_DIGITS + 1], what[64];
	int64_t m;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(what, sizeof(what), "malformed code \"%s\" is refused", bad[i]);
		CHECK(totp_verify(rfc_secret, RFC_SECRET_LEN, bad[i], 59, -1, &m) == 0, what);
	}
	CHECK(totp_verify(rfc_secret, RFC_SECRET_LEN, NULL, 59, -1, &m) == 0, "a missing code is refused");
	totp_code(rfc_secret, RFC_SECRET_LEN, 59, code);
	CHECK_STR(code, "287082", "the 6-digit code at T=59");
	CHECK(totp_verify(rfc_secret, RFC_SECRET_LEN, "94287082", 59, -1, &m) == 0,
	    "the 8-digit form of a right code is refused");
	CHECK(totp_verify(rfc_secret, RFC_SECRET_LEN, "0287082", 59, -1, &m) == 0,
	    "a right code with an extra leading zero is refused");
}

static void test_uri(void)
{
	char uri[TOTP_URI_MAX], big[TOTP_URI_MAX];

	CHECK(totp_uri("ACME Co", "john.doe@email.com", rfc_secret, RFC_SECRET_LEN, uri) == 0,
	    "a URI is built");
	CHECK_STR(uri, "otpauth://totp/ACME%20Co:john.doe@email.com"
	    "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME%20Co"
	    "&algorithm=SHA1&digits=6&period=30", "the URI follows the key URI format");
	CHECK(totp_uri("Gauge", "a:b&c=d?e/f#g%h+i", rfc_secret, RFC_SECRET_LEN, uri) == 0, "odd names build");
	CHECK_STR(uri, "otpauth://totp/Gauge:a%3Ab%26c%3Dd%3Fe%2Ff%23g%25h%2Bi"
	    "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Gauge"
	    "&algorithm=SHA1&digits=6&period=30",
	    "separators in the label are percent-encoded, so the label stays one label");
	CHECK(totp_uri("Jäger Öl", "x@y.de", rfc_secret, RFC_SECRET_LEN, uri) == 0 &&
	    strstr(uri, "/J%C3%A4ger%20%C3%96l:x@y.de?") != NULL &&
	    strstr(uri, "&issuer=J%C3%A4ger%20%C3%96l&") != NULL, "UTF-8 is encoded byte by byte");
	CHECK(totp_uri("", "x@y.de", rfc_secret, RFC_SECRET_LEN, uri) == -1, "an empty issuer is refused");
	CHECK(totp_uri("Gauge", "", rfc_secret, RFC_SECRET_LEN, uri) == -1, "an empty account is refused");
	memset(big, ' ', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(totp_uri("Gauge", big, rfc_secret, RFC_SECRET_LEN, uri) == -1 && uri[0] == '\0',
	    "a URI too long for the buffer is refused and left empty");
}

int main(void)
{
	test_rfc6238_vectors();
	test_rfc4226_vectors();
	test_base32_vectors();
	test_base32_tolerance();
	test_secret();
	test_window();
	test_replay();
	test_malformed();
	test_uri();
	return check_done("test_totp");
}
