/*
 * test_reading.c - what a device may send: timestamps, channels, values,
 * ids, batches; and that one bad reading refuses the whole batch, naming it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "reading.h"

#define NOW 1795000000000LL     /* 2026-11-18T08:26:40Z in epoch ms */

static int parse(const char *json, struct batch *b, struct reading_error *err, struct arena *a)
{
	return reading_parse_json(a, json, strlen(json), NOW, TS_UNIT_MS, b, err);
}

static void test_single(void)
{
	struct arena a;
	struct batch b;
	struct reading_error err;

	arena_init(&a);
	CHECK(parse("{\"ts\":\"2026-11-18T00:00:00Z\",\"values\":{\"temp\":21.5,\"rh\":40},\"id\":\"r-1\"}",
	    &b, &err, &a) == 0, "a single reading parses");
	CHECK(b.n == 1 && b.items[0].n == 2, "one reading with two channels");
	CHECK(b.items[0].ts_ms == 1794960000000LL, "its ts is kept");
	CHECK(b.items[0].id != NULL && strcmp(b.items[0].id, "r-1") == 0, "its client id is kept");
	CHECK(parse("{\"values\":{\"temp\":-3}}", &b, &err, &a) == 0 && b.items[0].ts_ms == NOW,
	    "a reading without ts is stamped with the time received");
	CHECK(b.items[0].id == NULL, "a reading without id has none");
	CHECK(parse("{\"ts\":1794960000000,\"values\":{\"p\":1e5}}", &b, &err, &a) == 0 &&
	    b.items[0].ts_ms == 1794960000000LL, "ts as epoch milliseconds");
	arena_free(&a);
}

struct refusal {
	int line;
	const char *json;
	size_t len;                 /* 0: strlen(json) */
	int status;
	const char *pointer;        /* the JSON Pointer the error names */
	long index;
};

