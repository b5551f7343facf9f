/*
 * db_metrics.h - what GET /metrics asks MySQL about alerts, at scrape time:
 * the outbox by channel and status (depth, outcomes, oldest waiting) and
 * the evaluator's lease.  Two statements.  The outbox one returns a few
 * dozen rows at most (transports x statuses) but reads the whole table,
 * which keeps every message: README says to scrape less often when it is
 * large.  The lease is one row.
 */
#ifndef GAUGE_DB_METRICS_H
#define GAUGE_DB_METRICS_H

#include <stddef.h>

#include "db.h"

#define METRICS_OUTBOX_GROUPS 64    /* transports x statuses, with room */

struct metrics_outbox_group {
	char transport[16];         /* "email", "sms", ... as the ENUM says */
	char status[16];            /* "pending", "sent", ... */
	long long n;
	double oldest_s;            /* age of the group's oldest message */
};

struct metrics_outbox {
	struct metrics_outbox_group g[METRICS_OUTBOX_GROUPS];
	size_t n;
};

/* Every (transport, status) with messages; groups past the capacity are
 * dropped (they cannot occur with today's ENUMs). */
int db_metrics_outbox(struct db *db, struct metrics_outbox *out);

struct metrics_leader {
	char instance[96];          /* alertd's "host:pid:start" */
	double age_s;               /* since it last renewed the lease */
};

/* The evaluator lease's holder; DB_NOTFOUND when no alertd ever ran. */
int db_metrics_leader(struct db *db, struct metrics_leader *out);

#endif
