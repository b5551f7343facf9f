/*
 * test_key_cache.c - a worker's memory of key lookups: remembers found
 * keys for KEY_CACHE_MS and no longer, never remembers unknown keys or
 * devices, keeps routes apart, and settling outlasts every entry.
 */
#include <string.h>

#include "check.h"
#include "key_cache.h"

static void found(struct api_key_row *k, struct api_device_row *d)
{
	memset(k, 0, sizeof(*k));
	memset(d, 0, sizeof(*d));
	k->id = 11;
	k->account_id = 3;
	k->device_id = 7;
	d->id = 7;
	d->account_id = 3;
	strcpy(d->uid, "dev_aaaaaaaaaaaaaaaa");
}

int main(void)
{
	struct key_cache *kc = key_cache_new();
	unsigned char h[SHA256_LEN], other[SHA256_LEN];
	struct api_key_row k, got;
	struct api_device_row d, gotd;
	long long t = 5000000, t0, t1;

	memset(h, 0xab, sizeof(h));
	memset(other, 0xcd, sizeof(other));
	found(&k, &d);
	CHECK(kc != NULL, "a cache is made");
	CHECK(!key_cache_get(kc, h, d.uid, t, &got, &gotd), "nothing is known at first");
	key_cache_put(kc, h, d.uid, t, &k, &d);
	CHECK(key_cache_get(kc, h, d.uid, t + 1, &got, &gotd) && got.id == 11 && gotd.id == 7,
	    "a found key and device are remembered");
	CHECK(key_cache_get(kc, h, d.uid, t + KEY_CACHE_MS - 1, &got, &gotd), "still remembered just before the limit");
	CHECK(!key_cache_get(kc, h, d.uid, t + KEY_CACHE_MS, &got, &gotd), "forgotten KEY_CACHE_MS after the fetch began");
	CHECK(!key_cache_get(kc, h, d.uid, t + 1, &got, &gotd), "and stays forgotten");

	key_cache_put(kc, h, d.uid, t, &k, &d);
	CHECK(!key_cache_get(kc, other, d.uid, t, &got, &gotd), "another key is not answered from it");
	CHECK(!key_cache_get(kc, h, "dev_bbbbbbbbbbbbbbbb", t, &got, &gotd), "the same key on another device is not");
	CHECK(!key_cache_get(kc, h, NULL, t, &got, &gotd), "nor on an account route");
	key_cache_put(kc, h, NULL, t, &k, &d);
	CHECK(key_cache_get(kc, h, NULL, t, &got, &gotd) && key_cache_get(kc, h, d.uid, t, &got, &gotd),
	    "account and device routes are remembered apart");

	k.id = 0;
	key_cache_put(kc, other, d.uid, t, &k, &d);
	CHECK(!key_cache_get(kc, other, d.uid, t, &got, &gotd), "an unknown key is never remembered");
	found(&k, &d);
	d.id = 0;
	key_cache_put(kc, other, "dev_cccccccccccccccc", t, &k, &d);
	CHECK(!key_cache_get(kc, other, "dev_cccccccccccccccc", t, &got, &gotd), "an unknown device is never remembered");

	t0 = key_cache_now_ms();
	key_cache_settle();
	t1 = key_cache_now_ms();
	CHECK(t1 - t0 >= KEY_CACHE_MS, "settling waits out every remembered answer");
	key_cache_free(kc);
	return check_done("test_key_cache");
}
