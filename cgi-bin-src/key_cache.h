/*
 * key_cache.h - a worker's short memory of API key lookups.
 *
 * Every API request needs its key and device.  A worker remembers what
 * MariaDB answered for a found key (and device) for KEY_CACHE_MS, so a
 * device posting every few seconds costs no MySQL round trip at all.
 *
 * Revocation stays immediate for everyone who can know of it: every change
 * that ends a key's validity (revoke, rotate, regenerate, device delete)
 * waits KEY_CACHE_MS after its commit before it reports success
 * (key_cache_settle, called by the keys service, auth_keys.h).  Each
 * remembered answer was fetched before that commit and is forgotten
 * within KEY_CACHE_MS of its fetch starting, so once "revoked" is said, no worker on any host still accepts the key.
 * Only durations are compared: hosts' clocks need not agree.
 *
 * Unknown keys are never remembered, so a new key works at once; expiry
 * is checked on every request against the remembered expires_ms, so a
 * grace period ends on time.
 */
#ifndef GAUGE_KEY_CACHE_H
#define GAUGE_KEY_CACHE_H

#include "db_api.h"

#define KEY_CACHE_MS 1000

struct key_cache;

struct key_cache *key_cache_new(void);
void key_cache_free(struct key_cache *kc);
/* Monotonic milliseconds, the clock entries are aged by. */
long long key_cache_now_ms(void);
/* 1 and the rows filled when a fresh answer for (hash, uid) is held; uid NULL
 * for account routes. */
int key_cache_get(struct key_cache *kc, const unsigned char hash[SHA256_LEN], const char *uid,
    long long now_ms, struct api_key_row *key, struct api_device_row *dev);
/* Remembers a found key (and, for device routes, found device) as fetched
 * at fetched_ms, taken before the query was sent; anything else is ignored. */
void key_cache_put(struct key_cache *kc, const unsigned char hash[SHA256_LEN], const char *uid,
    long long fetched_ms, const struct api_key_row *key, const struct api_device_row *dev);
/* The key (hash may be NULL) and device (uid may be NULL): from this
 * process's memory when it is fresh, else from MySQL (db_api_lookup) and
 * remembered.  The clock is read before the query is sent, as the cache's
 * promise needs.  What every edge that takes a key asks (api.c for HTTPS,
 * mqtt_plugin.c for MQTT), so both settle revocation alike. */
int key_cache_lookup(struct key_cache *kc, struct db *db, const unsigned char *hash,
    const char *uid, struct api_key_row *key, struct api_device_row *dev);
/* Waits until every worker's answers from before now have expired.  Called
 * by auth_keys.c after each change that ends keys commits, before it says so. */
void key_cache_settle(void);

#endif
