/*
 * test_ts.c - the instants Gauge reads and writes: ISO 8601 with a zone or
 * epoch milliseconds in, ISO 8601 UTC with milliseconds out.
 */
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

int main(void)
{
	test_ts();
	return check_done("test_ts");
}
