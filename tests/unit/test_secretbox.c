/*
 * test_secretbox.c - secrets at rest: AES-256-GCM wired right (the GCM
 * specification's test cases through the same EVP path), boxes that
 * round-trip, and boxes that refuse to open after any change to any byte,
 * under another row's associated data, or under another key.
 */
#include "secretbox.h"
#include "check.h"

#include <stdint.h>
#include <stdlib.h>

#define KEY_A "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define KEY_B "FEFFE9928665731C6D6A8F9467308308FEFFE9928665731C6D6A8F9467308308"

static size_t unhex(const char *hex, unsigned char *out)
{
	size_t n = strlen(hex) / 2;

	for (size_t i = 0; i < n; i++) {
		unsigned v;

		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (unsigned char)v;
	}
	return n;
}

/* Test cases 13-16 of McGrew and Viega, "The Galois/Counter Mode of
 * Operation (GCM)": AES-256, 96-bit IVs, with and without AAD. */
static void test_gcm_known_answers(void)
{
	static const struct {
		const char *name, *key, *iv, *aad, *pt, *ct, *tag;
	} v[] = {
		{ "GCM test case 13 (empty)",
		  "0000000000000000000000000000000000000000000000000000000000000000",
		  "000000000000000000000000", "", "", "",
		  "530f8afbc74536b9a963b4f1c4cb738b" },
		{ "GCM test case 14 (one zero block)",
		  "0000000000000000000000000000000000000000000000000000000000000000",
		  "000000000000000000000000", "", "00000000000000000000000000000000",
		  "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919" },
		{ "GCM test case 15 (four blocks)",
		  "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
		  "cafebabefacedbaddecaf888", "",
		  "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
		  "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
		  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
		  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
		  "b094dac5d93471bdec1a502270e3cc6c" },
		{ "GCM test case 16 (partial block, AAD)",
		  "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
		  "cafebabefacedbaddecaf888", "feedfacedeadbeeffeedfacedeadbeefabaddad2",
		  "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
		  "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
		  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
		  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
		  "76fc6ece0f4e1768cddf8853bb2d551b" },
	};
	unsigned char key[32], iv[12], aad[32], pt[64], want[64], ct[64], tag[16], wtag[16];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t adlen, n;

		unhex(v[i].key, key);
		unhex(v[i].iv, iv);
		adlen = unhex(v[i].aad, aad);
		n = unhex(v[i].pt, pt);
		unhex(v[i].ct, want);
		unhex(v[i].tag, wtag);
		CHECK(secretbox_gcm_encrypt(key, iv, aad, adlen, pt, n, ct, tag) == 0 &&
		    memcmp(ct, want, n) == 0 && memcmp(tag, wtag, 16) == 0, v[i].name);
	}
}

static void test_key_parse(void)
{
	static const char *const bad[] = {
		"", "00", KEY_A "0", "0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		" 00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1 ",
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1g",
		"00:01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10:11:12:13:14:15",
		"0000000000000000000000000000000000000000000000000000000000000000",
	};
	struct secretbox_key k;
	unsigned char zero[sizeof(k)];
	char what[160];

	memset(zero, 0, sizeof(zero));
	CHECK(secretbox_key_parse(KEY_A, 1, &k) == 0 && k.id == 1 && k.key[0] == 0 &&
	    k.key[31] == 0x1f, "64 lower-case hex digits parse into a key with its id");
	CHECK(secretbox_key_parse(KEY_B, 7, &k) == 0 && k.id == 7 && k.key[0] == 0xfe,
	    "upper-case hex parses too");
	CHECK(secretbox_key_parse(&KEY_A[1], 1, &k) == -1, "63 hex digits are refused");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(what, sizeof(what), "key string \"%s\" is refused and leaves no key", bad[i]);
		memset(&k, 0xaa, sizeof(k));
		CHECK(secretbox_key_parse(bad[i], 1, &k) == -1 && memcmp(&k, zero, sizeof(k)) == 0, what);
	}
	CHECK(secretbox_key_parse(NULL, 1, &k) == -1, "a missing key string is refused");
	secretbox_key_parse(KEY_A, 1, &k);
	secretbox_key_clear(&k);
	CHECK(memcmp(&k, zero, sizeof(k)) == 0, "clearing a key wipes it");
}

static const char secret[] = "JBSWY3DPEHPK3PXPJBSWY3DP";    /* a TOTP secret */
static const char row[] = "user:42:totp";

static void test_round_trip(void)
{
	struct secretbox_key k;
	unsigned char box[SECRETBOX_SEALED_LEN(sizeof(secret))], box2[sizeof(box)];
	unsigned char out[sizeof(secret)], empty[SECRETBOX_SEALED_LEN(0)];
	size_t n = 0;

	secretbox_key_parse(KEY_A, 3, &k);
	CHECK(secretbox_seal(&k, secret, sizeof(secret), row, strlen(row), box) == 0, "a secret seals");
	CHECK(box[0] == SECRETBOX_VERSION && box[1] == 3, "the box starts with the version and key id");
	CHECK(secretbox_key_id(box, sizeof(box)) == 3, "the key id can be read before opening");
	CHECK(memmem(box, sizeof(box), "JBSWY3DP", 8) == NULL, "the plaintext does not show in the box");
	CHECK(secretbox_open(&k, box, sizeof(box), row, strlen(row), out, &n) == 0 &&
	    n == sizeof(secret) && memcmp(out, secret, n) == 0, "it opens to the same bytes");
	CHECK(secretbox_seal(&k, secret, sizeof(secret), row, strlen(row), box2) == 0 &&
	    memcmp(box, box2, sizeof(box)) != 0 && memcmp(box + 2, box2 + 2, SECRETBOX_NONCE_LEN) != 0,
	    "sealing the same secret twice gives different boxes (fresh nonce)");
	CHECK(secretbox_seal(&k, NULL, 0, NULL, 0, empty) == 0 &&
	    secretbox_open(&k, empty, sizeof(empty), NULL, 0, out, &n) == 0 && n == 0,
	    "an empty secret without associated data round-trips");
	CHECK(secretbox_open(&k, empty, sizeof(empty), row, strlen(row), out, &n) == -1,
	    "associated data given where none was sealed fails");
	CHECK(secretbox_seal(&k, box, SECRETBOX_MAX_PLAIN + 1, NULL, 0, box2) == -1,
	    "a plaintext over the limit is refused before anything is written");
	secretbox_key_clear(&k);
}

