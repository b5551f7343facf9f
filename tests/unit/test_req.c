/*
 * test_req.c - request parsing and validation, as a specification: every
 * malformed input is refused with the right status and code, every good
 * one comes out decoded.
 */
#include <stdlib.h>

#include "check.h"
#include "req.h"

struct body {
	const char *data;
	size_t len, pos, chunk;     /* chunk: at most this many bytes a read */
};

static long body_read(void *ctx, char *buf, size_t n)
{
	struct body *b = ctx;
	size_t left = b->len - b->pos;

	if (n > left)
		n = left;
	if (b->chunk > 0 && n > b->chunk)
		n = b->chunk;
	memcpy(buf, b->data + b->pos, n);
	b->pos += n;
	return (long)n;
}

/* Parses a request made of env lines and a body; returns the status. */
static int parse(struct req *r, struct req_error *err, const char **env,
    const char *body, size_t max_body)
{
	struct body b = { body ? body : "", body ? strlen(body) : 0, 0, 3 };

	err->status = 0;
	if (req_parse(r, (char *const *)env, body_read, &b, max_body, NULL, err) == 0)
		return 200;
	return err->status;
}

#define ENV(...) ((const char *[]){ __VA_ARGS__, NULL })

static void test_good_get(void)
{
	struct req r;
	struct req_error err;
	int st = parse(&r, &err, ENV("REQUEST_METHOD=GET",
	    "REQUEST_URI=/api/v1/devices/dev%5Fx/readings?from=2026-01-01T00%3A00%3A00Z&channels=temp+rh&limit=10",
	    "HTTPS=on", "REMOTE_ADDR=192.0.2.7", "HTTP_ACCEPT=application/json",
	    "HTTP_X_CUSTOM_THING=a\tb", "HTTP_COOKIE=sid=abc; theme=dark;  junk; =x"), NULL, 1024);

	CHECK(st == 200, "a well-formed GET parses");
	CHECK(r.method == METHOD_GET, "method GET is recognised");
	CHECK_STR(r.path, "/api/v1/devices/dev_x/readings", "path is percent-decoded");
	CHECK_STR(r.raw_path, "/api/v1/devices/dev%5Fx/readings", "raw path kept for logs");
	CHECK_STR(req_param(&r, "from"), "2026-01-01T00:00:00Z", "query value is decoded");
	CHECK_STR(req_param(&r, "channels"), "temp rh", "'+' in a query is a space");
	CHECK_STR(req_param(&r, "limit"), "10", "plain query value");
	CHECK(req_param(&r, "missing") == NULL, "absent parameter is NULL");
	CHECK(r.https, "HTTPS=on sets the https flag");
	CHECK_STR(r.remote_addr, "192.0.2.7", "client address kept");
	CHECK_STR(req_header(&r, "accept"), "application/json", "header names are lower-case");
	CHECK_STR(req_header(&r, "x-custom-thing"), "a\tb", "underscores become dashes, tab allowed");
	CHECK_STR(req_cookie(&r, "sid"), "abc", "first cookie");
	CHECK_STR(req_cookie(&r, "theme"), "dark", "second cookie");
	CHECK(req_cookie(&r, "junk") == NULL, "a cookie without '=' is ignored, not fatal");
	CHECK(r.body_len == 0 && r.body != NULL && r.body[0] == '\0', "no body is an empty body");
	CHECK(strlen(r.id) == 16, "every request gets a 16-hex-digit id");
	req_free(&r);
}

