/*
 * test_auth.c - API keys and passwords: the formats promised in DESIGN.md
 * and bcrypt against published known answers.
 */
#include "auth_key.h"
#include "auth_password.h"
#include "check.h"
#include "db_api.h"

static void test_keys(void)
{
	struct new_key a, b;
	enum key_kind kind;
	unsigned char h[SHA256_LEN];

	CHECK(key_generate(KEY_DEVICE, &a) == 0 && key_generate(KEY_DEVICE, &b) == 0, "keys generate");
	CHECK(strncmp(a.key, "gdk_", 4) == 0 && strlen(a.key) == KEY_LEN, "a device key reads gdk_ + 43 chars");
	CHECK(strcmp(a.key, b.key) != 0, "two keys differ");
	CHECK(strncmp(a.display, a.key, KEY_DISPLAY_LEN) == 0 && strlen(a.display) == KEY_DISPLAY_LEN,
	    "the display prefix is the key's first 12 characters");
	CHECK(key_hash(a.key, &kind, h) == 0 && kind == KEY_DEVICE && memcmp(h, a.hash, SHA256_LEN) == 0,
	    "a presented key hashes to the stored hash and its kind");
	CHECK(key_generate(KEY_ACCOUNT, &b) == 0 && strncmp(b.key, "gak_", 4) == 0, "an account key reads gak_");
	CHECK(key_hash(b.key, &kind, h) == 0 && kind == KEY_ACCOUNT, "account keys are recognised");
	a.key[10] = '!';
	CHECK(key_hash(a.key, &kind, h) == -1, "a key with a foreign character is refused before any lookup");
	CHECK(key_hash("gdk_short", &kind, h) == -1, "a short key is refused");
	b.key[0] = 'x';
	CHECK(key_hash(b.key, &kind, h) == -1, "an unknown prefix is refused");
}

/* The lookup returns raw revocation and expiry; liveness is decided here. */
static void test_key_liveness(void)
{
	struct api_key_row k = { .id = 5 };
	long long now = 1800000000000LL;

	CHECK(key_live(&k, now), "a found key with no end works");
	k.expires_ms = now + 1;
	CHECK(key_live(&k, now), "a key in its grace period works");
	k.expires_ms = now;
	CHECK(!key_live(&k, now), "a key stops working the moment its grace period ends");
	k.expires_ms = 0;
	k.revoked = 1;
	CHECK(!key_live(&k, now), "a revoked key never works");
	k.revoked = 0;
	k.id = 0;
	CHECK(!key_live(&k, now), "no key found is no live key");
}

static void test_public_ids(void)
{
	char a[PUBLIC_ID_LEN + 1], b[PUBLIC_ID_LEN + 1];

	CHECK(public_id_generate("dev_", a) == 0 && public_id_generate("dev_", b) == 0, "ids generate");
	CHECK(strlen(a) == PUBLIC_ID_LEN && strncmp(a, "dev_", 4) == 0, "a device id reads dev_ + 16 chars");
	CHECK(strcmp(a, b) != 0, "two ids differ");
	CHECK(public_id_generate("toolong_", a) == -1, "a malformed prefix is refused");
}

static void test_bcrypt(void)
{
	char hash[PASSWORD_HASH_MAX], big[100];

	/* Known answers from the OpenBSD/John the Ripper bcrypt test vectors. */
	CHECK(password_verify("U*U", "$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"),
	    "bcrypt known answer: U*U");
	CHECK(password_verify("U*U*", "$2b$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK"),
	    "bcrypt known answer: U*U*");
	CHECK(!password_verify("U*V", "$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"),
	    "a wrong password does not verify");
	CHECK(!password_verify("U*U", "$1$notbcrypt$xxxxxxxxxxxxxxxxxxxxxx"), "a non-bcrypt hash never verifies");
	CHECK(!password_verify("U*U", "$2b$05$short"), "a malformed bcrypt hash never verifies");
	CHECK(password_hash("correct horse battery staple", 4, hash) == 0, "hashing works");
	CHECK(strncmp(hash, "$2b$04$", 7) == 0 && strlen(hash) == 60, "hashes are $2b$ with the chosen cost");
	CHECK(password_verify("correct horse battery staple", hash), "a fresh hash verifies");
	memset(big, 'a', 73);
	big[73] = '\0';
	CHECK(password_hash(big, 4, hash) == -1, "a password over bcrypt's 72 bytes is refused, not truncated");
	big[72] = '\0';
	CHECK(password_hash(big, 4, hash) == 0 && password_verify(big, hash), "exactly 72 bytes is accepted");
}

int main(void)
{
	test_keys();
	test_key_liveness();
	test_public_ids();
	test_bcrypt();
	return check_done("test_auth");
}
