/*
 * db_throttle.h - the sign-in throttling counters (login_throttle), one row
 * per (scope, subject).  The rules (which subjects, thresholds, limits) are
 * auth_throttle.c's; each statement here updates one counter atomically.
 */
#ifndef GAUGE_DB_THROTTLE_H
#define GAUGE_DB_THROTTLE_H

struct db;

/* *wait_s receives the seconds the counter stays locked (0: not locked). */
int db_throttle_locked(struct db *db, const char *scope, const char *subject, long *wait_s);
/* Counts a failure in the 15-minute window; from threshold failures on,
 * locks for 2^(failures - threshold) seconds, at most max_s. */
int db_throttle_fail(struct db *db, const char *scope, const char *subject,
    unsigned threshold, unsigned max_s);
/* Forgets the counter. */
int db_throttle_clear(struct db *db, const char *scope, const char *subject);

#endif
