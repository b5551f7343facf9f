/*
 * db_throttle.c - sign-in throttling counters (see db_throttle.h).
 *
 * One statement per counter updates it atomically (INSERT ... ON DUPLICATE
 * KEY UPDATE), so concurrent failures on several workers all count.
 */
#include "db_throttle.h"

#include "db.h"

static int wait_row(void *ctx, const struct db_row *row)
{
	long w = (long)db_row_int(row, 0);

	if (w > *(long *)ctx)
		*(long *)ctx = w;
	return 0;
}

int db_throttle_locked(struct db *db, const char *scope, const char *subject, long *wait_s)
{
	*wait_s = 0;
	return db_query_all(db, "SELECT CEIL(TIMESTAMPDIFF(MICROSECOND, UTC_TIMESTAMP(3), locked_until) / 1e6) "
	    "FROM login_throttle WHERE scope = ? AND subject = ? AND locked_until > UTC_TIMESTAMP(3)",
	    DB_ARGS(DB_TEXT(scope), DB_TEXT(subject)), wait_row, wait_s);
}

int db_throttle_fail(struct db *db, const char *scope, const char *subject,
    unsigned threshold, unsigned max_s)
{
	/* Assignments run left to right: failures sees the old window,
	 * locked_until sees the new failure count. */
	return db_exec(db,
	    "INSERT INTO login_throttle (scope, subject, failures, window_start) "
	    "VALUES (?, ?, 1, UTC_TIMESTAMP(3)) ON DUPLICATE KEY UPDATE "
	    "failures = IF(window_start < UTC_TIMESTAMP(3) - INTERVAL 15 MINUTE, 1, failures + 1), "
	    "window_start = IF(window_start < UTC_TIMESTAMP(3) - INTERVAL 15 MINUTE, UTC_TIMESTAMP(3), window_start), "
	    "locked_until = IF(failures >= ?, UTC_TIMESTAMP(3) + INTERVAL "
	    "LEAST(?, POW(2, LEAST(failures - ?, 20))) SECOND, locked_until)",
	    DB_ARGS(DB_TEXT(scope), DB_TEXT(subject), DB_INT(threshold), DB_INT(max_s), DB_INT(threshold)), NULL);
}

int db_throttle_clear(struct db *db, const char *scope, const char *subject)
{
	return db_exec(db, "DELETE FROM login_throttle WHERE scope = ? AND subject = ?",
	    DB_ARGS(DB_TEXT(scope), DB_TEXT(subject)), NULL);
}
