/*
 * auth_throttle.c - sign-in throttling counters (see auth_throttle.h).
 *
 * One statement per counter updates it atomically (INSERT ... ON DUPLICATE
 * KEY UPDATE), so concurrent failures on several workers all count.
 */
#include "auth_throttle.h"

#include <stdio.h>

#include "db.h"
#include "valid.h"

enum subject { SUBJ_ADDR, SUBJ_EMAIL_ADDR, SUBJ_EMAIL };

/* An e-mail is validated (at most 254 bytes) before it is counted and an
 * address comes from req.c (at most 45): the pair always fits whole. */
#define SUBJECT_MAX (VALID_EMAIL_MAX + 1 + 46 + 1)

static const struct throttle_rule {
	const char *scope;
	enum subject subject;
	unsigned threshold, max_s;
} rules[] = {
	{ "ip", SUBJ_ADDR, 10, 900 },
	{ "email", SUBJ_EMAIL_ADDR, 5, 900 },
	{ "email", SUBJ_EMAIL, 20, 60 },
};

static void subject_of(const struct throttle_rule *r, const char *email, const char *ip,
    char *out, size_t len)
{
	if (r->subject == SUBJ_ADDR)
		snprintf(out, len, "%s", ip);
	else if (r->subject == SUBJ_EMAIL)
		snprintf(out, len, "%s", email);
	else
		snprintf(out, len, "%s|%s", email, ip);    /* whole: see 004_throttle_subject.sql */
}

static int wait_row(void *ctx, const struct db_row *row)
{
	long w = (long)db_row_int(row, 0);

	if (w > *(long *)ctx)
		*(long *)ctx = w;
	return 0;
}

long throttle_wait(struct db *db, const char *email, const char *ip)
{
	char subj[SUBJECT_MAX];
	long wait = 0;

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		int rc;

		subject_of(&rules[i], email, ip, subj, sizeof(subj));
		rc = db_query(db, "SELECT CEIL(TIMESTAMPDIFF(MICROSECOND, UTC_TIMESTAMP(3), locked_until) / 1e6) "
		    "FROM login_throttle WHERE scope = ? AND subject = ? AND locked_until > UTC_TIMESTAMP(3)",
		    DB_ARGS(DB_TEXT(rules[i].scope), DB_TEXT(subj)), wait_row, &wait);
		if (rc < 0)
			return -1;
	}
	return wait;
}

void throttle_failed(struct db *db, const char *email, const char *ip)
{
	char subj[SUBJECT_MAX];

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		subject_of(&rules[i], email, ip, subj, sizeof(subj));
		/* Assignments run left to right: failures sees the old window,
		 * locked_until sees the new failure count. */
		(void)db_exec(db,
		    "INSERT INTO login_throttle (scope, subject, failures, window_start) "
		    "VALUES (?, ?, 1, UTC_TIMESTAMP(3)) ON DUPLICATE KEY UPDATE "
		    "failures = IF(window_start < UTC_TIMESTAMP(3) - INTERVAL 15 MINUTE, 1, failures + 1), "
		    "window_start = IF(window_start < UTC_TIMESTAMP(3) - INTERVAL 15 MINUTE, UTC_TIMESTAMP(3), window_start), "
		    "locked_until = IF(failures >= ?, UTC_TIMESTAMP(3) + INTERVAL "
		    "LEAST(?, POW(2, LEAST(failures - ?, 20))) SECOND, locked_until)",
		    DB_ARGS(DB_TEXT(rules[i].scope), DB_TEXT(subj), DB_INT(rules[i].threshold),
		    DB_INT(rules[i].max_s), DB_INT(rules[i].threshold)), NULL);
	}
}

void throttle_succeeded(struct db *db, const char *email, const char *ip)
{
	char subj[SUBJECT_MAX];

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		if (rules[i].subject == SUBJ_ADDR)
			continue;
		subject_of(&rules[i], email, ip, subj, sizeof(subj));
		(void)db_exec(db, "DELETE FROM login_throttle WHERE scope = ? AND subject = ?",
		    DB_ARGS(DB_TEXT(rules[i].scope), DB_TEXT(subj)), NULL);
	}
}
