/*
 * test_readings_out.c - a page of readings streamed as text says exactly
 * what the json-c tree it replaced said: api_json_put_string() escapes as
 * json-c does (every byte value, random strings), and readings_json_write()
 * writes readings_json()'s bytes for readings with and without ids, odd
 * ids, many channels, integer and extreme values.
 */
#include <json-c/json.h>
#include <json-c/printbuf.h>
#include <mongoc/mongoc.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "api_json.h"
#include "check.h"
#include "readings_out.h"

static uint64_t rng_state = 42;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static const int plain = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE;

static int escape_same(const char *s)
{
	struct printbuf *pb = printbuf_new();
	struct json_object *o = json_object_new_string(s);
	const char *want = json_object_to_json_string_ext(o, plain);
	int ok = api_json_put_string(pb, s) == 0 && strcmp(pb->buf, want) == 0;

	if (!ok)
		fprintf(stderr, "     escape: got %s, want %s\n", pb->buf, want);
	json_object_put(o);
	printbuf_free(pb);
	return ok;
}

static void test_escape(void)
{
	static const char *const listed[] = { "", "plain", "dev_O8UC9KC9qXbvEomN", "a\"b", "back\\slash",
		"/slashes/stay/", "tab\there", "nl\ncr\r", "\b\f", "\x01\x1f\x7f", "caf\xc3\xa9 \xe2\x82\xac",
		"\"\"\"", "end\\" };
	char s[64];
	int ok = 1;

	for (size_t i = 0; i < sizeof(listed) / sizeof(listed[0]); i++)
		CHECK(escape_same(listed[i]), listed[i]);
	for (int c = 1; c < 256 && ok; c++) {
		snprintf(s, sizeof(s), "x%cy", c);
		ok = escape_same(s) && escape_same(s + 1);
	}
	CHECK(ok, "every single byte is escaped as json-c escapes it");
	for (int i = 0; i < 20000 && ok; i++) {
		size_t n = rng() % 40;

		for (size_t j = 0; j < n; j++)
			s[j] = (char)(rng() % 255 + 1);
		s[n] = '\0';
		ok = escape_same(s);
	}
	CHECK(ok, "random strings are escaped as json-c escapes them");
}

static int reading_same(const bson_t *doc)
{
	struct printbuf *pb = printbuf_new();
	struct json_object *o = readings_json(doc);
	const char *want = json_object_to_json_string_ext(o, plain);
	int ok = readings_json_write(pb, doc) == 0 && strcmp(pb->buf, want) == 0;

	if (!ok)
		fprintf(stderr, "     reading: got %s\n              want %s\n", pb->buf, want);
	json_object_put(o);
	printbuf_free(pb);
	return ok;
}

static void doc_init(bson_t *doc, long long t, const char *id)
{
	bson_oid_t oid;

	bson_init(doc);
	bson_oid_init(&oid, NULL);
	BSON_APPEND_OID(doc, "_id", &oid);
	BSON_APPEND_INT64(doc, "d", 7);
	BSON_APPEND_DATE_TIME(doc, "t", t);
	BSON_APPEND_DATE_TIME(doc, "r", t + 1234);
	if (id != NULL)
		BSON_APPEND_UTF8(doc, "c", id);
}

static void test_reading(void)
{
	static const char *const ids[] = { NULL, "r-1", "quote\"and\\back", "ctl\x01", "\xc3\xa9t\xc3\xa9" };
	static const double vals[] = { 21.5, -3.25, 0, 1e300, 5e-324, 0.1 + 0.2, 1013, -0.0, 1e15, 1e-5 };
	bson_t doc, v;
	int ok = 1;

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		doc_init(&doc, 1795543200123LL, ids[i]);
		BSON_APPEND_DOCUMENT_BEGIN(&doc, "v", &v);
		for (size_t j = 0; j < sizeof(vals) / sizeof(vals[0]); j++) {
			char name[16];

			snprintf(name, sizeof(name), "ch%zu", j);
			BSON_APPEND_DOUBLE(&v, name, vals[j]);
		}
		BSON_APPEND_INT32(&v, "i32", 42);
		BSON_APPEND_INT64(&v, "i64", -9007199254740993LL);
		BSON_APPEND_UTF8(&v, "text", "not a number: left out");
		bson_append_document_end(&doc, &v);
		CHECK(reading_same(&doc), "a reading with listed ids and values");
		bson_destroy(&doc);
	}
	{
		char longid[1500];

		memset(longid, 'x', sizeof(longid) - 1);    /* longer than a line: written in pieces */
		longid[sizeof(longid) - 1] = '\0';
		longid[700] = '"';
		doc_init(&doc, 0, longid + 1000);
		BSON_APPEND_DOCUMENT_BEGIN(&doc, "v", &v);
		BSON_APPEND_DOUBLE(&v, longid + 600, 1.5);
		BSON_APPEND_DOUBLE(&v, longid + 100, 2.5);
		bson_append_document_end(&doc, &v);
		CHECK(reading_same(&doc), "a reading with a long id and long channel names");
		bson_destroy(&doc);
	}
	doc_init(&doc, 0, NULL);    /* no values at all */
	CHECK(reading_same(&doc), "a reading without values");
	bson_destroy(&doc);
	doc_init(&doc, -1, "x");    /* an empty values document, a time before 1970 */
	BSON_APPEND_DOCUMENT_BEGIN(&doc, "v", &v);
	bson_append_document_end(&doc, &v);
	CHECK(reading_same(&doc), "a reading with an empty values document");
	bson_destroy(&doc);
	for (int i = 0; i < 3000 && ok; i++) {
		int n = (int)(rng() % 33);
		uint64_t bits;
		double x;

		doc_init(&doc, (long long)(rng() % 4102444800000ULL), rng() % 2 ? "id" : NULL);
		BSON_APPEND_DOCUMENT_BEGIN(&doc, "v", &v);
		for (int j = 0; j < n; j++) {
			char name[16];

			snprintf(name, sizeof(name), "c_%d", j);
			bits = rng();
			memcpy(&x, &bits, sizeof(x));
			if (rng() % 2)
				x = (double)(long long)(rng() % 200000 - 100000) / 100;
			if (x == x)     /* NaN is no value a reading can hold */
				BSON_APPEND_DOUBLE(&v, name, x);
		}
		bson_append_document_end(&doc, &v);
		ok = reading_same(&doc);
		bson_destroy(&doc);
	}
	CHECK(ok, "random readings are written as readings_json writes them");
}

int main(void)
{
	test_escape();
	test_reading();
	return check_done("test_readings_out");
}
