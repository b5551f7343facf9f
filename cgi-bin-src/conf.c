/*
 * conf.c - load and validate the HDF configuration (see conf.h).
 *
 * Each setting is declared once in a table with its key, kind, default and
 * bounds; loading walks the table, so adding a setting is one line and every
 * setting gets the same environment override and the same error message.
 *
 * The table is also the list of every key there is: a key in the file that
 * no setting reads (a typo such as ratelimit.per_minut) would otherwise be
 * ignored without a word while its setting keeps its default, so loading
 * names each one with its file and line and the key it probably meant.
 */
#include "conf.h"

#include <ClearSilver.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

enum conf_kind { CK_STR, CK_OPTSTR, CK_UINT, CK_SIZE, CK_OCTAL, CK_LEVEL, CK_CIDRS };

struct conf_key {
	const char *key;
	enum conf_kind kind;
	const char *def;            /* NULL: required (CK_STR) or unset */
	unsigned long long min, max;
	size_t off;
};

#define S(k, d, f)          { k, CK_STR, d, 0, 0, offsetof(struct conf, f) }
#define O(k, f)             { k, CK_OPTSTR, NULL, 0, 0, offsetof(struct conf, f) }
#define U(k, d, lo, hi, f)  { k, CK_UINT, d, lo, hi, offsetof(struct conf, f) }

static const struct conf_key conf_keys[] = {
	S("paths.templates", "/usr/share/gauge/templates", templates_dir),
	S("paths.schema", "/usr/share/gauge/schema", schema_dir),
	S("paths.openapi", "/usr/share/gauge/openapi.json", openapi_file),
	S("site.base_url", "https://localhost", base_url),
	{ "log.level", CK_LEVEL, "info", 0, 0, offsetof(struct conf, log_level) },
	O("mysql.host", mysql.host),
	U("mysql.port", "3306", 1, 65535, mysql.port),
	O("mysql.socket", mysql.socket),
	S("mysql.user", "gauge", mysql.user),
	S("mysql.password", "", mysql.password),
	S("mysql.database", "gauge", mysql.database),
	U("mysql.connect_timeout", "2", 1, 60, mysql.connect_timeout_s),
	U("mysql.rw_timeout", "10", 1, 600, mysql.rw_timeout_s),
	S("mongo.uri", "mongodb://127.0.0.1:27017/", mongo.uri),
	S("mongo.database", "gauge", mongo.database),
	{ "http.max_body", CK_SIZE, "1048576", 1024, 64ull << 20, offsetof(struct conf, max_body) },
	{ "http.trusted_proxies", CK_CIDRS, "", 0, 0, offsetof(struct conf, trusted_proxies) },
	O("fcgi.listen", fcgi_listen),
	U("fcgi.workers", "4", 1, 256, fcgi_workers),
	{ "fcgi.socket_mode", CK_OCTAL, "0660", 0, 0777, offsetof(struct conf, fcgi_socket_mode) },
	U("security.bcrypt_cost", "12", 4, 31, bcrypt_cost),
	S("security.server_key", "", server_key_hex),
	U("session.idle_minutes", "30", 1, 1440, session_idle_min),
	U("session.absolute_hours", "12", 1, 720, session_absolute_h),
	U("alertd.poll_interval_ms", "500", 50, 60000, alertd_poll_ms),
	U("alertd.fast_poll_interval_ms", "50", 10, 60000, alertd_fast_poll_ms),
	U("alertd.fast_poll_s", "10", 0, 3600, alertd_fast_poll_s),
	U("alertd.budget_per_hour", "20", 1, 10000, alertd_budget_per_hour),
	U("alertd.retry_base_ms", "2000", 10, 600000, alertd_retry_base_ms),
	U("alertd.max_attempts", "8", 1, 100, alertd_max_attempts),
	U("alertd.window_s", "120", 10, 3600, alertd_window_s),
	U("alertd.digest_interval_s", "900", 1, 86400, alertd_digest_interval_s),
	U("alertd.send_lease_s", "60", 2, 3600, alertd_send_lease_s),
	U("alertd.webhook_allow_private", "0", 0, 1, alertd_webhook_allow_private),
	O("alertd.webhook_ca_file", alertd_webhook_ca_file),
	O("ses.endpoint", ses_endpoint),
	S("ses.region", "us-east-1", ses_region),
	O("ses.access_key_id", ses_access_key_id),
	O("ses.secret_access_key", ses_secret_access_key),
	O("ses.session_token", ses_session_token),
	S("ses.sender", "alert@gauge.invalid", ses_sender),
	O("ses.ca_file", ses_ca_file),
	S("twilio.endpoint", "https://api.twilio.com", twilio_endpoint),
	O("twilio.ca_file", twilio_ca_file),
	S("ratelimit.file", "/dev/shm/gauge-ratelimit", ratelimit_file),
	U("ratelimit.per_minute", "600", 1, 1000000, ratelimit_per_minute),
	U("ratelimit.anonymous_per_minute", "120", 1, 1000000, ratelimit_anon_per_minute),
	S("metrics.file", "/dev/shm/gauge-metrics", metrics_file),
	{ "metrics.allow", CK_CIDRS, "127.0.0.0/8 ::1/128", 0, 0, offsetof(struct conf, metrics_allow) },
};

