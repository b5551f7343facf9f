/*
 * auth_throttle.h - slowing down and locking out password guessing.
 *
 * Three counters, each over a 15-minute window, each locking with a delay
 * that doubles per failure past its threshold:
 *   per client address          10 failures, then up to 15 minutes
 *   per account and address      5 failures, then up to 15 minutes
 *   per account, any address    20 failures, then at most 1 minute
 * So one address cannot guess for long, while an attacker elsewhere can
 * only ever delay the real user by a minute at a time: never lock them out.
 * Counters live in MySQL, shared by every worker and host.
 */
#ifndef GAUGE_AUTH_THROTTLE_H
#define GAUGE_AUTH_THROTTLE_H

struct db;

/* Seconds the attempt must wait (0: go ahead); -1 when the database is down. */
long throttle_wait(struct db *db, const char *email, const char *ip);
void throttle_failed(struct db *db, const char *email, const char *ip);
/* A success forgives the account's counters (not the address's). */
void throttle_succeeded(struct db *db, const char *email, const char *ip);

#endif
