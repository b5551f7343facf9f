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

/* The unit of an epoch number a client sends: milliseconds (the default)
 * or, for devices that only know seconds, whole seconds.  Said by the
 * client (precision=s), never guessed from the number's size. */
enum ts_unit { TS_UNIT_MS, TS_UNIT_S };
/* "ms" or "s" into *unit; -1 for anything else (case matters). */
int ts_unit_parse(const char *s, enum ts_unit *unit);
/* n epoch units as epoch ms, exactly; -1 when that does not fit 64 bits. */
int ts_epoch_ms(long long n, enum ts_unit unit, long long *ms);
/* ts_parse(), with epoch digits read in unit (ISO 8601 is unit-free). */
int ts_parse_unit(const char *s, enum ts_unit unit, long long *ms);
/* Formats epoch ms as "2026-11-24T18:00:00.000Z" into out. */
#define TS_LEN 80
void ts_format(long long ms, char out[TS_LEN]);
/* The wall clock, epoch ms: received times, "now" for ranges and expiry. */
long long ts_now_ms(void);
/* Monotonic ms: for intervals, which a clock step must not stretch. */
long long ts_mono_ms(void);

#endif