static void test_refusals(void)
{
	static const struct refusal cases[] = {
		{ __LINE__, "{\"values\":{\"temp\":\"21\"}}", 0, 422, "/values/temp", -1 },
		{ __LINE__, "{\"values\":{\"temp\":true}}", 0, 422, "/values/temp", -1 },
		{ __LINE__, "{\"values\":{\"temp\":null}}", 0, 422, "/values/temp", -1 },
		{ __LINE__, "{\"values\":{\"temp\":NaN}}", 0, 400, "/values/temp", -1 },      /* not JSON */
		{ __LINE__, "{\"values\":{\"temp\":Infinity}}", 0, 400, "/values/temp", -1 },
		{ __LINE__, "{\"values\":{\"temp\":1e999}}", 0, 422, "/values/temp", -1 },
		{ __LINE__, "{\"values\":{}}", 0, 422, "/values", -1 },
		{ __LINE__, "{\"values\":[1,2]}", 0, 422, "/values", -1 },
		{ __LINE__, "{\"values\":{\"9lives\":1}}", 0, 422, "/values/9lives", -1 },
		{ __LINE__, "{\"values\":{\"a.b\":1}}", 0, 422, "/values/a.b", -1 },
		{ __LINE__, "{\"values\":{\"$where\":1}}", 0, 422, "/values/$where", -1 },
		{ __LINE__, "{\"values\":{\"t\":1},\"ts\":\"2026-11-18T00:00:00\"}", 0, 422, "/ts", -1 },
		{ __LINE__, "{\"values\":{\"t\":1},\"ts\":4102444800000}", 0, 422, "/ts", -1 },   /* 2100: future */
		{ __LINE__, "{\"values\":{\"t\":1},\"ts\":1794960000}", 0, 422, "/ts", -1 },      /* seconds, not ms */
		{ __LINE__, "{\"values\":{\"t\":1},\"id\":\"\"}", 0, 422, "/id", -1 },
		{ __LINE__, "{\"values\":{\"t\":1},\"id\":\"has space\"}", 0, 422, "/id", -1 },
		{ __LINE__, "{\"values\":{\"t\":1},\"id\":7}", 0, 422, "/id", -1 },
		{ __LINE__, "{\"valuse\":{\"t\":1}}", 0, 422, "/valuse", -1 },
		{ __LINE__, "{\"ts\":1794960000000}", 0, 422, "/values", -1 },
		{ __LINE__, "[1,2]", 0, 400, "", -1 },
		{ __LINE__, "{\"values\":{\"t\":1}} trailing", 0, 400, "", -1 },
		{ __LINE__, "{\"values\":{\"t\":1},}", 0, 400, "", -1 },
		{ __LINE__, "", 0, 400, "", -1 },
		{ __LINE__, "{\"readings\":[]}", 0, 422, "/readings", -1 },
		{ __LINE__, "{\"readings\":{}}", 0, 400, "/readings", -1 },
		{ __LINE__, "{\"readings\":[{\"values\":{\"t\":1}}],\"extra\":1}", 0, 400, "/readings", -1 },
		{ __LINE__, "{\"readings\":[{\"values\":{\"t\":1}},{\"values\":{\"t\":1}},{\"values\":{\"t\":\"x\"}}]}",
		  0, 422, "/readings/2/values/t", 2 },
		{ __LINE__, "{\"readings\":[{\"values\":{\"t\":1}},7]}", 0, 422, "/readings/1", 1 },
		{ __LINE__, "{\"readings\":[{\"values\":{\"t\":1}},{\"ts\":\"x\",\"values\":{\"t\":1}}]}", 0, 422,
		  "/readings/1/ts", 1 },
		/* what the review found accepted or changed (issue 9, items 1 to 3) */
		{ __LINE__, "{\"values\":{\"te\\u0000mp\":1}}", 0, 422, "/values/te\\u0000mp", -1 },
		{ __LINE__, "{\"values\":{\"t\\u0000a\":1,\"t\\u0000b\":2}}", 0, 422, "/values/t\\u0000a", -1 },
		{ __LINE__, "{\"id\":\"a\\u0000zzz\",\"values\":{\"t\":1}}", 0, 422, "/id", -1 },
		{ __LINE__, "{\"values\":{\"t\":1000000000000000000000000000000000000000000}}", 0, 422, "/values/t", -1 },
		{ __LINE__, "{\"values\":{\"t\":18446744073709551616}}", 0, 422, "/values/t", -1 },
		{ __LINE__, "{\"id\":\"a\",\"id\":\"b\",\"values\":{\"t\":1}}", 0, 400, "", -1 },
		{ __LINE__, "{\"ts\":1794960000000,\"values\":{\"t\":1},\"ts\":1794960000001}", 0, 400, "", -1 },
		{ __LINE__, "{\"values\":{\"t\":1,\"t\":2}}", 0, 400, "/values", -1 },
		{ __LINE__, "{'values':{'t':1}}", 0, 400, "", -1 },
		{ __LINE__, "{\"values\":{\"t\":1}}\0", 20, 400, "", -1 },
	};
	struct arena a;
	struct batch b;
	struct reading_error err;
	char what[200];

	arena_init(&a);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].json);
		int rc = reading_parse_json(&a, cases[i].json, len, NOW, TS_UNIT_MS, &b, &err);

		snprintf(what, sizeof(what), "line %d: refused with status %d", cases[i].line, cases[i].status);
		CHECK(rc == -1 && err.status == cases[i].status, what);
		if (rc == -1 && err.status != cases[i].status)
			fprintf(stderr, "     got %d: %s\n", err.status, err.message);
		if (rc == -1 && err.status == 422) {
			snprintf(what, sizeof(what), "line %d: the error points at the field", cases[i].line);
			CHECK_STR(err.pointer, cases[i].pointer, what);
			snprintf(what, sizeof(what), "line %d: the offending reading is named by its index", cases[i].line);
			CHECK(err.index == cases[i].index, what);
		}
	}
	arena_free(&a);
}

static void test_big_integer_kept(void)
{
	struct arena a;
	struct batch b;
	struct reading_error err;
	const char *json = "{\"values\":{\"t\":9007199254740993,\"u\":-42}}";

	arena_init(&a);
	CHECK(reading_parse_json(&a, json, strlen(json), NOW, TS_UNIT_MS, &b, &err) == 0 &&
	    b.items[0].values[0].v == 9007199254740992.0 && b.items[0].values[1].v == -42,
	    "integers within 64 bits are stored as the nearest double");
	arena_free(&a);
}

static void test_batch_limit(void)
{
	size_t cap = 40 * (READING_BATCH_MAX + 2) + 32;
	char *json = malloc(cap);
	struct arena a;
	struct batch b;
	struct reading_error err;
	size_t n;

	arena_init(&a);
	n = (size_t)sprintf(json, "{\"readings\":[");
	for (int i = 0; i < READING_BATCH_MAX; i++)
		n += (size_t)sprintf(json + n, "%s{\"values\":{\"t\":%d}}", i ? "," : "", i);
	strcpy(json + n, "]}");
	CHECK(parse(json, &b, &err, &a) == 0 && b.n == READING_BATCH_MAX, "a batch of 1000 readings is accepted");
	CHECK(b.items[999].values[0].v == 999, "and every value is kept in order");
	n += (size_t)sprintf(json + n, ",{\"values\":{\"t\":1}}");
	strcpy(json + n, "]}");
	CHECK(parse(json, &b, &err, &a) == -1 && err.status == 413, "1001 readings is 413");
	free(json);
	arena_free(&a);
}

