/*
 * test_conf.c - a key no setting reads is named, with where it was set and
 * what it probably meant; keys that exist are never reported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "conf.h"
#include "log.h"

static char dir[] = "/tmp/gauge-test-conf-XXXXXX";

/* Writes text to dir/name and returns the path (static buffer per call). */
static const char *conf_file(const char *name, const char *text)
{
	static char path[4][256];
	static int next;
	char *p = path[next++ % 4];
	FILE *f;

	snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
	if ((f = fopen(p, "w")) == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(p);
		exit(1);
	}
	return p;
}

/* Loads text and returns how many unknown keys it had (-1: did not load). */
static int unknown_in(const char *text, struct conf **out)
{
	char err[CONF_ERR_LEN];
	struct conf *c = conf_load(conf_file("gauge.conf", text), err);
	int n = c != NULL ? (int)c->n_unknown : -1;

	if (c == NULL)
		fprintf(stderr, "     conf_load: %s\n", err);
	if (out != NULL)
		*out = c;
	else
		conf_free(c);
	return n;
}

static int contains(const char *s, const char *part)
{
	return s != NULL && strstr(s, part) != NULL;
}

/* metrics.allow, as a specification: what loads, who is then allowed, and
 * the message a bad list is refused with at start. */
static const struct {
	int line;
	const char *value;          /* NULL: the key unset */
	const char *allowed, *refused;  /* addresses the list must and must not hold */
	const char *error;          /* NULL: loads */
} allow_cases[] = {
	{ __LINE__, NULL, "127.0.0.1", "10.0.0.1", NULL },              /* the default: loopback */
	{ __LINE__, NULL, "127.200.0.9", "192.0.2.1", NULL },
	{ __LINE__, NULL, "::1", "::2", NULL },
	{ __LINE__, NULL, "::ffff:127.0.0.1", "2001:db8::1", NULL },    /* a dual-stack socket's IPv4 */
	{ __LINE__, "10.0.0.0/8, 192.0.2.7", "10.1.2.3", "127.0.0.1", NULL },  /* replaces loopback */
	{ __LINE__, "10.0.0.0/8, 192.0.2.7", "192.0.2.7", "192.0.2.8", NULL },
	{ __LINE__, "2001:db8:1::/48 fd00::/8", "2001:db8:1:ffff::5", "2001:db8:2::1", NULL },
	{ __LINE__, "2001:db8:1::/48 fd00::/8", "fdab::1", "fe80::1", NULL },
	{ __LINE__, "::ffff:10.0.0.0/104", "10.200.0.1", "11.0.0.1", NULL },
	{ __LINE__, "", NULL, "127.0.0.1", NULL },                       /* empty: nobody */
	{ __LINE__, "127.0.0.1/8", NULL, NULL, "metrics.allow: '127.0.0.1/8' is not an address or CIDR block" },
	{ __LINE__, "10.0.0.0/33", NULL, NULL, "metrics.allow: '10.0.0.0/33'" },
	{ __LINE__, "2001:db8::/129", NULL, NULL, "metrics.allow: '2001:db8::/129'" },
	{ __LINE__, "2001:db8::1/64", NULL, NULL, "metrics.allow: '2001:db8::1/64'" },
	{ __LINE__, "10.0.0.0/8 localhost", NULL, NULL, "metrics.allow: 'localhost'" },
	{ __LINE__, "[::1]", NULL, NULL, "metrics.allow: '[::1]'" },
	{ __LINE__, "10.0.0.0/08", NULL, NULL, "metrics.allow: '10.0.0.0/08'" },
	{ __LINE__, "fe80::1%eth0", NULL, NULL, "metrics.allow: 'fe80::1%eth0'" },
};

static int allow_holds(const struct conf *c, const char *addr)
{
	struct net_addr a;

	return net_addr_parse(addr, strlen(addr), &a) == 0 && net_cidrs_match(&c->metrics_allow, &a);
}

static void test_metrics_allow(void)
{
	for (size_t i = 0; i < sizeof(allow_cases) / sizeof(allow_cases[0]); i++) {
		char text[256], err[CONF_ERR_LEN] = "", what[160];
		struct conf *c;

		snprintf(text, sizeof(text), "mysql.host = db\n%s%s%s", allow_cases[i].value ? "metrics.allow = " : "",
		    allow_cases[i].value ? allow_cases[i].value : "", allow_cases[i].value ? "\n" : "");
		c = conf_load(conf_file("allow.conf", text), err);
		snprintf(what, sizeof(what), "line %d: metrics.allow '%s'", allow_cases[i].line,
		    allow_cases[i].value ? allow_cases[i].value : "(default)");
		if (allow_cases[i].error != NULL) {
			CHECK(c == NULL && contains(err, allow_cases[i].error), what);
			if (c == NULL && !contains(err, allow_cases[i].error))
				fprintf(stderr, "     got '%s'\n", err);
			conf_free(c);
			continue;
		}
		CHECK(c != NULL, what);
		if (c == NULL) {
			fprintf(stderr, "     conf_load: %s\n", err);
			continue;
		}
		if (allow_cases[i].allowed != NULL)
			CHECK(allow_holds(c, allow_cases[i].allowed), what);
		CHECK(!allow_holds(c, allow_cases[i].refused), what);
		conf_free(c);
	}
	unlink(conf_file("allow.conf", ""));
}

