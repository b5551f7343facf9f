/*
 * readings_query.h - the parameters of GET .../readings, validated once
 * into typed values (from, to, limit, order, channels, cursor, interval,
 * agg, format).  Unknown or repeated parameters are refused, so a typo
 * ("channel=") is an error rather than a silently different answer.
 */
#ifndef GAUGE_READINGS_QUERY_H
#define GAUGE_READINGS_QUERY_H

#include "reading.h"
#include "store_readings.h"

#define QUERY_LIMIT_DEFAULT 100
#define QUERY_LIMIT_MAX     1000
#define QUERY_BUCKETS_MAX   10000

struct readings_query {
	struct store_range range;
	const char *channels[READING_CHANNELS_MAX];
	char channel_names[READING_CHANNELS_MAX][READING_CHANNEL_LEN + 1];
	int has_from, has_to;
	size_t limit;
	int desc;
	struct store_after after;
	long long interval_ms;          /* 0: raw readings */
	const char *interval_text;
	enum store_agg agg;
	int csv;
};

struct query_error {
	const char *param;
	char message[160];
};

/* 0, or -1 with err naming the parameter.  now_ms fills default ranges. */
int readings_query_parse(const struct req *r, long long device_id, long long now_ms,
    struct readings_query *q, struct query_error *err);
/* The cursor text for a reading: "<epoch ms>.<ObjectId hex>". */
void readings_cursor_format(long long ts_ms, const bson_oid_t *oid, char out[48]);
/* Parses "15m"-style intervals into ms; 0 when malformed or out of range. */
long long readings_interval_ms(const char *s);

#endif