static void test_form(void)
{
	struct arena a;
	struct kvlist form = { 0 };
	struct batch b;
	struct reading_error err;
	const char *body = "temp=21.5&rh=40&api_key=gdk_x&id=abc";

	arena_init(&a);
	CHECK(req_parse_urlencoded(&a, body, strlen(body), &form) == 0, "the form parses");
	CHECK(reading_parse_form(&a, &form, NOW, TS_UNIT_MS, &b, &err) == 0 && b.n == 1 && b.items[0].n == 2,
	    "form fields are channels; api_key and id are not");
	CHECK(strcmp(b.items[0].id, "abc") == 0 && b.items[0].values[0].v == 21.5, "values and id kept");
	form.n = 0;
	body = "temp=warm";
	req_parse_urlencoded(&a, body, strlen(body), &form);
	CHECK(reading_parse_form(&a, &form, NOW, TS_UNIT_MS, &b, &err) == -1 && err.status == 422, "a non-number is 422");
	form.n = 0;
	body = "temp=1&temp=2";
	req_parse_urlencoded(&a, body, strlen(body), &form);
	CHECK(reading_parse_form(&a, &form, NOW, TS_UNIT_MS, &b, &err) == -1, "a channel given twice is refused");
	form.n = 0;
	body = "temp=inf";
	req_parse_urlencoded(&a, body, strlen(body), &form);
	CHECK(reading_parse_form(&a, &form, NOW, TS_UNIT_MS, &b, &err) == -1, "inf is not a finite number");
	form.n = 0;
	body = "api_key=gdk_x";
	req_parse_urlencoded(&a, body, strlen(body), &form);
	CHECK(reading_parse_form(&a, &form, NOW, TS_UNIT_MS, &b, &err) == -1, "a form without values is refused");
	{
		static const char *const not_decimal[] = { "temp=0x10", "temp=nan", "temp=infinity",
			"temp=+inf", "temp=1e400", "temp=%201", "temp=1%20", "temp=", "temp=0x1p4" };

		for (size_t i = 0; i < sizeof(not_decimal) / sizeof(not_decimal[0]); i++) {
			form.n = 0;
			req_parse_urlencoded(&a, not_decimal[i], strlen(not_decimal[i]), &form);
			CHECK(reading_parse_form(&a, &form, NOW, TS_UNIT_MS, &b, &err) == -1 && err.status == 422, not_decimal[i]);
		}
	}
	arena_free(&a);
}

/* precision=s: a device that counts seconds says so; its integers are
 * made milliseconds exactly, fractions and overflow are refused. */
static void test_seconds(void)
{
	static const struct { int line; const char *json; int ok; long long ms; } cases[] = {
		{ __LINE__, "{\"ts\":1794960000,\"values\":{\"t\":1}}", 1, 1794960000000LL },
		{ __LINE__, "{\"ts\":\"1794960000\",\"values\":{\"t\":1}}", 1, 1794960000000LL },
		{ __LINE__, "{\"ts\":\"2026-11-18T00:00:00.250Z\",\"values\":{\"t\":1}}", 1, 1794960000250LL },
		{ __LINE__, "{\"ts\":1794960000.5,\"values\":{\"t\":1}}", 0, 0 },       /* no fractions */
		{ __LINE__, "{\"ts\":1.79496e9,\"values\":{\"t\":1}}", 0, 0 },
		{ __LINE__, "{\"ts\":1794960000000,\"values\":{\"t\":1}}", 0, 0 },     /* ms sent as s: future */
		{ __LINE__, "{\"ts\":9223372036854775807,\"values\":{\"t\":1}}", 0, 0 },/* overflow */
		{ __LINE__, "{\"ts\":-9223372036854775808,\"values\":{\"t\":1}}", 0, 0 },
		{ __LINE__, "{\"ts\":946684799,\"values\":{\"t\":1}}", 0, 0 },          /* 1999 */
		{ __LINE__, "{\"ts\":946684800,\"values\":{\"t\":1}}", 1, 946684800000LL },
		{ __LINE__, "{\"ts\":1795000300,\"values\":{\"t\":1}}", 1, 1795000300000LL }, /* now + 5 min */
		{ __LINE__, "{\"ts\":1795000301,\"values\":{\"t\":1}}", 0, 0 },
	};
	struct arena a;
	struct kvlist form = { 0 };
	struct batch b;
	struct reading_error err;
	char what[64];

	arena_init(&a);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = reading_parse_json(&a, cases[i].json, strlen(cases[i].json), NOW, TS_UNIT_S, &b, &err);

		snprintf(what, sizeof(what), "precision=s case at line %d", cases[i].line);
		CHECK(cases[i].ok ? rc == 0 && b.items[0].ts_ms == cases[i].ms
		    : rc == -1 && err.status == 422 && strcmp(err.pointer, "/ts") == 0, what);
	}
	CHECK(reading_parse_json(&a, cases[0].json, strlen(cases[0].json), NOW, TS_UNIT_MS, &b, &err) == -1 &&
	    strstr(err.message, "precision=s") != NULL, "seconds sent as ms are refused, pointing at precision=s");
	req_parse_urlencoded(&a, "ts=1794960000&t=1", 17, &form);
	CHECK(reading_parse_form(&a, &form, NOW, TS_UNIT_S, &b, &err) == 0 && b.items[0].ts_ms == 1794960000000LL,
	    "a form's ts in seconds");
	form.n = 0;
	req_parse_urlencoded(&a, "ts=1794960000.5&t=1", 19, &form);
	CHECK(reading_parse_form(&a, &form, NOW, TS_UNIT_S, &b, &err) == -1 && err.status == 422,
	    "a form's fractional seconds are refused");
	arena_free(&a);
}