/* GAUGE_ + key upper-cased with dots as underscores. */
static const char *conf_env(const char *key)
{
	char name[128] = "GAUGE_";
	size_t n = strlen(name);

	for (; *key != '\0' && n < sizeof(name) - 1; key++)
		name[n++] = *key == '.' ? '_' : (char)toupper((unsigned char)*key);
	name[n] = '\0';
	return getenv(name);
}

static int conf_uint(const char *v, int base, unsigned long long *out)
{
	char *end;

	if (*v == '\0' || !isdigit((unsigned char)*v))
		return -1;
	errno = 0;
	*out = strtoull(v, &end, base);
	return (errno != 0 || *end != '\0') ? -1 : 0;
}

static int conf_set(struct conf *c, const struct conf_key *k, const char *v,
    char err[CONF_ERR_LEN])
{
	void *field = (char *)c + k->off;
	unsigned long long n;
	char entry[72];

	switch (k->kind) {
	case CK_STR:
	case CK_OPTSTR:
		if ((*(char **)field = strdup(v)) == NULL)
			goto nomem;
		return 0;
	case CK_LEVEL:
		if ((*(int *)field = log_level_parse(v)) < 0)
			goto bad;
		return 0;
	case CK_OCTAL:
		if (conf_uint(v, 8, &n) != 0 || n > k->max)
			goto bad;
		*(unsigned *)field = (unsigned)n;
		return 0;
	case CK_UINT:
	case CK_SIZE:
		if (conf_uint(v, 10, &n) != 0 || n < k->min || n > k->max)
			goto bad;
		if (k->kind == CK_SIZE)
			*(size_t *)field = (size_t)n;
		else
			*(unsigned *)field = (unsigned)n;
		return 0;
	case CK_CIDRS:
		switch (net_cidrs_parse(v, field, entry, sizeof(entry))) {
		case NET_LIST_OK:
			return 0;
		case NET_LIST_NOMEM:
			goto nomem;
		case NET_LIST_BAD:
			snprintf(err, CONF_ERR_LEN, "%s: '%s' is not an address or CIDR block "
			    "(address/prefix, host bits zero)", k->key, entry);
			return -1;
		}
		goto bad;
	}
bad:
	snprintf(err, CONF_ERR_LEN, "%s: invalid value '%s'", k->key, v);
	return -1;
nomem:
	snprintf(err, CONF_ERR_LEN, "out of memory");
	return -1;
}

static HDF *conf_read_hdf(const char *path, char err[CONF_ERR_LEN])
{
	HDF *hdf = NULL;
	NEOERR *nerr;
	STRING msg;

	if ((nerr = hdf_init(&hdf)) == STATUS_OK)
		nerr = hdf_read_file(hdf, path);
	if (nerr == STATUS_OK)
		return hdf;
	string_init(&msg);
	nerr_error_string(nerr, &msg);
	snprintf(err, CONF_ERR_LEN, "%s: %s", path, msg.buf ? msg.buf : "unreadable");
	string_clear(&msg);
	nerr_ignore(&nerr);
	hdf_destroy(&hdf);
	return NULL;
}

