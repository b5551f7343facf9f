/*
 * auth_throttle.c - sign-in throttling rules (see auth_throttle.h); the
 * counters themselves are db_throttle.c's.
 */
#include "auth_throttle.h"

#include <stdio.h>

#include "db.h"
#include "db_throttle.h"
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

long throttle_wait(struct db *db, const char *email, const char *ip)
{
	char subj[SUBJECT_MAX];
	long wait = 0, w;

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		subject_of(&rules[i], email, ip, subj, sizeof(subj));
		if (db_throttle_locked(db, rules[i].scope, subj, &w) != DB_OK)
			return -1;
		if (w > wait)
			wait = w;
	}
	return wait;
}

void throttle_failed(struct db *db, const char *email, const char *ip)
{
	char subj[SUBJECT_MAX];

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		subject_of(&rules[i], email, ip, subj, sizeof(subj));
		(void)db_throttle_fail(db, rules[i].scope, subj, rules[i].threshold, rules[i].max_s);
	}
}

void throttle_succeeded(struct db *db, const char *email, const char *ip)
{
	char subj[SUBJECT_MAX];

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		if (rules[i].subject == SUBJ_ADDR)
			continue;
		subject_of(&rules[i], email, ip, subj, sizeof(subj));
		(void)db_throttle_clear(db, rules[i].scope, subj);
	}
}