/* ---- the one-pass reader (reading_stream.c) ------------------------------ */

/* Same readings, bit for bit (so -0 and +0 differ), in the same order. */
static int same_batch(const struct batch *x, const struct batch *y)
{
	if (x->n != y->n)
		return 0;
	for (size_t i = 0; i < x->n; i++) {
		const struct reading *p = &x->items[i], *q = &y->items[i];

		if (p->ts_ms != q->ts_ms || p->n != q->n || (p->id == NULL) != (q->id == NULL) ||
		    (p->id != NULL && strcmp(p->id, q->id) != 0))
			return 0;
		for (size_t j = 0; j < p->n; j++)
			if (strcmp(p->values[j].name, q->values[j].name) != 0 ||
			    memcmp(&p->values[j].v, &q->values[j].v, sizeof(double)) != 0)
				return 0;
	}
	return 1;
}

static unsigned long long rs_state = 7;

static unsigned rs_rand(unsigned n)
{
	rs_state = rs_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(rs_state >> 33) % n;
}

/* 1 when the stream reader took the body; it may only take what the tree
 * path accepts, as the same batch.  Names the body when it does not. */
static int stream_agrees(const char *body, size_t len, enum ts_unit unit)
{
	struct arena a;
	struct batch fast, ref;
	struct reading_error err;
	int took, rc, ok = 1;

	arena_init(&a);
	took = reading_parse_json_stream(&a, body, len, NOW, unit, &fast);
	rc = reading_parse_json_tree(&a, body, len, NOW, unit, &ref, &err);
	if (took && (rc != 0 || !same_batch(&fast, &ref))) {
		fprintf(stderr, "     stream reader took what json-c reads %s: %.*s\n",
		    rc != 0 ? "as an error" : "differently", (int)(len > 300 ? 300 : len), body);
		ok = 0;
	}
	arena_free(&a);
	return ok ? took : -1;
}

