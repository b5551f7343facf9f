/*
 * fuzz_secretbox.c - secretbox_open() and secretbox_key_id() on stored
 * blobs, and secretbox_key_parse() on the server key text.
 *
 * Input: one byte n, then n bytes of associated data ("user:42:totp"), then
 * the box.  Under a fixed test key a box opens only when it was sealed
 * under that key with that data (the committed seeds were); an opened box
 * gives boxlen - SECRETBOX_OVERHEAD bytes, and the same box with any one
 * byte changed no longer opens.  Whatever opens, or the box bytes taken as
 * a plaintext, seals and opens back to itself.  secretbox_key_parse()
 * accepts the whole input only as 64 hex digits, not all zero, and then
 * holds exactly those bytes.
 */
#include <ctype.h>

#include "fuzz.h"
#include "secretbox.h"

/* The key the seed boxes were sealed with (tests/fuzz/README.md). */
#define TEST_KEY_HEX "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static void check_seal_open(const struct secretbox_key *k, const unsigned char *plain, size_t n,
    const unsigned char *ad, size_t adlen)
{
	unsigned char *box = malloc(SECRETBOX_SEALED_LEN(n)), *back = malloc(n + 1);
	size_t outlen = 0;

	if (box == NULL || back == NULL)
		abort();
	INVARIANT(secretbox_seal(k, plain, n, ad, adlen, box) == 0, "%zu bytes do not seal", n);
	INVARIANT(secretbox_key_id(box, SECRETBOX_SEALED_LEN(n)) == k->id, "sealed key id");
	INVARIANT(secretbox_open(k, box, SECRETBOX_SEALED_LEN(n), ad, adlen, back, &outlen) == 0 &&
	    outlen == n && memcmp(back, plain, n) == 0, "%zu bytes sealed do not open back", n);
	free(box);
	free(back);
}

static void check_tamper(const struct secretbox_key *k, const unsigned char *box, size_t boxlen,
    const unsigned char *ad, size_t adlen)
{
	unsigned char *copy = malloc(boxlen), *out = malloc(boxlen);
	size_t outlen = 0, at = (size_t)box[boxlen - 1] * 7 % boxlen;

	if (copy == NULL || out == NULL)
		abort();
	memcpy(copy, box, boxlen);
	copy[at] ^= 1;
	INVARIANT(secretbox_open(k, copy, boxlen, ad, adlen, out, &outlen) != 0,
	    "a box with byte %zu changed still opens", at);
	free(copy);
	free(out);
}

static void check_key_parse(const uint8_t *data, size_t size)
{
	char *hex = fuzz_cstr(data, size);
	struct secretbox_key k;
	unsigned char any = 0;

	if (secretbox_key_parse(hex, 7, &k) == 0) {
		INVARIANT(strlen(hex) == SECRETBOX_KEY_HEX && k.id == 7, "key text of %zu bytes", strlen(hex));
		for (size_t i = 0; i < SECRETBOX_KEY_LEN; i++) {
			unsigned v;

			INVARIANT(isxdigit((unsigned char)hex[2 * i]) && isxdigit((unsigned char)hex[2 * i + 1]) &&
			    sscanf(hex + 2 * i, "%2x", &v) == 1 && v == k.key[i], "key byte %zu", i);
			any |= k.key[i];
		}
		INVARIANT(any != 0, "an all-zero key accepted");
	}
	secretbox_key_clear(&k);
	free(hex);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct secretbox_key k;
	const unsigned char *ad, *box;
	size_t adlen, boxlen, outlen = 0;
	unsigned char *out;
	int id;

	check_key_parse(data, size);
	if (size == 0 || secretbox_key_parse(TEST_KEY_HEX, 1, &k) != 0)
		return 0;
	adlen = data[0] < size - 1 ? data[0] : size - 1;
	ad = data + 1;
	box = ad + adlen;
	boxlen = size - 1 - adlen;

	id = secretbox_key_id(box, boxlen);
	INVARIANT(id == (boxlen < SECRETBOX_OVERHEAD || box[0] != SECRETBOX_VERSION ? -1 : box[1]),
	    "key id %d of a %zu-byte box", id, boxlen);
	if ((out = malloc(boxlen + 1)) == NULL)
		abort();
	if (secretbox_open(&k, box, boxlen, ad, adlen, out, &outlen) == 0) {
		INVARIANT(id == 1 && outlen == boxlen - SECRETBOX_OVERHEAD, "opened %zu of %zu bytes",
		    outlen, boxlen);
		check_tamper(&k, box, boxlen, ad, adlen);
		check_seal_open(&k, out, outlen, ad, adlen);
	}
	check_seal_open(&k, box, boxlen, ad, adlen);
	free(out);
	secretbox_key_clear(&k);
	return 0;
}
