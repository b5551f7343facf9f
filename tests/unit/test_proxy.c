/*
 * test_proxy.c - the client behind a load balancer, as a specification:
 * the X-Forwarded-For walk (req_forwarded_for), which requests it applies
 * to (req_parse with http.trusted_proxies), the balancer's X-Request-Id,
 * and the setting itself at config load.
 */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "conf.h"
#include "log.h"
#include "req.h"

#define TRUSTED "10.0.0.0/8, 127.0.0.1, 2001:db8:ff::/48"

static struct net_cidrs trusted;

static const char *repeat(const char *head, const char *unit, int n)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s", head);
	for (int i = 0; i < n; i++)
		strncat(buf, unit, sizeof(buf) - strlen(buf) - 1);
	return buf;
}

static const struct {
	int line;
	const char *xff;
	enum req_fwd want;
	const char *client;         /* for REQ_FWD_CLIENT */
} walk_cases[] = {
	{ __LINE__, "203.0.113.9", REQ_FWD_CLIENT, "203.0.113.9" },
	{ __LINE__, "203.0.113.9, 10.0.0.2", REQ_FWD_CLIENT, "203.0.113.9" },
	{ __LINE__, "203.0.113.9, 10.0.0.3, 10.0.0.2", REQ_FWD_CLIENT, "203.0.113.9" },
	/* Left of the client: whatever the client wrote itself.  Never read. */
	{ __LINE__, "198.51.100.1, 203.0.113.9, 10.0.0.2", REQ_FWD_CLIENT, "203.0.113.9" },
	{ __LINE__, "garbage, 203.0.113.9", REQ_FWD_CLIENT, "203.0.113.9" },
	{ __LINE__, "10.0.0.99, 203.0.113.9", REQ_FWD_CLIENT, "203.0.113.9" },
	/* Spaces and tabs around entries, or none. */
	{ __LINE__, "203.0.113.9,10.0.0.2", REQ_FWD_CLIENT, "203.0.113.9" },
	{ __LINE__, "  203.0.113.9 ,\t10.0.0.2\t ", REQ_FWD_CLIENT, "203.0.113.9" },
	/* IPv6, written any way, comes out canonical. */
	{ __LINE__, "2001:DB8:0::5, 2001:db8:ff::1", REQ_FWD_CLIENT, "2001:db8::5" },
	{ __LINE__, "::ffff:203.0.113.9, 10.0.0.2", REQ_FWD_CLIENT, "203.0.113.9" },
	{ __LINE__, "203.0.113.9, ::ffff:10.0.0.2", REQ_FWD_CLIENT, "203.0.113.9" },
	/* Every hop trusted: the first proxy's own client, the leftmost. */
	{ __LINE__, "10.0.0.5, 10.0.0.2", REQ_FWD_CLIENT, "10.0.0.5" },
	{ __LINE__, "127.0.0.1", REQ_FWD_CLIENT, "127.0.0.1" },
	/* Nothing there: the peer stands. */
	{ __LINE__, NULL, REQ_FWD_NONE, NULL },
	{ __LINE__, "", REQ_FWD_NONE, NULL },
	{ __LINE__, " \t ", REQ_FWD_NONE, NULL },
	/* Malformed where the walk reaches it: the header is ignored. */
	{ __LINE__, "203.0.113.9, garbage", REQ_FWD_MALFORMED, NULL },
	{ __LINE__, "unknown", REQ_FWD_MALFORMED, NULL },
	{ __LINE__, "203.0.113.9, 10.0.0.2,", REQ_FWD_MALFORMED, NULL },
	{ __LINE__, "203.0.113.9,,10.0.0.2", REQ_FWD_MALFORMED, NULL },
	{ __LINE__, ",10.0.0.2", REQ_FWD_MALFORMED, NULL },
	{ __LINE__, "203.0.113.9 198.51.100.1", REQ_FWD_MALFORMED, NULL },
	{ __LINE__, "203.0.113.9:4711", REQ_FWD_MALFORMED, NULL },
	{ __LINE__, "[2001:db8::5]", REQ_FWD_MALFORMED, NULL },
	{ __LINE__, "fe80::1%eth0", REQ_FWD_MALFORMED, NULL },
	{ __LINE__, "203.0.113.009", REQ_FWD_MALFORMED, NULL },
	{ __LINE__, "203.0.113.9;10.0.0.2", REQ_FWD_MALFORMED, NULL },
	{ __LINE__, "1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb:cccc:dddd:eeee:ffff",
	  REQ_FWD_MALFORMED, NULL },
};