/* AWS's own variables, as every AWS tool reads them, when Gauge's are unset. */
static void conf_aws_env(struct conf *c)
{
	static const struct { const char *env; size_t off; } aws[] = {
		{ "AWS_ACCESS_KEY_ID", offsetof(struct conf, ses_access_key_id) },
		{ "AWS_SECRET_ACCESS_KEY", offsetof(struct conf, ses_secret_access_key) },
		{ "AWS_SESSION_TOKEN", offsetof(struct conf, ses_session_token) },
	};

	for (size_t i = 0; i < sizeof(aws) / sizeof(aws[0]); i++) {
		char **field = (char **)((char *)c + aws[i].off);
		const char *v = getenv(aws[i].env);

		if (*field == NULL && v != NULL && *v != '\0')
			*field = strdup(v);
	}
}

/* ---- keys no setting reads ------------------------------------------------ */

int conf_key_known(const char *key)
{
	/* hdf.* belongs to ClearSilver itself (hdf.loadpaths for #include). */
	if (strncmp(key, "hdf.", 4) == 0)
		return 1;
	for (size_t i = 0; i < sizeof(conf_keys) / sizeof(conf_keys[0]); i++)
		if (strcmp(conf_keys[i].key, key) == 0)
			return 1;
	return 0;
}

/* Edit distance (insert, delete, substitute), or CONF_FAR once it is
 * certain to exceed the distance a typo could be. */
#define CONF_FAR 3
static unsigned conf_distance(const char *a, const char *b)
{
	unsigned row[128], prev, cur;
	size_t la = strlen(a), lb = strlen(b);

	if (lb >= sizeof(row) / sizeof(row[0]) || (la > lb ? la - lb : lb - la) >= CONF_FAR)
		return CONF_FAR;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			cur = row[j];
			row[j] = prev + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (cur + 1 < row[j])
				row[j] = cur + 1;
			prev = cur;
		}
	}
	return row[lb] < CONF_FAR ? row[lb] : CONF_FAR;
}

const char *conf_key_suggest(const char *key)
{
	const char *best = NULL;
	unsigned best_d = CONF_FAR, d;

	for (size_t i = 0; i < sizeof(conf_keys) / sizeof(conf_keys[0]); i++)
		if ((d = conf_distance(key, conf_keys[i].key)) < best_d) {
			best_d = d;
			best = conf_keys[i].key;
		}
	return best;
}

static int conf_name_char(int ch)
{
	return isalnum(ch) || ch == '_' || ch == '.' || ch == '-' || ch == '*';
}

/* The #include target on a line that starts "#include", quotes removed. */
static int conf_include_path(const char *s, char *out, size_t len)
{
	size_t n;

	s += strlen("#include");
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '"')
		s++;
	n = strcspn(s, "\"");
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0 || n >= len)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/*
 * Finds where key is set, as "path:line", following #include: a small reader
 * of HDF's line syntax (sections, "name = value", "name << EOM" blocks),
 * since ClearSilver keeps no line numbers.  Only for messages: the HDF
 * reader alone decides what the settings are.  Returns 1 when found.
 */
static int conf_locate(const char *path, const char *key, int depth, char *where, size_t len)
{
	char line[1024], prefix[256] = "", full[256], eom[64] = "", inc[512];
	size_t stack[16], nl;
	int top = 0, lineno = 0, found = 0;
	FILE *f;

	if (depth > 8 || (f = fopen(path, "r")) == NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		char *s = line, *name;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		while (isspace((unsigned char)*s))
			s++;
		if (eom[0] != '\0') {           /* inside a "<<" block */
			if (strcmp(s, eom) == 0)
				eom[0] = '\0';
			continue;
		}
		if (strncmp(s, "#include", 8) == 0) {
			if (conf_include_path(s, inc, sizeof(inc)) == 0)
				found = conf_locate(inc, key, depth + 1, where, len);
			continue;
		}
		if (*s == '}' && top > 0)
			prefix[stack[--top]] = '\0';
		for (name = s; conf_name_char((unsigned char)*s); s++)
			;
		if ((nl = (size_t)(s - name)) == 0)
			continue;
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '[' && (s = strchr(s, ']')) != NULL)      /* attributes */
			for (s++; isspace((unsigned char)*s); s++)
				;
		if (s == NULL || (size_t)snprintf(full, sizeof(full), "%s%s%.*s", prefix,
		    prefix[0] != '\0' ? "." : "", (int)nl, name) >= sizeof(full))
			continue;
		if (*s == '{') {
			if (top < (int)(sizeof(stack) / sizeof(stack[0]))) {
				stack[top++] = strlen(prefix);
				memcpy(prefix, full, strlen(full) + 1);
			}
			continue;
		}
		if (strncmp(s, "<<", 2) == 0) {
			for (s += 2; isspace((unsigned char)*s); s++)
				;
			snprintf(eom, sizeof(eom), "%s", s);
		}
		if (strcmp(full, key) == 0) {
			snprintf(where, len, "%s:%d", path, lineno);
			found = 1;
		}
	}
	fclose(f);
	return found;
}

