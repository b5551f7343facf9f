/*
 * api.c - authentication, access and rate limiting for the JSON API (see
 * api.h).  The order matters: refuse keys in URLs and over plain HTTP
 * before looking anything up; one lookup for key and device together;
 * count the request (by key, or by address when there is no valid key)
 * before deciding, so failed guesses are rate-limited too.
 */
#include "api.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api_json.h"
#include "app.h"
#include "conf.h"
#include "key_cache.h"
#include "log.h"
#include "metrics.h"
#include "ratelimit.h"
#include "req.h"
#include "resp.h"
#include "ts.h"
#include "valid.h"

/* Query parameters that would put a key in URLs (and so in logs). */
static const char *const api_key_params[] = { "api_key", "key", "token", "access_token" };

const char *api_actor(const struct api_ctx *c)
{
	return c->key.id != 0 ? c->key.display : "anonymous";
}

/* %u without snprintf: three of these on every API answer. */
static const char *api_utoa(unsigned v, char buf[12])
{
	char *p = buf + 11;

	*p = '\0';
	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	return p;
}

static void api_limit_headers(struct resp *rs, const struct rl_result *rl)
{
	char v[12];
	const char *reset;

	resp_header(rs, "RateLimit-Limit", api_utoa(rl->limit, v));
	resp_header(rs, "RateLimit-Remaining", api_utoa(rl->remaining, v));
	reset = api_utoa(rl->reset_s, v);
	resp_header(rs, "RateLimit-Reset", reset);
	if (!rl->allowed)
		resp_header(rs, "Retry-After", reset);
}

/* Counts the request; 429 (sent) when over the limit, else 0.  keyed:
 * count it against the (live) key, else against the caller's address. */
static int api_limit_or_reply(struct api_ctx *c, int keyed)
{
	const struct conf *conf = c->app->conf;
	struct rl_result rl;

	ratelimit_hit(c->app->ratelimit,
	    keyed ? (uint64_t)c->key.id : ratelimit_subject_addr(c->r->remote_addr),
	    keyed ? conf->ratelimit_per_minute : conf->ratelimit_anon_per_minute,
	    60, time(NULL), &rl);
	api_limit_headers(c->rs, &rl);
	if (rl.allowed)
		return 0;
	metrics_add(keyed ? METRIC_RATELIMITED_KEY : METRIC_RATELIMITED_ADDRESS, 1);
	return api_error(c->rs, 429, "rate_limited",
	    "Too many requests; try again in %u seconds.", rl.reset_s);
}

/* Finds the presented key.  Returns 0 (*present says whether there was
 * one, hash filled) or an error status already sent. */
static int api_credentials_or_reply(struct api_ctx *c, unsigned char hash[SHA256_LEN],
    int *present)
{
	const char *auth = req_header(c->r, "authorization"), *form_key, *key = NULL;
	enum key_kind kind;

	*present = 0;
	for (size_t i = 0; i < sizeof(api_key_params) / sizeof(api_key_params[0]); i++)
		if (req_param(c->r, api_key_params[i]) != NULL)
			return api_error(c->rs, 400, "key_in_url",
			    "API keys must not be sent in the URL; use the Authorization header.");
	if (c->r->form_status == FORM_MALFORMED)
		return api_error(c->rs, 400, "malformed_form", "The form body is malformed.");
	if (c->r->form_status == FORM_REPEATED)
		return api_error(c->rs, 400, "malformed_form",
		    "The form field '%.40s' is given more than once.", c->r->form_repeat);
	form_key = kv_get(&c->r->form, "api_key");
	if (auth != NULL) {
		if (strncasecmp(auth, "Bearer ", 7) != 0)
			return api_error(c->rs, 401, "invalid_key", "Use Authorization: Bearer <key>.");
		key = auth + 7;
	}
	if (key != NULL && form_key != NULL)
		return api_error(c->rs, 400, "bad_request", "Send the key once: header or form, not both.");
	if (key == NULL)
		key = form_key;
	if (key == NULL)
		return 0;
	if (!c->r->https)
		return api_error(c->rs, 403, "https_required",
		    "Credentials are only accepted over HTTPS. Treat this key as exposed and rotate it.");
	*present = 1;
	if (key_hash(key, &kind, hash) != 0)
		memset(hash, 0, SHA256_LEN);    /* cannot match: answered as an unknown key */
	return 0;
}

