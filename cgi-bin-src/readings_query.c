/*
 * readings_query.c - parameter table and validators for reading queries
 * (see readings_query.h), in the kcgi style: declared once, parsed once.
 */
#include "readings_query.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "req.h"
#include "ts.h"

enum rq_param {
	RQ_FROM, RQ_TO, RQ_LIMIT, RQ_ORDER, RQ_CHANNELS, RQ_CURSOR, RQ_INTERVAL, RQ_AGG, RQ_FORMAT,
	RQ__MAX
};

typedef int (*rq_valid_fn)(const char *v, struct readings_query *q, struct query_error *err);

/* Fills err's message and returns -1, for `return rq_bad(err, ...)`; the
 * parameter is named by the caller (readings_query_parse() names it before
 * calling a validator). */
static int rq_bad(struct query_error *err, const char *fmt, ...)
    __attribute__((cold, format(printf, 2, 3)));

static int rq_bad(struct query_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}

static int rq_from(const char *v, struct readings_query *q, struct query_error *err)
{
	if (ts_parse(v, &q->range.from_ms) != 0)
		return rq_bad(err, "from must be ISO 8601 with a zone or epoch milliseconds");
	q->has_from = 1;
	return 0;
}

static int rq_to(const char *v, struct readings_query *q, struct query_error *err)
{
	if (ts_parse(v, &q->range.to_ms) != 0)
		return rq_bad(err, "to must be ISO 8601 with a zone or epoch milliseconds");
	q->has_to = 1;
	return 0;
}

static int rq_limit(const char *v, struct readings_query *q, struct query_error *err)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (!isdigit((unsigned char)*v) || *end != '\0' || n < 1 || n > QUERY_LIMIT_MAX)
		return rq_bad(err, "limit must be a whole number from 1 to %d", QUERY_LIMIT_MAX);
	q->limit = (size_t)n;
	return 0;
}

static int rq_order(const char *v, struct readings_query *q, struct query_error *err)
{
	if (strcmp(v, "asc") != 0 && strcmp(v, "desc") != 0)
		return rq_bad(err, "order must be asc (oldest first) or desc (newest first)");
	q->desc = v[0] == 'd';
	return 0;
}

static int rq_channels(const char *v, struct readings_query *q, struct query_error *err)
{
	char (*names)[READING_CHANNEL_LEN + 1] = q->channel_names;
	const char *p = v;

	q->range.nchannels = 0;
	while (*p != '\0') {
		size_t n = strcspn(p, ",");

		if (q->range.nchannels == READING_CHANNELS_MAX || n == 0 || n > READING_CHANNEL_LEN)
			return rq_bad(err, "channels is a comma-separated list of up to %d channel names",
			    READING_CHANNELS_MAX);
		memcpy(names[q->range.nchannels], p, n);
		names[q->range.nchannels][n] = '\0';
		if (!channel_name_ok(names[q->range.nchannels]))
			return rq_bad(err, "channels: '%.32s' is not a channel name",
			    names[q->range.nchannels]);
		q->channels[q->range.nchannels] = names[q->range.nchannels];
		q->range.nchannels++;
		p += n;
		if (*p == ',' && *++p == '\0')
			return rq_bad(err, "channels must not end with a comma");
	}
	if (q->range.nchannels == 0)
		return rq_bad(err, "channels must name at least one channel");
	q->range.channels = q->channels;
	return 0;
}

static int rq_cursor(const char *v, struct readings_query *q, struct query_error *err)
{
	const char *dot = strchr(v, '.');
	char *end;

	if (dot == NULL || dot == v || strlen(dot + 1) != 24 || !bson_oid_is_valid(dot + 1, 24))
		return rq_bad(err, "cursor is malformed; use the next link as given");
	q->after.ts_ms = strtoll(v, &end, 10);
	if (end != dot || !isdigit((unsigned char)*v))
		return rq_bad(err, "cursor is malformed; use the next link as given");
	bson_oid_init_from_string(&q->after.oid, dot + 1);
	q->after.set = 1;
	return 0;
}

long long readings_interval_ms(const char *s)
{
	static const struct { char unit; long long ms; } units[] = {
		{ 's', 1000 }, { 'm', 60000 }, { 'h', 3600000 }, { 'd', 86400000 },
	};
	char *end;
	long n = strtol(s, &end, 10);

	if (!isdigit((unsigned char)*s) || n < 1 || n > 1000 || end[0] == '\0' || end[1] != '\0')
		return 0;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (*end == units[i].unit && n * units[i].ms <= 366LL * 86400000)
			return n * units[i].ms;
	return 0;
}