static void test_walk(void)
{
	for (size_t i = 0; i < sizeof(walk_cases) / sizeof(walk_cases[0]); i++) {
		struct net_addr a;
		char got[NET_ADDR_STRLEN], what[160];
		enum req_fwd rc = req_forwarded_for(walk_cases[i].xff, &trusted, &a);

		snprintf(what, sizeof(what), "line %d: X-Forwarded-For '%s'", walk_cases[i].line,
		    walk_cases[i].xff ? walk_cases[i].xff : "(none)");
		CHECK(rc == walk_cases[i].want, what);
		if (rc == REQ_FWD_CLIENT && walk_cases[i].want == REQ_FWD_CLIENT) {
			net_addr_format(&a, got);
			CHECK_STR(got, walk_cases[i].client, what);
		}
	}
}

static void test_walk_length(void)
{
	struct net_addr a;
	char got[NET_ADDR_STRLEN];

	/* The client plus 15 trusted hops: 16 entries walked, the most allowed. */
	CHECK(req_forwarded_for(repeat("203.0.113.9", ", 10.0.0.1", REQ_MAX_FORWARDED - 1),
	    &trusted, &a) == REQ_FWD_CLIENT, "a chain of 15 trusted proxies is walked");
	net_addr_format(&a, got);
	CHECK_STR(got, "203.0.113.9", "to the client at its end");
	CHECK(req_forwarded_for(repeat("203.0.113.9", ", 10.0.0.1", REQ_MAX_FORWARDED),
	    &trusted, &a) == REQ_FWD_TOO_MANY, "16 trusted proxies in a row are too many: ignored");
	CHECK(req_forwarded_for(repeat("10.0.0.1", ", 10.0.0.1", 200), &trusted, &a) == REQ_FWD_TOO_MANY,
	    "a long all-trusted header is ignored, not walked to its end");
	/* A client may pad the header; its padding is left of its own entry. */
	CHECK(req_forwarded_for(repeat("1.1.1.1", ", 1.1.1.1", 300),
	    &trusted, &a) == REQ_FWD_CLIENT, "a client's padding cannot switch the header off");
	CHECK(req_forwarded_for(repeat("x", ", x", 300), &trusted, &a) == REQ_FWD_MALFORMED,
	    "garbage on the right is refused at the first entry");
}

static const struct {
	int line;
	const char *id;
	int ok;
} id_cases[] = {
	{ __LINE__, "4f2a9c1e0b7d3a55", 1 },
	{ __LINE__, "0d2b8f4e-6c1a-4e8b-9f3d-2a7c5e1b9d40", 1 },      /* UUID */
	{ __LINE__, "7F000001:8296_7F000001:0050_4A6F7B6C_0001:4D2E", 1 }, /* HAProxy */
	{ __LINE__, "YWJj+ZGVm/Zw==", 1 },                              /* base64 */
	{ __LINE__, "lb1.req-42", 1 },
	{ __LINE__, "a", 1 },
	{ __LINE__, "", 0 },
	{ __LINE__, "has space", 0 },
	{ __LINE__, "quote\"d", 0 },
	{ __LINE__, "semi;colon", 0 },
	{ __LINE__, "<script>", 0 },
	{ __LINE__, "tab\there", 0 },
	{ __LINE__, "caf\xc3\xa9", 0 },
	{ __LINE__, "1234567890123456789012345678901234567890123456789012345678901234", 1 },
	{ __LINE__, "12345678901234567890123456789012345678901234567890123456789012345", 0 },
};