/* gauge-alertd's fast polling: defaults, and bounds refused at start. */
static void test_fast_poll(void)
{
	char err[CONF_ERR_LEN];
	struct conf *c;

	CHECK(unknown_in("mysql.socket = /run/m.sock\n", &c) == 0 && c->alertd_fast_poll_ms == 50 && c->alertd_fast_poll_s == 10,
	    "fast polling: every 50 ms for 10 s by default");
	conf_free(c);
	CHECK(unknown_in("mysql.socket = /run/m.sock\nalertd {\n  fast_poll_interval_ms = 100\n  fast_poll_s = 0\n}\n", &c) == 0 &&
	    c->alertd_fast_poll_ms == 100 && c->alertd_fast_poll_s == 0, "0 s turns fast polling off");
	conf_free(c);
	c = conf_load(conf_file("gauge.conf", "mysql.socket = /run/m.sock\nalertd.fast_poll_interval_ms = 5\n"), err);
	CHECK(c == NULL && contains(err, "alertd.fast_poll_interval_ms"), "under 10 ms is refused");
	conf_free(c);
	c = conf_load(conf_file("gauge.conf", "mysql.socket = /run/m.sock\nalertd.fast_poll_s = 3601\n"), err);
	CHECK(c == NULL && contains(err, "alertd.fast_poll_s"), "over an hour is refused");
	conf_free(c);
}

int main(void)
{
	static const struct { const char *key; int known; } keys[] = {
		{ "ratelimit.per_minute", 1 }, { "mysql.host", 1 }, { "log.level", 1 },
		{ "hdf.loadpaths.0", 1 },           /* ClearSilver's own, for #include */
		{ "ratelimit.per_minut", 0 }, { "ratelimit", 0 }, { "mysql.host.name", 0 },
		{ "Mysql.host", 0 }, { "", 0 },
	};
	static const struct { const char *typo, *meant; } hints[] = {
		{ "ratelimit.per_minut", "ratelimit.per_minute" },
		{ "log.levle", "log.level" },
		{ "mysql.hots", "mysql.host" },
		{ "alertd.poll_interval", NULL },   /* three edits away: no guess */
		{ "nothing.like.it", NULL },
	};
	char inc[512];
	struct conf *c;

	log_set_level(LOG_ERROR);   /* the warnings themselves are the e2e test's */
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}

	test_metrics_allow();
	test_fast_poll();
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		CHECK(conf_key_known(keys[i].key) == keys[i].known, keys[i].key);
	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		CHECK_STR(conf_key_suggest(hints[i].typo), hints[i].meant, hints[i].typo);

	CHECK(unknown_in("mysql.host = db\nratelimit {\n  per_minute = 5\n}\n", NULL) == 0,
	    "a file of known keys has no unknown key");
	CHECK(unknown_in("mysql {\n  socket = /run/s\n}\nhdf.loadpaths.0 = /etc\n", NULL) == 0,
	    "ClearSilver's hdf.* keys are not reported");

	CHECK(unknown_in("mysql.host = db\n# a comment\nratelimit {\n  file = /x\n"
	    "  per_minut = 5\n}\n", &c) == 1, "a misspelled key in a section is found");
	CHECK(c != NULL && contains(c->unknown[0], "gauge.conf:5: unknown key 'ratelimit.per_minut'"),
	    "it is named with its file and line");
	CHECK(c != NULL && contains(c->unknown[0], "did you mean 'ratelimit.per_minute'"),
	    "with the key it probably meant");
	CHECK(c != NULL && c->ratelimit_per_minute == 600, "and its setting keeps the default");
	conf_free(c);

	CHECK(unknown_in("mysql.host = db\nnote << EOM\nratelimit.per_minut = 1\nEOM\n"
	    "ratelimit.per_minut = 2\n", &c) == 2, "a multi-line value and a dotted typo");
	CHECK(c != NULL && contains(c->unknown[0], ":2: unknown key 'note'") &&
	    contains(c->unknown[1], ":5: unknown key 'ratelimit.per_minut'"),
	    "lines inside a << block are not mistaken for keys");
	conf_free(c);

	CHECK(unknown_in("mysql.host = db\nmysql.host.port = 1\nlog = debug\n", &c) == 2,
	    "a value under a setting, or on a section, is unknown");
	conf_free(c);

	snprintf(inc, sizeof(inc), "mysql.host = db\n#include \"%s\"\n",
	    conf_file("secrets.conf", "mysql.password = x\n\nses.secret_acess_key = y\n"));
	CHECK(unknown_in(inc, &c) == 1, "a typo in an included file is found");
	CHECK(c != NULL && contains(c->unknown[0], "secrets.conf:3: unknown key 'ses.secret_acess_key'"),
	    "and located in that file");
	conf_free(c);

	CHECK(unknown_in("mysql.host = db\nmysql.hots = x\n", &c) == 1 &&
	    c != NULL && c->mysql.host != NULL && strcmp(c->mysql.host, "db") == 0,
	    "an unknown key is a warning, not a refusal");
	conf_free(c);

	{
		char err[CONF_ERR_LEN];
		struct conf *ex = conf_load("etc/gauge.conf.example", err);

		CHECK(ex != NULL && ex->n_unknown == 0, "the shipped example uses only known keys");
		conf_free(ex);
	}

	unlink(conf_file("gauge.conf", ""));
	unlink(conf_file("secrets.conf", ""));
	rmdir(dir);
	return check_done("test_conf");
}