/* Flips every bit of every byte of region [from, to) in turn; 1 when no
 * altered box opens and none leaves plaintext behind. */
static int all_flips_fail(const struct secretbox_key *k, const unsigned char *box,
    size_t len, size_t from, size_t to)
{
	unsigned char t[SECRETBOX_SEALED_LEN(sizeof(secret))], out[sizeof(secret)];
	size_t n;

	for (size_t i = from; i < to; i++)
		for (int bit = 0; bit < 8; bit++) {
			memcpy(t, box, len);
			t[i] ^= (unsigned char)(1u << bit);
			memset(out, 0x55, sizeof(out));
			if (secretbox_open(k, t, len, row, strlen(row), out, &n) != -1)
				return 0;
			for (size_t j = 0; j < sizeof(out); j++)
				if (out[j] != 0 && out[j] != 0x55)
					return 0;
		}
	return 1;
}

static void test_tamper(void)
{
	struct secretbox_key k;
	unsigned char box[SECRETBOX_SEALED_LEN(sizeof(secret))], longer[sizeof(box) + 1];
	unsigned char out[sizeof(box)];
	const size_t len = sizeof(box), ct = SECRETBOX_HEADER, tag = len - SECRETBOX_TAG_LEN;
	size_t n;

	secretbox_key_parse(KEY_A, 3, &k);
	secretbox_seal(&k, secret, sizeof(secret), row, strlen(row), box);
	CHECK(all_flips_fail(&k, box, len, 0, 1), "a changed version byte does not open");
	CHECK(all_flips_fail(&k, box, len, 1, 2), "a changed key id does not open");
	CHECK(all_flips_fail(&k, box, len, 2, ct), "a changed nonce does not open");
	CHECK(all_flips_fail(&k, box, len, ct, tag), "a changed ciphertext does not open");
	CHECK(all_flips_fail(&k, box, len, tag, len), "a changed tag does not open");
	CHECK(secretbox_open(&k, box, len - 1, row, strlen(row), out, &n) == -1,
	    "a truncated box does not open");
	memcpy(longer, box, len);
	longer[len] = 0;
	CHECK(secretbox_open(&k, longer, len + 1, row, strlen(row), out, &n) == -1,
	    "a box with a byte appended does not open");
	CHECK(secretbox_open(&k, box, SECRETBOX_OVERHEAD - 1, row, strlen(row), out, &n) == -1,
	    "a box shorter than its header and tag does not open");
	CHECK(secretbox_open(&k, box, len, row, strlen(row), out, &n) == 0,
	    "the untouched box still opens");
	secretbox_key_clear(&k);
}

static void test_wrong_context(void)
{
	struct secretbox_key k, other, sameid, renamed;
	unsigned char box[SECRETBOX_SEALED_LEN(sizeof(secret))], out[sizeof(secret)];
	size_t n;

	secretbox_key_parse(KEY_A, 3, &k);
	secretbox_key_parse(KEY_B, 4, &other);
	secretbox_key_parse(KEY_B, 3, &sameid);
	secretbox_key_parse(KEY_A, 4, &renamed);
	secretbox_seal(&k, secret, sizeof(secret), row, strlen(row), box);
	CHECK(secretbox_open(&k, box, sizeof(box), "user:43:totp", 12, out, &n) == -1,
	    "another user's row cannot open it (swapped rows)");
	CHECK(secretbox_open(&k, box, sizeof(box), "user:42:twilio", 14, out, &n) == -1,
	    "another column of the same row cannot open it");
	CHECK(secretbox_open(&k, box, sizeof(box), row, strlen(row) - 1, out, &n) == -1,
	    "a prefix of the associated data cannot open it");
	CHECK(secretbox_open(&k, box, sizeof(box), NULL, 0, out, &n) == -1,
	    "no associated data cannot open it");
	CHECK(secretbox_open(&sameid, box, sizeof(box), row, strlen(row), out, &n) == -1,
	    "a different key under the same id cannot open it");
	CHECK(secretbox_open(&other, box, sizeof(box), row, strlen(row), out, &n) == -1,
	    "a different key with its own id cannot open it");
	CHECK(secretbox_open(&renamed, box, sizeof(box), row, strlen(row), out, &n) == -1,
	    "the right key bytes under another id refuse it");
	box[1] = 4;
	CHECK(secretbox_open(&renamed, box, sizeof(box), row, strlen(row), out, &n) == -1,
	    "a box relabelled with another key id does not open: the header is authenticated");
	box[0] = 2;
	CHECK(secretbox_key_id(box, sizeof(box)) == -1, "an unknown version has no key id");
	secretbox_key_clear(&k);
	secretbox_key_clear(&other);
	secretbox_key_clear(&sameid);
	secretbox_key_clear(&renamed);
}

int main(void)
{
	test_gcm_known_answers();
	test_key_parse();
	test_round_trip();
	test_tamper();
	test_wrong_context();
	return check_done("test_secretbox");
}
