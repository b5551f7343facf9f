/*
 * ratelimit.c - lock-free shared counters (see ratelimit.h).
 *
 * Each slot holds a subject and a 64-bit state word: the window number in
 * the high half, the count in the low half, changed together by one CAS.
 * A subject probes a few slots from its hash; when all are taken, a slot
 * whose window has passed is reused.  If even that fails (a table full of
 * live subjects) the request is allowed: a limiter must never take the
 * service down.
 */
#include "ratelimit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"

#define RL_SLOTS 65536
#define RL_PROBE 16

struct rl_slot {
	uint64_t subject;
	uint64_t state;
};

struct ratelimit {
	struct rl_slot *slots;
	size_t size;
};

struct ratelimit *ratelimit_open(const char *path, char *err, size_t errlen)
{
	size_t size = RL_SLOTS * sizeof(struct rl_slot);
	struct ratelimit *rl = calloc(1, sizeof(*rl));
	struct stat st;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (rl == NULL || fd < 0 || fstat(fd, &st) != 0 ||
	    ((size_t)st.st_size < size && ftruncate(fd, (off_t)size) != 0)) {
		snprintf(err, errlen, "rate-limit table %s: %s", path, strerror(errno));
		goto fail;
	}
	rl->slots = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (rl->slots == MAP_FAILED) {
		snprintf(err, errlen, "rate-limit table %s: mmap: %s", path, strerror(errno));
		goto fail;
	}
	rl->size = size;
	close(fd);
	return rl;
fail:
	if (fd >= 0)
		close(fd);
	free(rl);
	return NULL;
}

void ratelimit_close(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	munmap(rl->slots, rl->size);
	free(rl);
}

static uint64_t rl_mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

/* The slot for subject, claiming a free or stale one; NULL when full. */
static struct rl_slot *rl_slot(struct ratelimit *rl, uint64_t subject, uint64_t window)
{
	uint64_t h = rl_mix(subject);

	for (int i = 0; i < RL_PROBE; i++) {
		struct rl_slot *s = &rl->slots[(h + (uint64_t)i) % RL_SLOTS];
		uint64_t cur = __atomic_load_n(&s->subject, __ATOMIC_ACQUIRE), zero = 0;

		if (cur == subject)
			return s;
		if (cur == 0 && __atomic_compare_exchange_n(&s->subject, &zero, subject, 0,
		    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			return s;
		if (zero == subject)
			return s;
	}
	for (int i = 0; i < RL_PROBE; i++) {
		struct rl_slot *s = &rl->slots[(h + (uint64_t)i) % RL_SLOTS];
		uint64_t cur = __atomic_load_n(&s->subject, __ATOMIC_ACQUIRE);

		if ((__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) >> 32) != window &&
		    __atomic_compare_exchange_n(&s->subject, &cur, subject, 0,
		    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			__atomic_store_n(&s->state, 0, __ATOMIC_RELEASE);
			return s;
		}
	}
	return NULL;
}

void ratelimit_hit(struct ratelimit *rl, uint64_t subject, unsigned limit,
    unsigned window_s, time_t now, struct rl_result *out)
{
	uint64_t window = (uint64_t)now / window_s, old, next, count;
	struct rl_slot *s = rl != NULL ? rl_slot(rl, subject, window) : NULL;

	out->limit = limit;
	out->reset_s = (unsigned)(window_s - (uint64_t)now % window_s);
	out->allowed = 1;
	out->remaining = limit;
	if (s == NULL)
		return;
	old = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
	do {
		count = (old >> 32) == window ? (old & 0xffffffffu) : 0;
		if (count >= limit) {
			out->allowed = 0;
			out->remaining = 0;
			return;
		}
		next = window << 32 | (count + 1);
	} while (!__atomic_compare_exchange_n(&s->state, &old, next, 0,
	    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
	out->remaining = limit - (unsigned)(count + 1);
}

/* The last address and its hash: a worker sees the same few clients (or
 * the one proxy) request after request, and each keyed request needs the
 * hash for its last-used record. */
static struct {
	int set;
	char addr[64];
	uint64_t hash;
} rl_addr_last;

static uint64_t rl_addr_hash(const char *addr)
{
	unsigned char h[SHA256_LEN];
	size_t n = strlen(addr);
	uint64_t v;

	if (rl_addr_last.set && n < sizeof(rl_addr_last.addr) && memcmp(rl_addr_last.addr, addr, n + 1) == 0)
		return rl_addr_last.hash;
	crypto_sha256(addr, n, h);
	memcpy(&v, h, sizeof(v));
	if (n < sizeof(rl_addr_last.addr)) {
		memcpy(rl_addr_last.addr, addr, n + 1);
		rl_addr_last.hash = v;
		rl_addr_last.set = 1;
	}
	return v;
}

/* Subjects never collide across kinds: key ids are small positive numbers,
 * addresses have the top bit set, touch records the next one down. */
uint64_t ratelimit_subject_addr(const char *addr)
{
	return rl_addr_hash(addr) | (1ULL << 63);
}

uint64_t ratelimit_subject_touch(uint64_t key_id, const char *addr)
{
	uint64_t v = rl_mix(rl_addr_hash(addr) ^ rl_mix(key_id));

	return (v & ~(3ULL << 62)) | (1ULL << 62);
}
