/*
 * ts.h - instants on the wire: ISO 8601 text and epoch milliseconds.
 *
 * Readings, query ranges, API responses, CSV exports, pages and alert
 * messages all write and read times the same way, so the rule lives in one
 * room of its own rather than in whichever parser needed it first.
 */
#ifndef GAUGE_TS_H
#define GAUGE_TS_H

/* ISO 8601 with a zone ("2026-11-24T18:00:00.5Z", "...+01:00") or epoch
 * milliseconds as digits.  0 on success, -1 for anything else. */
int ts_parse(const char *s, long long *ms);
/* Formats epoch ms as "2026-11-24T18:00:00.000Z" into out. */
#define TS_LEN 80
void ts_format(long long ms, char out[TS_LEN]);

#endif
