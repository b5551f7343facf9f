/*
 * test_ts.c - the instants Gauge reads and writes: ISO 8601 with a zone or
 * epoch milliseconds in, ISO 8601 UTC with milliseconds out.
 */
#include <stdio.h>

#include "check.h"
#include "ts.h"

static void test_ts(void)
{
	static const struct { const char *s; long long ms; } good[] = {
		{ "2026-11-24T18:00:00Z", 1795543200000LL },
		{ "2026-11-24T18:00:00.5Z", 1795543200500LL },
		{ "2026-11-24T18:00:00.123456Z", 1795543200123LL },
		{ "2026-11-24T19:00:00+01:00", 1795543200000LL },
		{ "2026-11-24T17:30:00-0030", 1795543200000LL },
		{ "2026-11-24T20:00:00+02", 1795543200000LL },
		{ "2024-02-29T00:00:00Z", 1709164800000LL },
		{ "1795543200000", 1795543200000LL },
	};
	static const char *const bad[] = {
		"2026-11-24T18:00:00", "2026-11-24 18:00:00Z", "2026-13-01T00:00:00Z",
		"2026-02-29T00:00:00Z", "2026-11-24T24:00:00Z", "2026-11-24T18:00:60Z",
		"2026-11-24T18:00:00.Z", "2026-11-24T18:00:00+25:00", "2026-11-24T18:00:00Zjunk",
		"", "17955432000001234567", "-5", "1.5e12", "yesterday",
	};
	long long ms;
	char out[TS_LEN];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(ts_parse(good[i].s, &ms) == 0 && ms == good[i].ms, good[i].s);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(ts_parse(bad[i], &ms) != 0, bad[i]);
	ts_format(1795543200123LL, out);
	CHECK_STR(out, "2026-11-24T18:00:00.123Z", "times are written as ISO 8601 UTC with milliseconds");
}

/* precision=s: whole seconds made milliseconds exactly, or refused when
 * the product would leave 64 bits; never guessed from the size. */
static void test_units(void)
{
	static const struct { int line; long long n; enum ts_unit unit; int ok; long long ms; } epoch[] = {
		{ __LINE__, 1795543200LL, TS_UNIT_S, 1, 1795543200000LL },
		{ __LINE__, 1795543200000LL, TS_UNIT_MS, 1, 1795543200000LL },
		{ __LINE__, 0, TS_UNIT_S, 1, 0 },
		{ __LINE__, -1, TS_UNIT_S, 1, -1000 },
		{ __LINE__, 9223372036854775LL, TS_UNIT_S, 1, 9223372036854775000LL },     /* LLONG_MAX / 1000 */
		{ __LINE__, 9223372036854776LL, TS_UNIT_S, 0, 0 },                         /* one more */
		{ __LINE__, -9223372036854775LL, TS_UNIT_S, 1, -9223372036854775000LL },
		{ __LINE__, -9223372036854776LL, TS_UNIT_S, 0, 0 },
		{ __LINE__, 9223372036854775807LL, TS_UNIT_S, 0, 0 },
		{ __LINE__, -9223372036854775807LL - 1, TS_UNIT_S, 0, 0 },
		{ __LINE__, 9223372036854775807LL, TS_UNIT_MS, 1, 9223372036854775807LL },
	};
	static const struct { const char *s; enum ts_unit unit; long long ms; } text[] = {
		{ "1795543200", TS_UNIT_S, 1795543200000LL },
		{ "1795543200", TS_UNIT_MS, 1795543200LL },                 /* no guessing */
		{ "999999999999999", TS_UNIT_S, 999999999999999000LL },     /* 15 digits: fits */
		{ "2026-11-24T18:00:00.5Z", TS_UNIT_S, 1795543200500LL },   /* ISO 8601 is unit-free */
		{ "2026-11-24T18:00:00.5Z", TS_UNIT_MS, 1795543200500LL },
	};
	static const char *const bad_text[] = { "1795543200.5", "-1795543200", "1e9", "1000000000000000", " 1", "" };
	enum ts_unit u;
	long long ms;
	char what[64];

	for (size_t i = 0; i < sizeof(epoch) / sizeof(epoch[0]); i++) {
		int rc = ts_epoch_ms(epoch[i].n, epoch[i].unit, &ms);

		snprintf(what, sizeof(what), "ts_epoch_ms case at line %d", epoch[i].line);
		CHECK(epoch[i].ok ? rc == 0 && ms == epoch[i].ms : rc == -1, what);
	}
	for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++)
		CHECK(ts_parse_unit(text[i].s, text[i].unit, &ms) == 0 && ms == text[i].ms, text[i].s);
	for (size_t i = 0; i < sizeof(bad_text) / sizeof(bad_text[0]); i++)
		CHECK(ts_parse_unit(bad_text[i], TS_UNIT_S, &ms) != 0, bad_text[i]);
	CHECK(ts_unit_parse("s", &u) == 0 && u == TS_UNIT_S, "precision=s");
	CHECK(ts_unit_parse("ms", &u) == 0 && u == TS_UNIT_MS, "precision=ms");
	CHECK(ts_unit_parse("S", &u) != 0 && ts_unit_parse("us", &u) != 0 && ts_unit_parse("", &u) != 0 &&
	    ts_unit_parse("sec", &u) != 0 && ts_unit_parse(NULL, &u) != 0, "nothing else is a precision");
}

int main(void)
{
	test_ts();
	test_units();
	return check_done("test_ts");
}
