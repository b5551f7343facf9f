/*
 * fuzz_ts.c - ts_parse() and ts_format(): the timestamps of readings and
 * of query ranges (ISO 8601 with a zone, or epoch milliseconds).
 *
 * Input: the text to parse.  Whenever ts_parse() accepts it and the
 * instant lies in years 0000..9999 (what four year digits can say),
 * ts_format() writes it as "YYYY-MM-DDTHH:MM:SS.mmmZ" and ts_parse() reads
 * that back as the same millisecond.  The first eight bytes also serve as
 * an instant of their own, checked the same way.
 */
#include "fuzz.h"
#include "ts.h"

/* 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z. */
#define TS_MIN_MS (-62167219200000LL)
#define TS_MAX_MS 253402300799999LL

static void check_round_trip(long long ms, const char *from)
{
	char text[TS_LEN];
	long long again = 0;

	if (ms < TS_MIN_MS || ms > TS_MAX_MS)
		return;
	ts_format(ms, text);
	INVARIANT(strlen(text) == 24, "'%s' formatted as '%s'", from, text);
	INVARIANT(ts_parse(text, &again) == 0, "'%s' formatted as '%s', refused", from, text);
	INVARIANT(again == ms, "'%s' is %lld, formatted '%s', read back %lld", from, ms, text, again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	long long ms = 0;

	if (ts_parse(s, &ms) == 0)
		check_round_trip(ms, s);
	if (size >= 8) {
		int64_t raw;

		memcpy(&raw, data, sizeof(raw));
		/* Fold onto the range that four-digit years cover. */
		ms = TS_MIN_MS + (long long)((uint64_t)raw % (uint64_t)(TS_MAX_MS - TS_MIN_MS + 1));
		check_round_trip(ms, "(raw instant)");
	}
	free(s);
	return 0;
}
