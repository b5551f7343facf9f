/*
 * fuzz_readings_query.c - readings_query_parse(): the parameters of
 * GET /api/v1/devices/<id>/readings.
 *
 * Input: an optional Accept header value and '\n', then the query string
 * (decoded by req_parse_urlencoded() as req_parse() does).  A query that
 * parses is within its bounds: a limit of 1..QUERY_LIMIT_MAX, up to
 * READING_CHANNELS_MAX well-named channels, from before to, an interval of
 * a second to a year whose range holds at most QUERY_BUCKETS_MAX buckets and
 * no cursor, a known aggregate.  A cursor it accepted, formatted again by
 * readings_cursor_format(), parses to the same position, and the interval
 * text reads back as the same interval.  A refusal names a parameter.
 */
#include <limits.h>

#include "fuzz.h"
#include "readings_query.h"

#define DEVICE_ID 42

static void check_cursor(const struct readings_query *q)
{
	struct readings_query again;
	struct query_error err = { NULL, "" };
	struct req r;
	char text[48];

	readings_cursor_format(q->after.ts_ms, &q->after.oid, text);
	memset(&r, 0, sizeof(r));
	arena_init(&r.arena);
	INVARIANT(req_parse_urlencoded(&r.arena, "cursor=", 7, &r.query) == 0, "cursor=");
	r.query.items[0].val = text;
	INVARIANT(readings_query_parse(&r, DEVICE_ID, FUZZ_NOW_MS, &again, &err) == 0,
	    "cursor '%s' refused: %s", text, err.message);
	INVARIANT(again.after.set && again.after.ts_ms == q->after.ts_ms &&
	    bson_oid_equal(&again.after.oid, &q->after.oid), "cursor '%s' moved", text);
	req_free(&r);
}

static void check_query(const struct readings_query *q)
{
	INVARIANT(q->range.device_id == DEVICE_ID, "device %lld", q->range.device_id);
	INVARIANT(q->limit >= 1 && q->limit <= QUERY_LIMIT_MAX, "limit %zu", q->limit);
	INVARIANT(q->desc == 0 || q->desc == 1, "desc %d", q->desc);
	INVARIANT(q->range.nchannels <= READING_CHANNELS_MAX, "%zu channels", q->range.nchannels);
	INVARIANT((q->range.channels == NULL) == (q->range.nchannels == 0), "channel list");
	for (size_t i = 0; i < q->range.nchannels; i++)
		INVARIANT(channel_name_ok(q->range.channels[i]), "channel '%s'", q->range.channels[i]);
	INVARIANT(!q->has_from || !q->has_to || q->range.from_ms < q->range.to_ms,
	    "from %lld not before to %lld", q->range.from_ms, q->range.to_ms);
	INVARIANT(q->has_from || q->interval_ms != 0 || q->range.from_ms == LLONG_MIN, "open from");
	INVARIANT(q->has_to || q->interval_ms != 0 || q->range.to_ms == LLONG_MAX, "open to");
	INVARIANT(q->agg >= AGG_AVG && q->agg <= AGG_LAST, "agg %d", (int)q->agg);
	if (q->interval_ms != 0) {
		INVARIANT(q->interval_ms >= 1000 && q->interval_ms <= 366LL * 86400000,
		    "interval %lld ms", q->interval_ms);
		INVARIANT(readings_interval_ms(q->interval_text) == q->interval_ms, "interval '%s'",
		    q->interval_text);
		INVARIANT((q->range.to_ms - q->range.from_ms) / q->interval_ms <= QUERY_BUCKETS_MAX,
		    "%lld buckets", (q->range.to_ms - q->range.from_ms) / q->interval_ms);
		INVARIANT(!q->after.set, "a cursor on a downsampled query");
	}
	if (q->after.set)
		check_cursor(q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size), *qs = text, *nl;
	struct readings_query q;
	struct query_error err = { NULL, "" };
	struct kv accept;
	struct req r;

	memset(&r, 0, sizeof(r));
	arena_init(&r.arena);
	if ((nl = memchr(text, '\n', size)) != NULL) {
		*nl = '\0';
		accept.key = "accept";
		accept.val = text;
		r.headers.items = &accept;
		r.headers.n = r.headers.cap = 1;
		qs = nl + 1;
	}
	if (req_parse_urlencoded(&r.arena, qs, size - (size_t)(qs - text), &r.query) == 0) {
		if (readings_query_parse(&r, DEVICE_ID, FUZZ_NOW_MS, &q, &err) == 0) {
			check_query(&q);
		} else {
			INVARIANT(err.param != NULL && err.message[0] != '\0', "refusal without a reason");
		}
	}
	req_free(&r);
	free(text);
	return 0;
}
