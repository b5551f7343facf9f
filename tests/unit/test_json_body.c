/*
 * test_json_body.c - the one JSON body parser: what it accepts, what it
 * refuses and with which status, and where its error points.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "json_body.h"

static const struct {
	int line;
	const char *body;
	size_t len;                 /* 0: strlen(body) */
	int status;                 /* 0: accepted */
	const char *pointer;
} cases[] = {
	{ __LINE__, "{\"a\":1}", 0, 0, NULL },
	{ __LINE__, "  {\"a\":[1,2,{\"b\":null}]}  \r\n\t", 0, 0, NULL },
	{ __LINE__, "{\"a\":\"x\\u00e9\\\"\"}", 0, 0, NULL },
	{ __LINE__, "{\"a\":18446744073709551615,\"b\":-9223372036854775808}", 0, 0, NULL },
	{ __LINE__, "{\"a\":1e308,\"b\":-0.0,\"c\":1e-400}", 0, 0, NULL },
	{ __LINE__, "{\"a\":{\"b\":1},\"c\":{\"b\":2}}", 0, 0, NULL },
	{ __LINE__, "[]", 0, 0, NULL },
	{ __LINE__, "149", 0, 0, NULL },           /* a bare number ends with the body */
	{ __LINE__, "149\t", 0, 0, NULL },
	{ __LINE__, "-", 0, 400, NULL },
	/* trailing bytes, loose syntax */
	{ __LINE__, "{\"grace_seconds\":0}zzz", 0, 400, NULL },
	{ __LINE__, "{\"a\":1}{}", 0, 400, NULL },
	{ __LINE__, "{\"a\":1}\0", 8, 400, NULL },
	{ __LINE__, "{'a':1}", 0, 400, NULL },
	{ __LINE__, "{'])}\r=\r\r':0}", 0, 400, NULL },   /* found by fuzz_json_body */
	{ __LINE__, "['a']", 0, 400, NULL },
	{ __LINE__, "{\"a\":1,}", 0, 400, NULL },
	{ __LINE__, "{\"a\":01}", 0, 400, NULL },
	{ __LINE__, "{\"a\":NaN}", 0, 400, NULL },
	{ __LINE__, "{\"a\":-Infinity}", 0, 400, NULL },
	{ __LINE__, "{\"a\":[Infinity]}", 0, 400, NULL },
	{ __LINE__, "{\"a\":[true,false,null]}", 0, 0, NULL },
	{ __LINE__, "{\"a\":1 /* c */}", 0, 400, NULL },
	{ __LINE__, "{\"a\":\"x\ty\"}", 0, 400, NULL },
	{ __LINE__, "{\"a\":\"\xff\"}", 0, 400, NULL },
	{ __LINE__, "{\"a\":", 0, 400, NULL },
	{ __LINE__, "", 0, 400, NULL },
	{ __LINE__, "[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]", 0, 400, NULL },
	/* duplicate keys, wherever they are, however they are spelt */
	{ __LINE__, "{\"id\":\"a\",\"id\":\"b\"}", 0, 400, "" },
	{ __LINE__, "{\"v\":{\"t\":1,\"t\":2}}", 0, 400, "/v" },
	{ __LINE__, "{\"r\":[{\"x\":1},{\"a\":1,\"\\u0061\":2}]}", 0, 400, "/r/1" },
	{ __LINE__, "{\"a\":{\"x\":1,\"y\":2},\"a\":{\"z\":3}}", 0, 400, "" },
	/* NUL in keys and values */
	{ __LINE__, "{\"values\":{\"te\\u0000mp\":1}}", 0, 422, "/values/te\\u0000mp" },
	{ __LINE__, "{\"values\":{\"t\\u0000a\":1,\"t\\u0000b\":2}}", 0, 422, "/values/t\\u0000a" },
	{ __LINE__, "{\"id\":\"a\\u0000zzz\"}", 0, 422, "/id" },
	{ __LINE__, "{\"l\":[\"ok\",\"\\u0000\"]}", 0, 422, "/l/1" },
	/* numbers that cannot be kept as written */
	{ __LINE__, "{\"v\":{\"t\":18446744073709551616}}", 0, 422, "/v/t" },
	{ __LINE__, "{\"v\":-9223372036854775809}", 0, 422, "/v" },
	{ __LINE__, "{\"a/b~\":1e400}", 0, 422, "/a~1b~0" },
};

static void test_table(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct json_object *o = NULL;
		struct json_body_error err;
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].body);
		int rc = json_body_parse(cases[i].body, len, &o, &err);
		char what[160];

		snprintf(what, sizeof(what), "line %d: %s", cases[i].line,
		    cases[i].status ? "refused with the right status" : "accepted");
		CHECK(cases[i].status == 0 ? rc == 0 && o != NULL :
		    rc == -1 && o == NULL && err.status == cases[i].status, what);
		if (rc != 0 && cases[i].status == 0)
			fprintf(stderr, "     %s\n", err.message);
		if (cases[i].pointer != NULL && rc != 0) {
			snprintf(what, sizeof(what), "line %d: the error points at the value", cases[i].line);
			CHECK_STR(err.pointer, cases[i].pointer, what);
		}
		json_object_put(o);
	}
}

static void test_values_kept(void)
{
	struct json_object *o = NULL, *v;
	struct json_body_error err;
	const char *body = "{\"big\":18446744073709551615,\"s\":\"caf\\u00e9\"}";

	CHECK(json_body_parse(body, strlen(body), &o, &err) == 0, "a document with a uint64 parses");
	CHECK(json_object_object_get_ex(o, "big", &v) && json_object_get_double(v) == 18446744073709551615.0,
	    "the largest unsigned 64-bit integer keeps its value");
	CHECK(json_object_object_get_ex(o, "s", &v) && strcmp(json_object_get_string(v), "caf\xc3\xa9") == 0,
	    "escapes are decoded");
	json_object_put(o);
}

static void test_pointer(void)
{
	char p[8] = "";

	CHECK(json_pointer_append(p, sizeof(p), "a/b", 3) == 0, "a token fits");
	CHECK_STR(p, "/a~1b", "'/' in a token is escaped as ~1");
	CHECK(json_pointer_append(p, sizeof(p), "xyz", 3) == -1, "a token that does not fit is refused");
	CHECK_STR(p, "/a~1b", "and leaves the pointer as it was");
}

int main(void)
{
	test_table();
	test_values_kept();
	test_pointer();
	return check_done("test_json_body");
}
