/*
 * test_http.c - routing and responses: the route table answers 404/405
 * correctly, and every response carries the security headers and the
 * uniform error shape.
 */
#include <json-c/json.h>
#include <stdlib.h>

#include "check.h"
#include "page.h"
#include "req.h"
#include "resp.h"
#include "route.h"
#include "tmpl.h"

struct buf {
	char data[65536];
	size_t len;
};

static int buf_write(void *ctx, const char *s, size_t n)
{
	struct buf *b = ctx;

	if (b->len + n >= sizeof(b->data))
		return -1;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

static int h_one(struct app *a, struct req *r, struct resp *rs, const struct route_match *m)
{
	(void)a; (void)r; (void)rs; (void)m;
	return 1;
}

static int h_two(struct app *a, struct req *r, struct resp *rs, const struct route_match *m)
{
	(void)a; (void)r; (void)rs; (void)m;
	return 2;
}

static const struct route table[] = {
	{ METHOD_GET | METHOD_POST, "/api/v1/devices/{device}/readings", h_one },
	{ METHOD_GET, "/api/v1/devices/{device}", h_two },
	{ METHOD_DELETE, "/api/v1/devices/{device}/readings", h_two },
};

static void make_req(struct req *r, const char *method, const char *uri, const char *accept)
{
	const char *env[] = { method, uri, accept, NULL };
	struct req_error err;

	if (req_parse(r, (char *const *)env, NULL, NULL, 0, NULL, &err) != 0)
		abort();
}

static void test_routes(void)
{
	struct route_match m;
	unsigned allowed;
	struct req r;
	const struct route *rt;
	char allow[64];

	make_req(&r, "REQUEST_METHOD=GET", "REQUEST_URI=/api/v1/devices/dev_abc/readings", NULL);
	rt = route_find(table, 3, &r, &m, &allowed);
	CHECK(rt != NULL && rt->fn == h_one, "GET readings routes to its handler");
	CHECK(m.nparams == 1 && strcmp(m.params[0], "dev_abc") == 0, "the {device} segment is captured");
	req_free(&r);

	make_req(&r, "REQUEST_METHOD=DELETE", "REQUEST_URI=/api/v1/devices/d1/readings", NULL);
	rt = route_find(table, 3, &r, &m, &allowed);
	CHECK(rt != NULL && rt->fn == h_two, "the same path routes by method");
	req_free(&r);

	make_req(&r, "REQUEST_METHOD=HEAD", "REQUEST_URI=/api/v1/devices/d1", NULL);
	CHECK(route_find(table, 3, &r, &m, &allowed) != NULL, "HEAD is answered wherever GET is");
	req_free(&r);

	make_req(&r, "REQUEST_METHOD=PUT", "REQUEST_URI=/api/v1/devices/d1/readings", NULL);
	CHECK(route_find(table, 3, &r, &m, &allowed) == NULL, "PUT on readings has no route");
	route_allow_header(allowed, allow, sizeof(allow));
	CHECK_STR(allow, "GET, HEAD, POST, DELETE", "405 lists every method the path accepts");
	req_free(&r);

	make_req(&r, "REQUEST_METHOD=GET", "REQUEST_URI=/api/v1/devices//readings", NULL);
	CHECK(route_find(table, 3, &r, &m, &allowed) == NULL && allowed == 0, "an empty capture does not match");
	req_free(&r);
	make_req(&r, "REQUEST_METHOD=GET", "REQUEST_URI=/api/v1/devices/a/b/readings", NULL);
	CHECK(route_find(table, 3, &r, &m, &allowed) == NULL && allowed == 0, "a capture never spans '/'");
	req_free(&r);
	make_req(&r, "REQUEST_METHOD=GET", "REQUEST_URI=/api/v1/devices/d1/readings/x", NULL);
	CHECK(route_find(table, 3, &r, &m, &allowed) == NULL && allowed == 0, "trailing segments do not match");
	req_free(&r);
}

static void test_error_json(void)
{
	struct buf b = { .len = 0 };
	struct resp rs;
	struct req r;
	const char *body;
	struct json_object *o, *v;

	make_req(&r, "REQUEST_METHOD=GET", "REQUEST_URI=/api/v1/nothing", NULL);
	resp_init(&rs, (struct out){ buf_write, &b }, &r);
	resp_error(&rs, 404, "not_found", "There is nothing <here>.");
	CHECK(strncmp(b.data, "Status: 404 Not Found\r\nContent-Type: application/json\r\n", 55) == 0,
	    "API errors are JSON with the right status line");
	CHECK(strstr(b.data, "Strict-Transport-Security: max-age=") != NULL, "HSTS on every response");
	CHECK(strstr(b.data, "X-Content-Type-Options: nosniff\r\n") != NULL, "nosniff on every response");
	CHECK(strstr(b.data, "X-Frame-Options: DENY\r\n") != NULL, "frames denied on every response");
	CHECK(strstr(b.data, "Content-Security-Policy: default-src 'self'; script-src 'self';") != NULL,
	    "a CSP without inline script on every response");
	CHECK(strstr(b.data, "Referrer-Policy: ") != NULL, "a referrer policy on every response");
	body = strstr(b.data, "\r\n\r\n");
	o = body != NULL ? json_tokener_parse(body + 4) : NULL;
	CHECK(o != NULL, "the error body is valid JSON");
	CHECK(json_object_object_get_ex(o, "code", &v) && strcmp(json_object_get_string(v), "not_found") == 0,
	    "the error has its stable code");
	CHECK(json_object_object_get_ex(o, "message", &v) &&
	    strcmp(json_object_get_string(v), "There is nothing <here>.") == 0, "and its message");
	CHECK(json_object_object_get_ex(o, "request_id", &v) && strcmp(json_object_get_string(v), r.id) == 0,
	    "and the request id, also sent as X-Request-Id");
	json_object_put(o);
	req_free(&r);
}

static void test_error_html(void)
{
	struct buf b = { .len = 0 };
	struct resp rs;
	struct req r;

	tmpl_init(getenv("GAUGE_TEMPLATES") ? getenv("GAUGE_TEMPLATES") : "templates");
	make_req(&r, "REQUEST_METHOD=GET", "REQUEST_URI=/nothing", "HTTP_ACCEPT=text/html");
	resp_init(&rs, (struct out){ buf_write, &b }, &r);
	resp_error(&rs, 404, "not_found", "No <script>alert(1)</script> here.");
	CHECK(strstr(b.data, "Content-Type: text/html; charset=utf-8\r\n") != NULL, "browsers get an HTML error page");
	CHECK(strstr(b.data, "<script>alert(1)</script>") == NULL, "messages are HTML-escaped on pages");
	CHECK(strstr(b.data, "&lt;script&gt;alert(1)&lt;/script&gt;") != NULL, "the escaped message is shown");
	CHECK(strstr(b.data, "404 Not Found") != NULL, "the page states the status");
	req_free(&r);
}

static void test_head(void)
{
	struct buf b = { .len = 0 };
	struct resp rs;
	struct req r;
	struct json_object *o = json_object_new_object();

	make_req(&r, "REQUEST_METHOD=HEAD", "REQUEST_URI=/healthz", NULL);
	resp_init(&rs, (struct out){ buf_write, &b }, &r);
	resp_json(&rs, 200, o);
	CHECK(strstr(b.data, "\r\n\r\n") != NULL && strstr(b.data, "\r\n\r\n")[4] == '\0',
	    "HEAD gets headers and no body");
	json_object_put(o);
	req_free(&r);
}

/* After sign-in the browser goes to "next": only a path on this site. */
static void test_local_path(void)
{
	static const struct { const char *s; int ok; } cases[] = {
		{ "/devices", 1 }, { "/devices/dev_x/settings?done=1", 1 }, { "/", 1 },
		{ "//evil.example", 0 }, { "/\\evil.example", 0 }, { "/\t/evil.example", 0 },
		{ "/\r\n/evil.example", 0 }, { "/\x01/x", 0 }, { "/a\x7f", 0 }, { "/a\\b", 0 },
		{ "/a\x1f/b", 0 }, { "https://evil.example/", 0 }, { "evil", 0 }, { "", 0 }, { NULL, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(page_local_path(cases[i].s) == cases[i].ok, cases[i].s ? cases[i].s : "(null)");
}

/* A request refused before routing still answers JSON under /api/. */
static void test_refused_api_request_is_json(void)
{
	const char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/api/v1/devices/..%2f/readings", NULL };
	struct buf b = { .len = 0 };
	struct req_error err;
	struct resp rs;
	struct req r;

	CHECK(req_parse(&r, (char *const *)env, NULL, NULL, 0, NULL, &err) != 0, "a dot segment is refused");
	resp_init(&rs, (struct out){ buf_write, &b }, &r);
	resp_error(&rs, err.status, err.code, err.message);
	CHECK(strstr(b.data, "Content-Type: application/json\r\n") != NULL, "with a JSON error body");
	CHECK(strstr(b.data, "\"code\":\"bad_path\"") != NULL, "that names its code");
	req_free(&r);
}

int main(void)
{
	test_local_path();
	test_refused_api_request_is_json();
	test_routes();
	test_error_json();
	test_error_html();
	test_head();
	return check_done("test_http");
}