static int rq_interval(const char *v, struct readings_query *q, struct query_error *err)
{
	if ((q->interval_ms = readings_interval_ms(v)) == 0)
		return rq_bad(err,
		    "interval is a number and a unit: 30s, 1m, 5m, 1h, 1d (at most a year)");
	q->interval_text = v;
	return 0;
}

static int rq_agg(const char *v, struct readings_query *q, struct query_error *err)
{
	static const char *const names[] = { "avg", "min", "max", "sum", "count", "first", "last" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(v, names[i]) == 0) {
			q->agg = (enum store_agg)i;
			return 0;
		}
	return rq_bad(err, "agg must be avg, min, max, sum, count, first or last");
}

static int rq_format(const char *v, struct readings_query *q, struct query_error *err)
{
	if (strcmp(v, "json") != 0 && strcmp(v, "csv") != 0)
		return rq_bad(err, "format must be json or csv");
	q->csv = v[0] == 'c';
	return 0;
}

static const struct {
	const char *name;
	rq_valid_fn valid;
} rq_params[RQ__MAX] = {
	[RQ_FROM] = { "from", rq_from }, [RQ_TO] = { "to", rq_to },
	[RQ_LIMIT] = { "limit", rq_limit }, [RQ_ORDER] = { "order", rq_order },
	[RQ_CHANNELS] = { "channels", rq_channels }, [RQ_CURSOR] = { "cursor", rq_cursor },
	[RQ_INTERVAL] = { "interval", rq_interval }, [RQ_AGG] = { "agg", rq_agg },
	[RQ_FORMAT] = { "format", rq_format },
};

static int rq_defaults(const struct req *r, long long now_ms, struct readings_query *q,
    struct query_error *err)
{
	const char *accept = req_header(r, "accept");

	if (!q->csv && accept != NULL && strstr(accept, "text/csv") != NULL && req_param(r, "format") == NULL)
		q->csv = 1;
	if (q->has_from && q->has_to && q->range.from_ms >= q->range.to_ms) {
		err->param = "from";
		return rq_bad(err, "from must be before to");
	}
	if (q->interval_ms == 0)
		return 0;
	/* Downsampling always works on a bounded range: the last day by default. */
	if (!q->has_to)
		q->range.to_ms = now_ms + READING_FUTURE_MS;
	if (!q->has_from)
		q->range.from_ms = q->range.to_ms - 86400000LL;
	if ((q->range.to_ms - q->range.from_ms) / q->interval_ms > QUERY_BUCKETS_MAX) {
		err->param = "interval";
		return rq_bad(err, "that range holds more than %d intervals; choose a larger interval",
		    QUERY_BUCKETS_MAX);
	}
	if (q->after.set) {
		err->param = "cursor";
		return rq_bad(err, "cursor does not apply to downsampled queries");
	}
	return 0;
}

int readings_query_parse(const struct req *r, long long device_id, long long now_ms,
    struct readings_query *q, struct query_error *err)
{
	int seen[RQ__MAX] = { 0 };

	memset(q, 0, sizeof(*q));
	q->range.device_id = device_id;
	q->range.from_ms = LLONG_MIN;
	q->range.to_ms = LLONG_MAX;
	q->limit = QUERY_LIMIT_DEFAULT;
	q->desc = 1;
	for (size_t i = 0; i < r->query.n; i++) {
		const struct kv *p = &r->query.items[i];
		int k;

		for (k = 0; k < RQ__MAX && strcmp(p->key, rq_params[k].name) != 0; k++)
			;
		err->param = k < RQ__MAX ? rq_params[k].name : p->key;
		if (k == RQ__MAX)
			return rq_bad(err, "unknown parameter '%.40s'", p->key);
		if (seen[k]++)
			return rq_bad(err, "%s is given more than once", p->key);
		if (rq_params[k].valid(p->val, q, err) != 0)
			return -1;
	}
	if (seen[RQ_AGG] && !seen[RQ_INTERVAL]) {
		err->param = "agg";
		return rq_bad(err, "agg needs an interval to aggregate over (interval=5m&agg=max)");
	}
	return rq_defaults(r, now_ms, q, err);
}

void readings_cursor_format(long long ts_ms, const bson_oid_t *oid, char out[48])
{
	char hex[25];

	bson_oid_to_string(oid, hex);
	snprintf(out, 48, "%lld.%s", ts_ms, hex);
}
