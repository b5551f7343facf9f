/*
 * ratelimit.h - per-key request limits shared by every worker of a host.
 *
 * The counters live in a small file mapped into every worker (MAP_SHARED),
 * updated with atomic compare-and-swap only: no locks, so a worker killed
 * mid-update can never wedge the others, and a check costs no round trip.
 * Each host counts on its own; see README for what that means behind a
 * load balancer.  Fixed one-minute windows: simple to explain in headers.
 */
#ifndef GAUGE_RATELIMIT_H
#define GAUGE_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct ratelimit;

struct rl_result {
	int allowed;
	unsigned limit;
	unsigned remaining;
	unsigned reset_s;           /* seconds until the window ends */
};

/* Maps (creating if needed) the table at path; NULL with err on failure. */
struct ratelimit *ratelimit_open(const char *path, char *err, size_t errlen);
void ratelimit_close(struct ratelimit *rl);
/* Counts one request for subject (non-zero) against limit per window_s. */
void ratelimit_hit(struct ratelimit *rl, uint64_t subject, unsigned limit,
    unsigned window_s, time_t now, struct rl_result *out);
/* Subjects for anonymous callers: one per client address, never a key id. */
uint64_t ratelimit_subject_addr(const char *addr);
/* Subjects that remember a key's last-used record for one address (a limit
 * of 1 a minute means "record it now"), apart from every request counter. */
uint64_t ratelimit_subject_touch(uint64_t key_id, const char *addr);

#endif