static void test_request_ids(void)
{
	for (size_t i = 0; i < sizeof(id_cases) / sizeof(id_cases[0]); i++) {
		char what[160];

		snprintf(what, sizeof(what), "line %d: request id '%s'", id_cases[i].line, id_cases[i].id);
		CHECK(req_id_ok(id_cases[i].id) == id_cases[i].ok, what);
	}
}

#define ENV(...) ((const char *[]){ "REQUEST_METHOD=GET", "REQUEST_URI=/x", __VA_ARGS__, NULL })

static int parse(struct req *r, const char **env, const struct net_cidrs *t)
{
	struct req_error err = { 0, NULL, NULL };

	return req_parse(r, (char *const *)env, NULL, NULL, 0, t, &err) == 0 ? 200 : err.status;
}

static int is_generated_id(const char *id)
{
	if (strlen(id) != 16)
		return 0;
	for (; *id != '\0'; id++)
		if (strchr("0123456789abcdef", *id) == NULL)
			return 0;
	return 1;
}

static void test_parse(void)
{
	struct req r;
	int st;

	st = parse(&r, ENV("REMOTE_ADDR=10.0.0.2", "HTTP_X_FORWARDED_FOR=198.51.100.1, 203.0.113.9",
	    "HTTP_X_REQUEST_ID=lb-0001"), &trusted);
	CHECK(st == 200, "a forwarded request parses");
	CHECK_STR(r.remote_addr, "203.0.113.9", "from a trusted proxy, the client is from X-Forwarded-For");
	CHECK_STR(r.peer_addr, "10.0.0.2", "and the proxy is kept apart");
	CHECK_STR(r.id, "lb-0001", "the trusted proxy's X-Request-Id is the request id");
	CHECK_STR(req_header(&r, "x-forwarded-for"), "198.51.100.1, 203.0.113.9", "the header itself is untouched");
	req_free(&r);

	parse(&r, ENV("REMOTE_ADDR=198.51.100.7", "HTTP_X_FORWARDED_FOR=203.0.113.9",
	    "HTTP_X_REQUEST_ID=lb-0002"), &trusted);
	CHECK_STR(r.remote_addr, "198.51.100.7", "from anyone else, X-Forwarded-For is ignored");
	CHECK(is_generated_id(r.id), "and so is X-Request-Id: the id is our own");
	req_free(&r);

	parse(&r, ENV("REMOTE_ADDR=10.0.0.2", "HTTP_X_FORWARDED_FOR=203.0.113.9",
	    "HTTP_X_REQUEST_ID=lb-0003"), NULL);
	CHECK_STR(r.remote_addr, "10.0.0.2", "with no trusted proxies (the default), nobody is believed");
	CHECK(is_generated_id(r.id), "not even about the request id");
	req_free(&r);

	st = parse(&r, ENV("REMOTE_ADDR=10.0.0.2", "HTTP_X_FORWARDED_FOR=203.0.113.9, bogus",
	    "HTTP_X_REQUEST_ID=lb-0004"), &trusted);
	CHECK(st == 200, "a malformed X-Forwarded-For is never an error");
	CHECK_STR(r.remote_addr, "10.0.0.2", "it is ignored: the peer is the client");
	CHECK_STR(r.id, "lb-0004", "the proxy's request id still counts");
	req_free(&r);

	parse(&r, ENV("REMOTE_ADDR=10.0.0.2", "HTTP_X_REQUEST_ID=lb 0005\"; x"), &trusted);
	CHECK_STR(r.remote_addr, "10.0.0.2", "a trusted proxy without X-Forwarded-For is the client");
	CHECK(is_generated_id(r.id), "an unsafe X-Request-Id is replaced by our own");
	req_free(&r);

	parse(&r, ENV("REMOTE_ADDR=10.0.0.2", "HTTP_X_REQUEST_ID="), &trusted);
	CHECK(is_generated_id(r.id), "an empty X-Request-Id is replaced by our own");
	req_free(&r);

	parse(&r, ENV("REMOTE_ADDR=::ffff:10.0.0.2", "HTTP_X_FORWARDED_FOR=2001:db8::5"), &trusted);
	CHECK_STR(r.peer_addr, "10.0.0.2", "a mapped IPv4 peer is its IPv4 self");
	CHECK_STR(r.remote_addr, "2001:db8::5", "and trusted by its IPv4 block");
	req_free(&r);

	parse(&r, ENV("REMOTE_ADDR=2001:db8:ff::10", "HTTP_X_FORWARDED_FOR=203.0.113.9"), &trusted);
	CHECK_STR(r.remote_addr, "203.0.113.9", "an IPv6 proxy is trusted by its IPv6 block");
	req_free(&r);

	parse(&r, ENV("HTTP_X_FORWARDED_FOR=203.0.113.9"), &trusted);
	CHECK_STR(r.remote_addr, "unknown", "without REMOTE_ADDR the client is unknown");
	req_free(&r);

	st = parse(&r, (const char *[]){ "REQUEST_METHOD=GET", "REQUEST_URI=/a/../b",
	    "REMOTE_ADDR=10.0.0.2", "HTTP_X_FORWARDED_FOR=203.0.113.9", "HTTP_X_REQUEST_ID=lb-0006",
	    NULL }, &trusted);
	CHECK(st == 400, "a refused request");
	CHECK_STR(r.remote_addr, "203.0.113.9", "still names the real client");
	CHECK_STR(r.id, "lb-0006", "under the balancer's request id");
	req_free(&r);
}

