/*
 * db_alert.h - what gauge-alertd reads and writes in MySQL: enabled rules
 * and their device pairs, per-pair state, the evaluation cursor and the
 * set of readings already evaluated, alert events and the outbox.
 */
#ifndef GAUGE_DB_ALERT_H
#define GAUGE_DB_ALERT_H

#include "alert_eval.h"
#include "alert_rule.h"
#include "db.h"

/* The evaluator's lease (db_alertd_lease): renewed every cycle, taken over
 * by another gauge-alertd once this many seconds pass without renewal. */
#define ALERTD_LEASE_S 10

struct alert_rule_row {
	long long id, account_id;
	char name[101];
	char channel[READING_CHANNEL_LEN + 1];
	struct alert_rule rule;
	struct alert_recipient recipients[ALERT_RECIPIENTS_MAX];
	size_t nrecipients;
	long long enabled_ms;       /* enabled again at (epoch ms); 0: since created */
};

struct alert_pair {
	size_t rule;                /* index into the rule array */
	long long device_id;
	char device_name[101];
	struct alert_track track;
	int dirty;                  /* track changed: write it back */
};

struct alert_set {
	struct alert_rule_row *rules;
	size_t nrules;
	struct alert_pair *pairs;
	size_t npairs;
};

/* Loads enabled rules, their recipients, device pairs and states; the set
 * is owned by the caller (alert_set_free). */
int  db_alert_load(struct db *db, struct alert_set *set);
void alert_set_free(struct alert_set *set);
int  db_alert_save_track(struct db *db, long long rule_id, const struct alert_pair *p);

int  db_alertd_get(struct db *db, const char *name, long long *value);
int  db_alertd_set(struct db *db, const char *name, long long value);
/* Takes or renews the evaluation lease; *leader says whether we hold it. */
int  db_alertd_lease(struct db *db, const char *me, unsigned lease_s, int *leader);
/* Gives the lease up if we hold it (it counts as expired at once). */
int  db_alertd_lease_release(struct db *db, const char *me);
/* Inside the evaluation transaction: still ours?  Locks the lease row. */
int  db_alertd_still_leader(struct db *db, const char *me, int *leader);

/* What one poll asks MySQL before deciding whether to evaluate and to
 * deliver: one statement. */
#define ALERTD_FINGERPRINT_LEN 48
struct alertd_probe {
	char rules[ALERTD_FINGERPRINT_LEN]; /* the enabled rules and their devices (db_alert_fingerprint) */
	int due;                    /* an outbox row is due to be sent */
	int stale;                  /* a row was left "sending" past its lease */
	int held;                   /* rows are held for a digest */
};
int  db_alertd_probe(struct db *db, struct alertd_probe *p);
/* A digest of every field of the enabled rules that evaluation reads, and
 * of their rule-device pairs: it changes with any edit, enable, disable,
 * delete, new device in a group or device moved or deleted, whichever
 * program made it.  Inside the evaluation transaction it describes the same
 * snapshot as db_alert_load. */
int  db_alert_fingerprint(struct db *db, char out[ALERTD_FINGERPRINT_LEN]);

typedef int (*db_oid_fn)(void *ctx, const unsigned char oid[12]);
int  db_alertd_seen(struct db *db, long long since_ms, db_oid_fn fn, void *ctx);
/* A reading evaluated in this cycle, for the seen set. */
struct alertd_seen_row {
	unsigned char oid[12];
	long long received_ms;
};
/* Adds a cycle's evaluated readings to the seen set: one statement for up
 * to 256 of them. */
int  db_alertd_mark_seen(struct db *db, const struct alertd_seen_row *rows, size_t n);
int  db_alertd_prune_seen(struct db *db, long long before_ms);

/* An alert event and its outbox rows (held when over a recipient's budget);
 * f is what the event reports: the reading's value and time, and since when
 * the condition held. */
int  db_alert_event(struct db *db, const struct alert_rule_row *rule, const struct alert_pair *p,
    const char *kind, const struct alert_fact *f, const char *code, unsigned budget_per_hour);

#endif
