/*
 * test_conf.c - a key no setting reads is named, with where it was set and
 * what it probably meant; keys that exist are never reported.
 */
#include <stdio.h>
#include <stdlib.h>
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