static void test_body(void)
{
	struct req r;
	struct req_error err;
	int st = parse(&r, &err, ENV("REQUEST_METHOD=POST", "REQUEST_URI=/x",
	    "CONTENT_LENGTH=11", "CONTENT_TYPE=Application/JSON; charset=utf-8"),
	    "{\"a\":12345}", 1024);

	CHECK(st == 200, "a POST with a body parses");
	CHECK(r.body_len == 11 && strcmp(r.body, "{\"a\":12345}") == 0, "body read whole across short reads");
	CHECK_STR(r.content_type, "application/json", "content type is the lower-case media type");
	CHECK(!r.https, "no HTTPS variable means plain HTTP");
	req_free(&r);

	st = parse(&r, &err, ENV("REQUEST_METHOD=POST", "REQUEST_URI=/x", "CONTENT_LENGTH=2048"), "", 1024);
	CHECK(st == 413 && strcmp(err.code, "body_too_large") == 0, "body over the cap is 413 before reading");
	req_free(&r);
	st = parse(&r, &err, ENV("REQUEST_METHOD=POST", "REQUEST_URI=/x",
	    "CONTENT_LENGTH=99999999999999999999999"), "", 1024);
	CHECK(st == 413, "an absurd Content-Length is 413, not an overflow");
	req_free(&r);
	st = parse(&r, &err, ENV("REQUEST_METHOD=POST", "REQUEST_URI=/x", "CONTENT_LENGTH=1024"), "abc", 1024);
	CHECK(st == 400 && strcmp(err.code, "incomplete_body") == 0, "a body shorter than announced is 400");
	req_free(&r);
	st = parse(&r, &err, ENV("REQUEST_METHOD=POST", "REQUEST_URI=/x", "CONTENT_LENGTH=10"), "0123456789", 10);
	CHECK(st == 200 && r.body_len == 10, "a body exactly at the cap is accepted");
	req_free(&r);
	st = parse(&r, &err, ENV("REQUEST_METHOD=POST", "REQUEST_URI=/x", "CONTENT_LENGTH=+5"), "hello", 1024);
	CHECK(st == 400 && strcmp(err.code, "bad_content_length") == 0, "a signed Content-Length is 400");
	req_free(&r);
	st = parse(&r, &err, ENV("REQUEST_METHOD=POST", "REQUEST_URI=/x", "CONTENT_LENGTH=5 "), "hello", 1024);
	CHECK(st == 400, "trailing space in Content-Length is 400");
	req_free(&r);
	st = parse(&r, &err, ENV("REQUEST_METHOD=POST", "REQUEST_URI=/x", "CONTENT_LENGTH="), "", 1024);
	CHECK(st == 200 && r.body_len == 0, "an empty Content-Length with no body is an empty body");
	req_free(&r);
	st = parse(&r, &err, ENV("REQUEST_METHOD=POST", "REQUEST_URI=/x"), "streamed body", 1024);
	CHECK(st == 200 && r.body_len == 13 && strcmp(r.body, "streamed body") == 0,
	    "without Content-Length the body is read to the end of the stream");
	req_free(&r);
	{
		char *big = malloc(5001);

		memset(big, 'b', 5000);
		big[5000] = '\0';
		st = parse(&r, &err, ENV("REQUEST_METHOD=POST", "REQUEST_URI=/x"), big, 4999);
		CHECK(st == 413, "a streamed body over the cap is 413");
		req_free(&r);
		st = parse(&r, &err, ENV("REQUEST_METHOD=POST", "REQUEST_URI=/x"), big, 5000);
		CHECK(st == 200 && r.body_len == 5000, "a streamed body at the cap is whole");
		req_free(&r);
		free(big);
	}
}

