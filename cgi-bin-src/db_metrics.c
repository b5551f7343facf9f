/*
 * db_metrics.c - alert figures for GET /metrics (see db_metrics.h).
 */
#include "db_metrics.h"

#include <stdio.h>
#include <stdlib.h>

static int outbox_group_row(void *ctx, const struct db_row *row)
{
	struct metrics_outbox *o = ctx;
	struct metrics_outbox_group *g;

	if (o->n == METRICS_OUTBOX_GROUPS)
		return 1;
	g = &o->g[o->n++];
	db_row_copy(g->transport, sizeof(g->transport), row, 0);
	db_row_copy(g->status, sizeof(g->status), row, 1);
	g->n = db_row_int(row, 2);
	g->oldest_s = (double)db_row_int(row, 3) / 1e6;
	return 0;
}

int db_metrics_outbox(struct db *db, struct metrics_outbox *out)
{
	out->n = 0;
	return db_query_all(db, "SELECT transport, status, COUNT(*), "
	    "TIMESTAMPDIFF(MICROSECOND, MIN(created_at), UTC_TIMESTAMP(3)) "
	    "FROM alert_outbox GROUP BY transport, status", NULL, 0, outbox_group_row, out);
}

static int leader_row(void *ctx, const struct db_row *row)
{
	struct metrics_leader *l = ctx;

	db_row_copy(l->instance, sizeof(l->instance), row, 0);
	l->age_s = (double)db_row_int(row, 1) / 1e6;
	return 1;
}

int db_metrics_leader(struct db *db, struct metrics_leader *out)
{
	return db_query(db, "SELECT value, TIMESTAMPDIFF(MICROSECOND, updated_at, UTC_TIMESTAMP(3)) "
	    "FROM alertd_state WHERE name = 'leader'", NULL, 0, leader_row, out);
}
