/*
 * alert_events_query.h - the parameters of GET /api/v1/alert-events,
 * validated once into a typed filter (from, to, device, rule, state, limit,
 * cursor).  As for readings, unknown or repeated parameters are refused.
 *
 * The cursor is opaque to clients: "e" and the id of the last event of the
 * page in base 36, then a check character.  The history is newest first by
 * id, so "older than this event" is a stable place to continue while new
 * events arrive; a cursor that does not check out is refused (400).
 */
#ifndef GAUGE_ALERT_EVENTS_QUERY_H
#define GAUGE_ALERT_EVENTS_QUERY_H

#include "db_alert_admin.h"
#include "readings_query.h"

#define ALERT_EVENTS_LIMIT_DEFAULT 100
#define ALERT_EVENTS_LIMIT_MAX     1000
#define ALERT_EVENTS_CURSOR_LEN    16

/* 0, or -1 with err naming the parameter.  f->account_id is left to the caller. */
int alert_events_query_parse(const struct req *r, struct alert_events_filter *f,
    struct query_error *err);
/* The cursor that continues after the event id. */
void alert_events_cursor_format(long long id, char out[ALERT_EVENTS_CURSOR_LEN]);
/* The state filter's name ("open", ...), "" for any. */
const char *alert_events_state_name(enum alert_events_state s);

#endif