/* The key and device (key_cache_lookup).  A malformed device id is never
 * sent to MySQL: it is a device that does not exist, answered exactly as an
 * unknown one is. */
static int api_lookup(struct api_ctx *c, const unsigned char *hash, const char *uid)
{
	if (uid != NULL && !valid_public_id(uid, "dev_"))
		uid = NULL;
	return key_cache_lookup(c->app->keys, c->app->db, hash, uid, &c->key, &c->dev);
}

/* Key + device lookup, last-used bookkeeping and the rate limit. */
static int api_identify_or_reply(struct api_ctx *c, const char *uid)
{
	unsigned char hash[SHA256_LEN];
	int present, live, rc, st;

	if ((st = api_credentials_or_reply(c, hash, &present)) != 0)
		return st;
	rc = api_lookup(c, present ? hash : NULL, uid);
	if (rc != DB_OK)
		return api_error(c->rs, 503, "unavailable",
		    "The service is temporarily unavailable; nothing was changed. Try again.");
	live = key_live(&c->key, ts_now_ms());
	if ((st = api_limit_or_reply(c, live)) != 0)
		return st;
	if (present && !live)
		return api_error(c->rs, 401, "invalid_key", "The API key is not valid.");
	if (live)
		key_touch(c->app->ratelimit, c->app->db, c->key.id, c->r->remote_addr);
	return 0;
}

static void api_init(struct api_ctx *c, struct app *app, struct req *r, struct resp *rs)
{
	memset(c, 0, sizeof(*c));
	c->app = app;
	c->r = r;
	c->rs = rs;
}

static int api_not_found(struct api_ctx *c)
{
	return api_error(c->rs, 404, "not_found", "No such device.");
}

int api_begin_device_or_reply(struct api_ctx *c, struct app *app, struct req *r, struct resp *rs,
    const char *uid, enum api_access access)
{
	int st;

	api_init(c, app, r, rs);
	if ((st = api_identify_or_reply(c, uid)) != 0)
		return st;
	if (c->key.id == 0) {
		if (access == API_READ && c->dev.id != 0 && c->dev.public_read)
			return 0;
		return api_error(rs, 401, "missing_key",
		    "An API key is required: Authorization: Bearer <key>.");
	}
	if (c->dev.id == 0)
		return api_not_found(c);
	if (c->key.kind == KEY_DEVICE && c->key.device_id != c->dev.id)
		return api_not_found(c);
	if (c->key.kind == KEY_ACCOUNT && c->key.account_id != c->dev.account_id)
		return api_not_found(c);
	return 0;
}

int api_begin_device_admin_or_reply(struct api_ctx *c, struct app *app, struct req *r,
    struct resp *rs, const char *uid)
{
	int st = api_begin_device_or_reply(c, app, r, rs, uid, API_WRITE);

	if (st != 0)
		return st;
	if (c->key.kind != KEY_ACCOUNT)
		return api_error(rs, 403, "forbidden", "This needs an account key, not a device key.");
	return 0;
}

int api_begin_account_or_reply(struct api_ctx *c, struct app *app, struct req *r,
    struct resp *rs)
{
	int st;

	api_init(c, app, r, rs);
	if ((st = api_identify_or_reply(c, NULL)) != 0)
		return st;
	if (c->key.id == 0)
		return api_error(rs, 401, "missing_key",
		    "An account API key is required: Authorization: Bearer <key>.");
	if (c->key.kind != KEY_ACCOUNT)
		return api_error(rs, 403, "forbidden", "This needs an account key, not a device key.");
	return 0;
}