static void test_methods(void)
{
	static const struct { const char *env; int status; } cases[] = {
		{ "REQUEST_METHOD=DELETE", 200 },
		{ "REQUEST_METHOD=HEAD", 200 },
		{ "REQUEST_METHOD=OPTIONS", 200 },
		{ "REQUEST_METHOD=get", 400 },          /* methods are case-sensitive */
		{ "REQUEST_METHOD=G T", 400 },
		{ "REQUEST_METHOD=", 400 },
		{ "REQUEST_METHOD=TRACE", 501 },
		{ "REQUEST_METHOD=PROPFIND", 501 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct req r;
		struct req_error err;
		int st = parse(&r, &err, ENV(cases[i].env, "REQUEST_URI=/"), NULL, 10);

		CHECK(st == cases[i].status, cases[i].env);
		req_free(&r);
	}
	{
		struct req r;
		struct req_error err;
		int st = parse(&r, &err, ENV("REQUEST_URI=/"), NULL, 10);

		CHECK(st == 400, "a request without a method is 400");
		req_free(&r);
	}
}

static void test_paths(void)
{
	static const struct { const char *uri; int status; const char *code; } cases[] = {
		{ "REQUEST_URI=/a%2", 400, "bad_encoding" },        /* truncated escape */
		{ "REQUEST_URI=/a%", 400, "bad_encoding" },
		{ "REQUEST_URI=/a%zz", 400, "bad_encoding" },       /* not hex */
		{ "REQUEST_URI=/a%00b", 400, "bad_encoding" },      /* decoded NUL */
		{ "REQUEST_URI=/a/../etc/passwd", 400, "bad_path" },
		{ "REQUEST_URI=/a/%2e%2e/b", 400, "bad_path" },     /* encoded dot segment */
		{ "REQUEST_URI=/a/.", 400, "bad_path" },
		{ "REQUEST_URI=/a/..", 400, "bad_path" },
		{ "REQUEST_URI=relative", 400, "bad_request" },
		{ "REQUEST_URI=", 400, "bad_request" },
		{ "REQUEST_URI=/?a=%G1", 400, "bad_query" },
		{ "REQUEST_URI=/?a=1&%00=2", 400, "bad_query" },
		{ "REQUEST_URI=/?=novalue", 400, "bad_query" },     /* empty parameter name */
		{ "REQUEST_URI=/?next=/a&next=/b", 400, "bad_param" }, /* a parameter given twice */
		{ "REQUEST_URI=/.well-known/x", 200, NULL },        /* dots inside a name are fine */
		{ "REQUEST_URI=/a/..b/c", 200, NULL },
		{ "REQUEST_URI=/?a&&b=", 200, NULL },               /* empty pairs and values are fine */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct req r;
		struct req_error err;
		int st = parse(&r, &err, ENV("REQUEST_METHOD=GET", cases[i].uri), NULL, 10);

		CHECK(st == cases[i].status, cases[i].uri);
		if (cases[i].code != NULL && st != 200)
			CHECK_STR(err.code, cases[i].code, cases[i].uri);
		req_free(&r);
	}
}

static void test_limits(void)
{
	char *uri = malloc(REQ_MAX_URI + 32), *q = malloc(REQ_MAX_URI);
	struct req r;
	struct req_error err;
	size_t n;
	int st;

	strcpy(uri, "REQUEST_URI=/");
	memset(uri + 13, 'a', REQ_MAX_URI + 1);
	uri[13 + REQ_MAX_URI + 1] = '\0';
	st = parse(&r, &err, ENV("REQUEST_METHOD=GET", uri), NULL, 10);
	CHECK(st == 414, "a URI longer than the limit is 414");
	req_free(&r);

	strcpy(q, "REQUEST_URI=/?");
	n = strlen(q);
	for (int i = 0; i <= REQ_MAX_PARAMS; i++)
		n += (size_t)sprintf(q + n, "p%d=1&", i);
	st = parse(&r, &err, ENV("REQUEST_METHOD=GET", q), NULL, 10);
	CHECK(st == 400, "more query parameters than the limit is 400");
	req_free(&r);
	free(uri);
	free(q);
}

static void test_headers(void)
{
	struct req r;
	struct req_error err;
	int st = parse(&r, &err, ENV("REQUEST_METHOD=GET", "REQUEST_URI=/",
	    "HTTP_X_EVIL=a\rb"), NULL, 10);

	CHECK(st == 400 && strcmp(err.code, "bad_header") == 0, "a header with CR is 400");
	req_free(&r);
	st = parse(&r, &err, ENV("REQUEST_METHOD=GET", "REQUEST_URI=/", "HTTP_X=\x7f"), NULL, 10);
	CHECK(st == 400, "a header with DEL is 400");
	req_free(&r);
	st = parse(&r, &err, ENV("REQUEST_METHOD=GET", "REQUEST_URI=/", "HTTP_X_UTF8=caf\xc3\xa9",
	    "HTTP_=x", "REMOTE_ADDR=not-an-ip"), NULL, 10);
	CHECK(st == 200, "UTF-8 in a header value is accepted; an unnamed header is ignored");
	CHECK_STR(r.remote_addr, "unknown", "an invalid REMOTE_ADDR is recorded as unknown");
	req_free(&r);
	st = parse(&r, &err, ENV("REQUEST_METHOD=GET", "REQUEST_URI=/", "REMOTE_ADDR=2001:db8::1",
	    "HTTPS=ON"), NULL, 10);
	CHECK_STR(r.remote_addr, "2001:db8::1", "an IPv6 client address is kept");
	CHECK(r.https, "HTTPS=ON (any case) sets the https flag");
	req_free(&r);
	st = parse(&r, &err, ENV("REQUEST_METHOD=GET", "REQUEST_URI=/", "HTTPS=off"), NULL, 10);
	CHECK(!r.https, "HTTPS=off is plain HTTP");
	req_free(&r);
}

static void test_pct_decode(void)
{
	char out[32];

	CHECK(req_pct_decode("a%41b", 5, out, 0) == 3 && strcmp(out, "aAb") == 0, "%41 decodes to A");
	CHECK(req_pct_decode("a+b", 3, out, 0) == 3 && strcmp(out, "a+b") == 0, "'+' stays '+' in paths");
	CHECK(req_pct_decode("a%2Bb", 5, out, 1) == 3 && strcmp(out, "a+b") == 0, "%2B is '+' in queries");
	CHECK(req_pct_decode("%e2%82%ac", 9, out, 0) == 3, "multi-byte UTF-8 escapes decode");
	CHECK(req_pct_decode("%4", 2, out, 0) == -1, "a truncated escape fails");
}

static void test_repeated_fields(void)
{
	struct arena a;
	struct kvlist l = { 0 };
	const char *body = "temp=1&api_key=k1&rh=2&api_key=k2";
	struct req r;
	struct req_error err;

	arena_init(&a);
	CHECK(req_parse_urlencoded(&a, body, strlen(body), &l) == 0, "a form with a repeated field parses");
	CHECK_STR(kv_first_repeat(&l), "api_key", "and the repeated field is named, never read first-wins");
	l.n = 0;
	body = "a=1&b=2&A=3";
	req_parse_urlencoded(&a, body, strlen(body), &l);
	CHECK(kv_first_repeat(&l) == NULL, "names differing in case are different fields");
	arena_free(&a);
	CHECK(parse(&r, &err, ENV("REQUEST_METHOD=GET", "REQUEST_URI=/x?from=1&limit=2&from=3"), NULL, 10) == 400 &&
	    strncmp(err.message, "from:", 5) == 0, "a repeated query parameter is 400 naming it");
	req_free(&r);
}

/* The media type is named once, and a form body is parsed once, here;
 * a bad form is recorded, never refused: its caller answers it. */
static void test_media_and_form(void)
{
	struct req r;
	struct req_error err;
	const char *form = "CONTENT_TYPE=application/x-www-form-urlencoded; charset=utf-8";

	CHECK(parse(&r, &err, ENV("REQUEST_METHOD=POST", "REQUEST_URI=/x", form), "temp=21.5&api_key=k",
	    1024) == 200 && r.media == MEDIA_FORM && r.form_status == FORM_OK, "a form body parses");
	CHECK_STR(kv_get(&r.form, "temp"), "21.5", "and its fields are in r.form");
	req_free(&r);
	CHECK(parse(&r, &err, ENV("REQUEST_METHOD=POST", "REQUEST_URI=/x", form), "a=%zz", 1024) == 200 &&
	    r.form_status == FORM_MALFORMED && r.form.n == 0, "a malformed form is recorded, not refused");
	req_free(&r);
	CHECK(parse(&r, &err, ENV("REQUEST_METHOD=POST", "REQUEST_URI=/x", form), "a=1&a=2", 1024) == 200 &&
	    r.form_status == FORM_REPEATED && strcmp(r.form_repeat, "a") == 0, "a repeated field is named");
	req_free(&r);
	CHECK(parse(&r, &err, ENV("REQUEST_METHOD=POST", "REQUEST_URI=/x", "CONTENT_TYPE=Application/JSON"),
	    "a=1", 1024) == 200 && r.media == MEDIA_JSON && r.form.n == 0, "JSON is named and not read as a form");
	req_free(&r);
	CHECK(parse(&r, &err, ENV("REQUEST_METHOD=POST", "REQUEST_URI=/x", "CONTENT_TYPE=text/plain"),
	    "a=1", 1024) == 200 && r.media == MEDIA_OTHER && r.form.n == 0, "another type is MEDIA_OTHER");
	req_free(&r);
	CHECK(parse(&r, &err, ENV("REQUEST_METHOD=GET", "REQUEST_URI=/x"), NULL, 1024) == 200 &&
	    r.media == MEDIA_NONE && r.form_status == FORM_OK, "no Content-Type is MEDIA_NONE");
	req_free(&r);
}

static void test_api_errors_before_routing(void)
{
	struct req r;
	struct req_error err;

	CHECK(parse(&r, &err, ENV("REQUEST_METHOD=GET", "REQUEST_URI=/api/v1/devices/..%2f/readings"), NULL, 10) == 400 &&
	    strncmp(r.raw_path, "/api/", 5) == 0, "a refused API path keeps its raw path, so its error is JSON");
	req_free(&r);
	CHECK(parse(&r, &err, ENV("REQUEST_METHOD=BREW", "REQUEST_URI=/api/v1/devices"), NULL, 10) == 501 &&
	    strcmp(r.raw_path, "/api/v1/devices") == 0, "an unknown method on an API path too");
	req_free(&r);
}

int main(void)
{
	test_repeated_fields();
	test_media_and_form();
	test_api_errors_before_routing();
	test_good_get();
	test_body();
	test_methods();
	test_paths();
	test_limits();
	test_headers();
	test_pct_decode();
	return check_done("test_req");
}
