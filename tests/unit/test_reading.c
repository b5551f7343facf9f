/*
 * test_reading.c - what a device may send: timestamps, channels, values,
 * ids, batches; and that one bad reading refuses the whole batch, naming it.
 */
#include <stdio.h>
#include <stdlib.h>

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

int main(void)
{
	test_single();
	test_seconds();
	test_refusals();
	test_big_integer_kept();
	test_batch_limit();
	test_form();
	return check_done("test_reading");
}
