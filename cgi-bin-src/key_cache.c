/*
 * key_cache.c - a worker's short memory of API key lookups (see key_cache.h).
 *
 * Direct-mapped by a hash of (key hash, device uid): a colliding lookup
 * replaces the older entry, which at worst costs one extra query.  Workers
 * are single-threaded, so there is no locking.
 */
#include "key_cache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ts.h"

#define KEY_CACHE_SLOTS 512
/* Covers clock-rate differences between hosts and scheduling slack. */
#define KEY_CACHE_SETTLE_MARGIN_MS 100

struct key_cache_entry {
	int used;
	long long fetched_ms;
	unsigned char hash[SHA256_LEN];
	char uid[PUBLIC_ID_LEN + 1];    /* "" for account routes */
	struct api_key_row key;
	struct api_device_row dev;
};

struct key_cache {
	struct key_cache_entry slots[KEY_CACHE_SLOTS];
};

struct key_cache *key_cache_new(void)
{
	return calloc(1, sizeof(struct key_cache));
}

void key_cache_free(struct key_cache *kc)
{
	if (kc != NULL)
		explicit_bzero(kc, sizeof(*kc));
	free(kc);
}

long long key_cache_now_ms(void)
{
	return ts_mono_ms();
}

/* The hash is of a 256-bit random key already: its bytes spread well. */
static struct key_cache_entry *key_cache_slot(struct key_cache *kc,
    const unsigned char hash[SHA256_LEN], const char *uid)
{
	unsigned h;

	memcpy(&h, hash, sizeof(h));
	for (const char *p = uid != NULL ? uid : ""; *p != '\0'; p++)
		h = h * 31u + (unsigned char)*p;
	return &kc->slots[h % KEY_CACHE_SLOTS];
}

static int key_cache_matches(const struct key_cache_entry *e,
    const unsigned char hash[SHA256_LEN], const char *uid)
{
	return e->used && memcmp(e->hash, hash, SHA256_LEN) == 0 &&
	    strcmp(e->uid, uid != NULL ? uid : "") == 0;
}

int key_cache_get(struct key_cache *kc, const unsigned char hash[SHA256_LEN], const char *uid,
    long long now_ms, struct api_key_row *key, struct api_device_row *dev)
{
	struct key_cache_entry *e;

	if (kc == NULL)
		return 0;
	e = key_cache_slot(kc, hash, uid);
	if (!key_cache_matches(e, hash, uid))
		return 0;
	if (now_ms - e->fetched_ms >= KEY_CACHE_MS) {
		e->used = 0;
		return 0;
	}
	*key = e->key;
	*dev = e->dev;
	return 1;
}

void key_cache_put(struct key_cache *kc, const unsigned char hash[SHA256_LEN], const char *uid,
    long long fetched_ms, const struct api_key_row *key, const struct api_device_row *dev)
{
	struct key_cache_entry *e;

	if (kc == NULL || key->id == 0 || (uid != NULL && dev->id == 0) ||
	    (uid != NULL && strlen(uid) > PUBLIC_ID_LEN))
		return;
	e = key_cache_slot(kc, hash, uid);
	e->used = 1;
	e->fetched_ms = fetched_ms;
	memcpy(e->hash, hash, SHA256_LEN);
	strcpy(e->uid, uid != NULL ? uid : "");
	e->key = *key;
	e->dev = *dev;
}

int key_cache_lookup(struct key_cache *kc, struct db *db, const unsigned char *hash,
    const char *uid, struct api_key_row *key, struct api_device_row *dev)
{
	long long t = key_cache_now_ms();
	int rc;

	if (hash != NULL && key_cache_get(kc, hash, uid, t, key, dev))
		return DB_OK;
	rc = db_api_lookup(db, hash, uid, key, dev);
	if (rc == DB_OK && hash != NULL)
		key_cache_put(kc, hash, uid, t, key, dev);
	return rc;
}

void key_cache_settle(void)
{
	long long ms = KEY_CACHE_MS + KEY_CACHE_SETTLE_MARGIN_MS;
	struct timespec left = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&left, &left) != 0 && errno == EINTR)
		;
}
