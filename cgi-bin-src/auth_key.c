/*
 * auth_key.c - API keys and public ids (see auth_key.h).
 */
#include "auth_key.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "db_api.h"
#include "log.h"
#include "ratelimit.h"

static const char *const key_prefixes[] = { "gdk_", "gak_" };
static const char *const key_kinds[] = { "device", "account" };

int key_generate(enum key_kind kind, struct new_key *out)
{
	char token[KEY_LEN - 4 + 1];

	if (crypto_token(KEY_RANDOM_BYTES, token, sizeof(token)) != 0)
		return -1;
	memcpy(out->key, key_prefixes[kind], 4);
	memcpy(out->key + 4, token, sizeof(token));
	snprintf(out->display, sizeof(out->display), "%.*s", KEY_DISPLAY_LEN, out->key);
	crypto_sha256(out->key, strlen(out->key), out->hash);
	OPENSSL_cleanse(token, sizeof(token));
	return 0;
}

int key_hash(const char *presented, enum key_kind *kind, unsigned char hash[SHA256_LEN])
{
	size_t n = strlen(presented);

	if (n != KEY_LEN)
		return -1;
	for (size_t i = 4; i < n; i++) {
		char c = presented[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return -1;
	}
	for (int k = KEY_DEVICE; k <= KEY_ACCOUNT; k++)
		if (strncmp(presented, key_prefixes[k], 4) == 0) {
			*kind = (enum key_kind)k;
			crypto_sha256(presented, n, hash);
			return 0;
		}
	return -1;
}

const char *key_kind_name(enum key_kind kind)
{
	return key_kinds[kind];
}

int key_live(const struct api_key_row *key, long long now_ms)
{
	return key->id != 0 && !key->revoked && (key->expires_ms == 0 || key->expires_ms > now_ms);
}

int public_id_generate(const char *prefix, char out[PUBLIC_ID_LEN + 1])
{
	char token[PUBLIC_ID_LEN - 4 + 1];

	if (strlen(prefix) != 4 || crypto_token(12, token, sizeof(token)) != 0)
		return -1;
	memcpy(out, prefix, 4);
	memcpy(out + 4, token, sizeof(token));
	return 0;
}

void key_touch(struct ratelimit *rl, struct db *db, long long key_id, const char *addr)
{
	struct rl_result r;

	if (rl == NULL)
		return;
	ratelimit_hit(rl, ratelimit_subject_touch((uint64_t)key_id, addr), 1, 60, time(NULL), &r);
	if (r.allowed && db_api_key_touch(db, key_id, addr) != DB_OK)
		log_warn("key %lld: last-used not recorded", key_id);
}
