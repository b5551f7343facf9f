/*
 * fuzz_reading_json.c - reading_parse_json(): a device's ingest body.
 *
 * A batch that parses obeys reading.h (check_batch); a refusal is a client
 * error naming its reason.  A parsed batch written back out as plain JSON
 * ({"readings":[{"ts":ms,"id":..,"values":{..}}]}, numbers as %.17g) parses
 * to the same readings: nothing in the body changed a value silently.
 * The one-pass reader (reading_stream.c) takes a body only when json-c's
 * path accepts it as the very same readings, bit for bit.
 */
#include <stdarg.h>
#include <stdio.h>

#include <json-c/json.h>

#include "arena.h"
#include "json_body.h"
#include "reading_check.h"

struct out {
	char *buf;
	size_t len, cap;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		INVARIANT(n >= 0, "vsnprintf");
		if ((size_t)n < o->cap - o->len)
			break;
		o->cap = 2 * o->cap + (size_t)n;
		if ((o->buf = realloc(o->buf, o->cap)) == NULL)
			abort();
	}
	o->len += (size_t)n;
}

/* An id is printable ASCII: only '"' and '\\' need escaping. */
static void put_id(struct out *o, const char *id)
{
	put(o, "\"");
	for (; *id != '\0'; id++)
		put(o, *id == '"' || *id == '\\' ? "\\%c" : "%c", *id);
	put(o, "\"");
}

static void check_round_trip(const struct batch *b)
{
	struct out o = { malloc(256), 0, 256 };
	struct reading_error err;
	struct batch again;
	struct arena a;

	INVARIANT(o.buf != NULL, "out of memory");
	put(&o, "{\"readings\":[");
	for (size_t i = 0; i < b->n; i++) {
		const struct reading *rd = &b->items[i];

		put(&o, "%s{\"ts\":%lld,", i ? "," : "", rd->ts_ms);
		if (rd->id != NULL) {
			put(&o, "\"id\":");
			put_id(&o, rd->id);
			put(&o, ",");
		}
		put(&o, "\"values\":{");
		for (size_t j = 0; j < rd->n; j++)
			put(&o, "%s\"%s\":%.17g", j ? "," : "", rd->values[j].name, rd->values[j].v);
		put(&o, "}}");
	}
	put(&o, "]}");

	arena_init(&a);
	INVARIANT(reading_parse_json(&a, o.buf, o.len, FUZZ_NOW_MS, TS_UNIT_MS, &again, &err) == 0,
	    "batch written back refused (%s: %s): %s", err.code, err.message, o.buf);
	INVARIANT(again.n == b->n, "%zu readings, %zu written back", b->n, again.n);
	for (size_t i = 0; i < b->n; i++) {
		const struct reading *x = &b->items[i], *y = &again.items[i];

		INVARIANT(x->ts_ms == y->ts_ms, "reading %zu time %lld became %lld", i, x->ts_ms, y->ts_ms);
		INVARIANT((x->id == NULL) == (y->id == NULL) && (x->id == NULL || strcmp(x->id, y->id) == 0),
		    "reading %zu id changed", i);
		INVARIANT(x->n == y->n, "reading %zu channels %zu became %zu", i, x->n, y->n);
		for (size_t j = 0; j < x->n; j++)
			INVARIANT(strcmp(x->values[j].name, y->values[j].name) == 0 &&
			    x->values[j].v == y->values[j].v, "reading %zu %s %.17g became %s %.17g", i,
			    x->values[j].name, x->values[j].v, y->values[j].name, y->values[j].v);
	}
	arena_free(&a);
	free(o.buf);
}

/* What the stream reader took, json-c's path reads the same. */
static void check_stream(const char *body, size_t size)
{
	struct reading_error err;
	struct batch fast, ref;
	struct arena a;

	arena_init(&a);
	if (reading_parse_json_stream(&a, body, size, FUZZ_NOW_MS, TS_UNIT_MS, &fast) == 1) {
		INVARIANT(reading_parse_json_tree(&a, body, size, FUZZ_NOW_MS, TS_UNIT_MS, &ref, &err) == 0,
		    "stream reader took what json-c's path refuses (%s: %s)", err.code, err.message);
		INVARIANT(fast.n == ref.n, "%zu readings, json-c read %zu", fast.n, ref.n);
		for (size_t i = 0; i < fast.n; i++) {
			const struct reading *x = &fast.items[i], *y = &ref.items[i];

			INVARIANT(x->ts_ms == y->ts_ms && x->n == y->n && (x->id == NULL) == (y->id == NULL) &&
			    (x->id == NULL || strcmp(x->id, y->id) == 0), "reading %zu differs", i);
			for (size_t j = 0; j < x->n; j++)
				INVARIANT(strcmp(x->values[j].name, y->values[j].name) == 0 &&
				    memcmp(&x->values[j].v, &y->values[j].v, sizeof(double)) == 0,
				    "reading %zu %s %a, json-c read %s %a", i, x->values[j].name, x->values[j].v,
				    y->values[j].name, y->values[j].v);
		}
	}
	arena_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The body as req_parse() leaves it: a copy with a NUL after it. */
	char *body = malloc(size + 1);
	struct reading_error err;
	struct batch b;
	struct arena a;

	if (body == NULL)
		abort();
	memcpy(body, data, size);
	body[size] = '\0';
	check_stream(body, size);
	memset(&err, 0, sizeof(err));
	arena_init(&a);
	if (reading_parse_json(&a, body, size, FUZZ_NOW_MS, TS_UNIT_MS, &b, &err) == 0) {
		struct json_object *doc = NULL;
		struct json_body_error jerr;

		/* Ingest takes nothing the one strict parser refuses (NUL, duplicate keys...). */
		INVARIANT(json_body_parse(body, size, &doc, &jerr) == 0, "ingest accepted what json_body "
		    "refuses: %s", jerr.message);
		json_object_put(doc);
		check_batch(&b, FUZZ_NOW_MS);
		check_round_trip(&b);
	} else {
		check_refusal(&err);
	}
	arena_free(&a);
	free(body);
	return 0;
}
