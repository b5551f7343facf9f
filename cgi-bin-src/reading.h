/*
 * reading.h - a device's readings, validated at the edge.
 *
 * reading_parse_json()/reading_parse_form() turn an ingest body into a
 * batch of typed readings or refuse the whole batch, naming the first
 * offending reading and field.  Nothing after this point re-checks a value.
 */
#ifndef GAUGE_READING_H
#define GAUGE_READING_H

#include <stddef.h>

#include "arena.h"
#include "req.h"
#include "ts.h"

#define READING_BATCH_MAX     1000
#define READING_CHANNELS_MAX  32
#define READING_CHANNEL_LEN   32
#define READING_ID_LEN        64
/* A reading may be at most this far ahead of the server's clock. */
#define READING_FUTURE_MS     (5LL * 60 * 1000)
/* ... and no older than 2000-01-01, which catches seconds sent as ms
 * (a device that counts seconds says so: precision=s, TS_UNIT_S). */
#define READING_EPOCH_MIN_MS  946684800000LL

struct reading_value {
	const char *name;
	double v;
};

struct reading {
	long long ts_ms;            /* the reading's time, epoch ms UTC */
	const char *id;             /* client id, NULL when none */
	size_t n;
	struct reading_value *values;
};

struct batch {
	struct reading *items;
	size_t n;
};

struct reading_error {
	int status;                 /* 400, 413 or 422 */
	const char *code;
	long index;                 /* offending reading, -1 when not about one */
	char field[64];             /* for people: "values.temp" */
	char pointer[128];          /* RFC 6901, into the body: "/readings/1/values/temp" */
	char message[200];
};

/* unit: what a ts given as a number (or a string of digits) counts; a
 * number must be an integer, made milliseconds exactly. */
int reading_parse_json(struct arena *a, const char *body, size_t len,
    long long now_ms, enum ts_unit unit, struct batch *out, struct reading_error *err);
/* reading_parse_json()'s first try (reading_stream.c): 1 and *out filled
 * when the body is a plain one it reads in one pass, exactly as json-c's
 * path would have; 0 for anything else, which that path then decides. */
int reading_parse_json_stream(struct arena *a, const char *body, size_t len,
    long long now_ms, enum ts_unit unit, struct batch *out);
/* reading_parse_json() without that first try: the reference it is held to. */
int reading_parse_json_tree(struct arena *a, const char *body, size_t len,
    long long now_ms, enum ts_unit unit, struct batch *out, struct reading_error *err);
/* Form fields: ts, id and api_key are special; every other field is a channel. */
int reading_parse_form(struct arena *a, const struct kvlist *form,
    long long now_ms, enum ts_unit unit, struct batch *out, struct reading_error *err);

/* A channel name: a letter, then letters, digits or '_', up to 32 bytes. */
int channel_name_ok(const char *s);

#endif