static void test_stream(void)
{
	static const char *const taken[] = {
		"{\"values\":{\"temp\":21.5}}",
		"{\"ts\":1794999000000,\"id\":\"r-1\",\"values\":{\"temp\":21.5,\"rh\":40}}",
		" {\r\n\t\"values\" : { \"a\" : -0.0 , \"b\" : 1e3, \"c\": 1E-3, \"d\": 0.30000000000000004 } } \n",
		"{\"values\":{\"x\":123456789012345678}}",
		"{\"values\":{\"x\":1234567890123456.7, \"y\": 0.000001, \"z\": 5e-300}}",
		"{\"readings\":[{\"values\":{\"t\":1}},{\"ts\":\"2026-11-18T08:00:00Z\",\"values\":{\"t\":2}}]}",
		"{\"values\":{\"t\":1},\"ts\":\"2026-11-18T09:00:00.123+01:00\"}",
		"{\"id\":\"!~#{}[]:,\",\"values\":{\"Z9_\":-7}}",
	};
	static const char *const declined[] = {
		"", "{}", "[]", "{\"values\":{}}", "{\"values\":{\"t\":1}} x", "{\"values\":{\"t\":1},}",
		"{\"values\":{\"t\":\"1\"}}", "{\"values\":{\"t\":01}}", "{\"values\":{\"t\":-0}}",
		"{\"values\":{\"t\":1e999}}", "{\"values\":{\"t\":5e-324}}", "{\"values\":{\"t\":1234567890123456789}}",
		"{\"values\":{\"t\":1,\"t\":2}}", "{\"values\":{\"t\":1},\"values\":{\"u\":1}}",
		"{\"values\":{\"t\\u0041\":1}}", "{\"id\":\"a b\",\"values\":{\"t\":1}}",
		"{\"id\":\"\",\"values\":{\"t\":1}}", "{\"id\":\"caf\xc3\xa9\",\"values\":{\"t\":1}}",
		"{\"ts\":1.5e12,\"values\":{\"t\":1}}", "{\"ts\":1,\"values\":{\"t\":1}}",
		"{\"ts\":99999999999999,\"values\":{\"t\":1}}", "{\"readings\":[]}",
		"{\"readings\":[{\"values\":{\"t\":1}}],\"x\":1}", "{\"valuse\":{\"t\":1}}",
		"{\"values\":{\"1t\":1}}", "\xef\xbb\xbf{\"values\":{\"t\":1}}", "{\"values\":{\"t\":1}}\v",
	};
	char body[4096];
	int ok = 1;

	for (size_t i = 0; i < sizeof(taken) / sizeof(taken[0]); i++)
		CHECK(stream_agrees(taken[i], strlen(taken[i]), TS_UNIT_MS) == 1, taken[i]);
	for (size_t i = 0; i < sizeof(declined) / sizeof(declined[0]); i++)
		CHECK(stream_agrees(declined[i], strlen(declined[i]), TS_UNIT_MS) == 0, declined[i]);
	CHECK(stream_agrees("{\"ts\":1794999000,\"values\":{\"t\":1}}", 34, TS_UNIT_S) == 1,
	    "epoch seconds with precision=s");
	CHECK(stream_agrees("{\"values\":{\"t\":1}}\0", 20, TS_UNIT_MS) == 0, "a NUL after the body");
	/* Every prefix and every single-byte change of a batch: whatever the
	 * reader still takes, json-c takes as the same readings. */
	{
		const char *base = "{\"readings\":[{\"ts\":1794999000000,\"id\":\"a1\",\"values\":{\"temp\":21.5,"
		    "\"rh\":-40}},{\"ts\":\"2026-11-18T08:00:00.5Z\",\"values\":{\"p\":1013.25e0}}]}";
		static const char alphabet[] = "{}[]\":,.-+eE0123456789 \t\nabtsvx\\\x01\x80";
		size_t n = strlen(base);

		for (size_t cut = 0; cut <= n && ok; cut++)
			ok = stream_agrees(base, cut, TS_UNIT_MS) >= 0;
		for (size_t at = 0; at < n && ok; at++)
			for (size_t c = 0; c < sizeof(alphabet) - 1 && ok; c++) {
				memcpy(body, base, n);
				body[at] = alphabet[c];
				ok = stream_agrees(body, n, TS_UNIT_MS) >= 0;
			}
		CHECK(ok, "prefixes and one-byte changes of a batch: taken only as json-c reads them");
	}
	/* Random plain readings, numbers of every shape. */
	for (int i = 0; i < 20000 && ok; i++) {
		size_t o = 0;
		int nv = 1 + (int)rs_rand(4);

		o += (size_t)snprintf(body + o, sizeof(body) - o, "{\"values\":{");
		for (int j = 0; j < nv; j++) {
			static const char *const shapes[] = { "%s\"c%d\":%d", "%s\"c%d\":%d.%u", "%s\"c%d\":%de%d",
				"%s\"c%d\":%d.%uE-%d" };
			int shape = (int)rs_rand(4), whole = (int)rs_rand(2000001) - 1000000;

			o += (size_t)snprintf(body + o, sizeof(body) - o, shapes[shape], j ? "," : "", j, whole,
			    rs_rand(1000000000), (int)rs_rand(40));
		}
		o += (size_t)snprintf(body + o, sizeof(body) - o, "}}");
		ok = stream_agrees(body, o, TS_UNIT_MS) >= 0;
	}
	CHECK(ok, "random plain readings: taken only as json-c reads them");
}

int main(void)
{
	test_stream();
	test_single();
	test_seconds();
	test_refusals();
	test_big_integer_kept();
	test_batch_limit();
	test_form();
	return check_done("test_reading");
}