/* Writes a config naming http.trusted_proxies = value (NULL: unset) and
 * loads it; the conf or NULL, with err. */
static struct conf *load(const char *value, char err[CONF_ERR_LEN])
{
	char path[] = "/tmp/gauge-test-conf-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	struct conf *c;

	if (f == NULL)
		return NULL;
	fprintf(f, "mysql.socket = /nonexistent\n");
	if (value != NULL)
		fprintf(f, "http.trusted_proxies = %s\n", value);
	fclose(f);
	c = conf_load(path, err);
	unlink(path);
	return c;
}

static void test_conf(void)
{
	char err[CONF_ERR_LEN] = "";
	struct conf *c;

	c = load(NULL, err);
	CHECK(c != NULL && c->trusted_proxies.n == 0, "http.trusted_proxies is empty by default");
	conf_free(c);

	c = load("10.0.1.0/24, 10.0.2.5 2001:db8::/64", err);
	CHECK(c != NULL && c->trusted_proxies.n == 3, "a list of blocks and addresses loads");
	conf_free(c);

	c = load("10.0.1.0/24, 10.0.2.0/33", err);
	CHECK(c == NULL, "a bad block is a config error");
	CHECK(strstr(err, "http.trusted_proxies") != NULL && strstr(err, "'10.0.2.0/33'") != NULL,
	    "naming the setting and the entry");
	if (c == NULL && strstr(err, "'10.0.2.0/33'") == NULL)
		fprintf(stderr, "     error was: %s\n", err);

	c = load("lb.example.com", err);
	CHECK(c == NULL && strstr(err, "'lb.example.com'") != NULL, "a host name is refused, not resolved");

	setenv("GAUGE_HTTP_TRUSTED_PROXIES", "192.0.2.0/24", 1);
	c = load("10.0.1.0/24, 10.0.2.5", err);
	CHECK(c != NULL && c->trusted_proxies.n == 1, "the environment overrides the file, as for every key");
	unsetenv("GAUGE_HTTP_TRUSTED_PROXIES");
	conf_free(c);
}

int main(void)
{
	char bad[72];

	log_set_level(LOG_ERROR);   /* the ignored headers below are logged as warnings */
	if (net_cidrs_parse(TRUSTED, &trusted, bad, sizeof(bad)) != NET_LIST_OK) {
		fprintf(stderr, "test list refused at '%s'\n", bad);
		return 1;
	}
	test_walk();
	test_walk_length();
	test_request_ids();
	test_parse();
	test_conf();
	net_cidrs_free(&trusted);
	return check_done("test_proxy");
}
