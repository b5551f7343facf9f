/*
 * test_fmt.c - the hand-written formatters of the hot path say exactly what
 * the libc calls they replaced said: ts_format() what gmtime_r + snprintf
 * wrote, api_fmt_double() what %.15g / %.17g wrote, for edge cases listed
 * one by one and for millions of pseudo-random inputs.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_json.h"
#include "check.h"
#include "ts.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	/* splitmix64: reproducible, so a failure can be replayed */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* What ts_format() wrote before it was written by hand. */
static void ts_ref(long long ms, char out[TS_LEN])
{
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, TS_LEN, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    (int)(ms - (long long)t * 1000));
}

static int ts_same(long long ms)
{
	char got[TS_LEN], want[TS_LEN];

	ts_format(ms, got);
	ts_ref(ms, want);
	if (strcmp(got, want) == 0)
		return 1;
	fprintf(stderr, "     ts_format(%lld): got '%s', want '%s'\n", ms, got, want);
	return 0;
}

static void test_ts_format(void)
{
	static const struct { long long ms; const char *want; } cases[] = {
		{ 0, "1970-01-01T00:00:00.000Z" },
		{ -1, "1969-12-31T23:59:59.999Z" },
		{ -1000, "1969-12-31T23:59:59.000Z" },
		{ -1001, "1969-12-31T23:59:58.999Z" },
		{ 951782400000LL, "2000-02-29T00:00:00.000Z" },        /* leap day of a /400 year */
		{ 4107542399999LL, "2100-02-28T23:59:59.999Z" },       /* 2100 is no leap year */
		{ 4107542400000LL, "2100-03-01T00:00:00.000Z" },
		{ 1795543200123LL, "2026-11-24T18:00:00.123Z" },
		{ 253402300799999LL, "9999-12-31T23:59:59.999Z" },     /* the last fast one */
		{ -62167219200000LL, "0000-01-01T00:00:00.000Z" },     /* the first */
	};
	char out[TS_LEN];
	int ok = 1;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ts_format(cases[i].ms, out);
		CHECK_STR(out, cases[i].want, "ts_format of a listed instant");
		CHECK(ts_same(cases[i].ms), "ts_format agrees with gmtime_r on a listed instant");
	}
	/* Past the fast range: gmtime_r's answer, as before. */
	CHECK(ts_same(253402300800000LL) && ts_same(-62167219200001LL) && ts_same(4e17),
	    "years past 0-9999 are written as gmtime_r writes them");
	/* Every day boundary of 1900-2200, and random instants across 0-9999. */
	for (long long d = -25567; d < 84000 && ok; d++)
		ok = ts_same(d * 86400000LL) && ts_same(d * 86400000LL - 1) && ts_same(d * 86400000LL + 86399999);
	for (int i = 0; i < 1000000 && ok; i++)
		ok = ts_same(-62167219200000LL + (long long)(rng() % 315537897600000ULL));
	CHECK(ok, "ts_format agrees with gmtime_r + snprintf everywhere in years 0-9999");
}

static int fmt_same(double v)
{
	char got[32], want[32];

	api_fmt_double(v, got);
	api_fmt_double_slow(v, want);
	if (strcmp(got, want) == 0 && strtod(got, NULL) == v)
		return 1;
	fprintf(stderr, "     api_fmt_double(%a): got '%s', want '%s'\n", v, got, want);
	return 0;
}

static void test_fmt_double(void)
{
	static const struct { double v; const char *want; } cases[] = {
		{ 0.0, "0" }, { -0.0, "-0" }, { 1, "1" }, { -1, "-1" }, { 21.5, "21.5" },
		{ -3.25, "-3.25" }, { 0.1, "0.1" }, { 0.3, "0.3" }, { 0.1 + 0.2, "0.30000000000000004" },
		{ 1013.25, "1013.25" }, { 1e-4, "0.0001" }, { 1.5e-4, "0.00015" }, { 9.99e-5, "9.99e-05" },
		{ 1e15, "1e+15" }, { 999999999999999.0, "999999999999999" }, { 123456789012345.6, "123456789012345.59" },
		{ 1e14 + 0.5, "100000000000000.5" }, { 2.5, "2.5" }, { 1.0 / 3, "0.33333333333333331" },
		{ 5e-324, "4.94065645841247e-324" }, { DBL_MAX, "1.7976931348623157e+308" },
		{ 9007199254740993.0, "9007199254740992" }, { 40.2, "40.2" }, { 20.49, "20.49" },
	};
	char out[32];
	int ok = 1;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		api_fmt_double(cases[i].v, out);
		CHECK_STR(out, cases[i].want, "api_fmt_double of a listed value");
		CHECK(fmt_same(cases[i].v), "api_fmt_double agrees with %.15g/%.17g on a listed value");
	}
	/* Sensor-like values: n / 10^k for k = 0..9, both signs. */
	for (int i = 0; i < 1000000 && ok; i++) {
		long long n = (long long)(rng() % 2000000000ULL) - 1000000000LL;
		int k = (int)(rng() % 10);

		ok = fmt_same((double)n / pow(10, k));
	}
	/* Any double at all, and values just around the 1e-4 and 1e15 edges. */
	for (int i = 0; i < 1000000 && ok; i++) {
		uint64_t bits = rng();
		double v;

		memcpy(&v, &bits, sizeof(v));
		if (isfinite(v))
			ok = fmt_same(v);
	}
	for (int i = -200; i < 200 && ok; i++)
		ok = fmt_same(nextafter(1e-4, 0) + i * 1e-20) && fmt_same(1e15 + i) && fmt_same(1e15 - i * 0.125);
	for (int i = 0; i < 1000000 && ok; i++)
		ok = fmt_same((double)(rng() % 1000000000000000ULL) / pow(10, (int)(rng() % 20)));
	CHECK(ok, "api_fmt_double agrees with the snprintf reference and reads back exactly");
}

int main(void)
{
	test_ts_format();
	test_fmt_double();
	return check_done("test_fmt");
}