static void conf_unknown_add(struct conf *c, const char *key)
{
	char where[600], msg[1024];
	const char *hint = conf_key_suggest(key);
	char **grown;

	if (!conf_locate(c->path, key, 0, where, sizeof(where)))
		snprintf(where, sizeof(where), "%s", c->path);
	snprintf(msg, sizeof(msg), "%s: unknown key '%s' ignored%s%s%s", where, key,
	    hint != NULL ? " (did you mean '" : "", hint != NULL ? hint : "", hint != NULL ? "'?)" : "");
	log_warn("config %s", msg);
	if ((grown = realloc(c->unknown, (c->n_unknown + 1) * sizeof(*grown))) == NULL)
		return;
	c->unknown = grown;
	if ((c->unknown[c->n_unknown] = strdup(msg)) != NULL)
		c->n_unknown++;
}

/* Every node with a value is a key someone set; name is its dotted path so far. */
static void conf_unknown_walk(struct conf *c, HDF *node, char *name, size_t at, size_t cap)
{
	for (; node != NULL; node = hdf_obj_next(node)) {
		int n = snprintf(name + at, cap - at, "%s%s", at > 0 ? "." : "", hdf_obj_name(node));

		if (n < 0 || (size_t)n >= cap - at)
			continue;
		if (hdf_obj_value(node) != NULL && !conf_key_known(name))
			conf_unknown_add(c, name);
		conf_unknown_walk(c, hdf_obj_child(node), name, at + (size_t)n, cap);
		name[at] = '\0';
	}
}

static void conf_unknown_keys(struct conf *c, HDF *hdf)
{
	char name[512] = "";

	conf_unknown_walk(c, hdf_obj_child(hdf), name, 0, sizeof(name));
}

struct conf *conf_load(const char *path, char err[CONF_ERR_LEN])
{
	struct conf *c = calloc(1, sizeof(*c));
	HDF *hdf = NULL;

	if (c == NULL || (c->path = strdup(path)) == NULL) {
		snprintf(err, CONF_ERR_LEN, "out of memory");
		goto fail;
	}
	if ((hdf = conf_read_hdf(path, err)) == NULL)
		goto fail;
	conf_unknown_keys(c, hdf);
	for (size_t i = 0; i < sizeof(conf_keys) / sizeof(conf_keys[0]); i++) {
		const struct conf_key *k = &conf_keys[i];
		const char *v = conf_env(k->key);

		if (v == NULL)
			v = hdf_get_value(hdf, k->key, k->def);
		if (v == NULL || (*v == '\0' && k->kind == CK_OPTSTR))
			continue;
		if (conf_set(c, k, v, err) != 0)
			goto fail;
	}
	conf_aws_env(c);
	if (c->server_key_hex[0] != '\0' && strlen(c->server_key_hex) != 64) {
		snprintf(err, CONF_ERR_LEN, "security.server_key must be 64 hex digits (32 bytes)");
		goto fail;
	}
	if (c->mysql.host == NULL && c->mysql.socket == NULL) {
		snprintf(err, CONF_ERR_LEN, "set mysql.host or mysql.socket");
		goto fail;
	}
	hdf_destroy(&hdf);
	return c;
fail:
	hdf_destroy(&hdf);
	conf_free(c);
	return NULL;
}

void conf_free(struct conf *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < sizeof(conf_keys) / sizeof(conf_keys[0]); i++)
		if (conf_keys[i].kind == CK_STR || conf_keys[i].kind == CK_OPTSTR)
			free(*(char **)((char *)c + conf_keys[i].off));
		else if (conf_keys[i].kind == CK_CIDRS)
			net_cidrs_free((struct net_cidrs *)((char *)c + conf_keys[i].off));
	for (size_t i = 0; i < c->n_unknown; i++)
		free(c->unknown[i]);
	free(c->unknown);
	free(c->path);
	free(c);
}
