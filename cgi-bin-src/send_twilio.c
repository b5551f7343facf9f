/*
 * send_twilio.c - one SMS through Twilio's Messages API (see send_twilio.h).
 *
 * Values are form-encoded with curl_easy_escape, which leaves only RFC 3986
 * unreserved characters alone.  That matters for the '+' of every E.164
 * number: sent raw it would decode as a space and Twilio would answer 21211
 * for a number that is perfectly valid.
 *
 * Twilio's answers carry a numeric code next to the HTTP status; the status
 * decides, except for the few codes that mean "too much right now", which
 * are retried whatever status they come with.
 */
#include "send_twilio.h"

#include <ctype.h>
#include <curl/curl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>


#define TWILIO_ENDPOINT "https://api.twilio.com"

/* 20429 too many requests; 21611 the From number's queue is full. */
static const int twilio_transient[] = { 20429, 21611 };

/* Form-encodes s into a new arena string. */
static char *twilio_escape(struct arena *a, const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0);
	char *out = e != NULL ? arena_strdup(a, e) : NULL;

	curl_free(e);
	return out;
}

static char *twilio_url(struct arena *a, const struct twilio_conf *c)
{
	const char *base = c->endpoint != NULL && *c->endpoint != '\0' ?
	    c->endpoint : TWILIO_ENDPOINT;
	size_t blen = strlen(base), len;
	char *sid = twilio_escape(a, c->account_sid), *url;

	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	if (sid == NULL)
		return NULL;
	len = blen + strlen(sid) + sizeof("/2010-04-01/Accounts//Messages.json");
	if ((url = arena_alloc(a, len)) != NULL)
		snprintf(url, len, "%.*s/2010-04-01/Accounts/%s/Messages.json",
		    (int)blen, base, sid);
	return url;
}

static char *twilio_form(struct arena *a, const char *from,
    const struct twilio_sms *m)
{
	char *to = twilio_escape(a, m->to), *fr = twilio_escape(a, from);
	char *body = twilio_escape(a, m->body), *out;
	size_t len;

	if (to == NULL || fr == NULL || body == NULL)
		return NULL;
	len = strlen(to) + strlen(fr) + strlen(body) + sizeof("To=&From=&Body=");
	if ((out = arena_alloc(a, len)) != NULL)
		snprintf(out, len, "To=%s&From=%s&Body=%s", to, fr, body);
	return out;
}

static int twilio_missing(const char *s)
{
	return s == NULL || *s == '\0';
}

int twilio_prepare(struct arena *a, const struct twilio_conf *c,
    const struct twilio_sms *m, struct twilio_request *out,
    struct delivery_result *why)
{
	memset(out, 0, sizeof(*out));
	if (twilio_missing(c->account_sid) || twilio_missing(c->auth_token) ||
	    twilio_missing(c->from)) {
		delivery_fail(why, DELIVERY_PERMANENT, 0,
		    "twilio is not configured (account sid, token and from are required)");
		return -1;
	}
	if (c->endpoint != NULL && *c->endpoint != '\0' &&
	    strncasecmp(c->endpoint, "https://", 8) != 0) {
		delivery_fail(why, DELIVERY_PERMANENT, 0,
		    "twilio endpoint is not an https URL");
		return -1;
	}
	if (twilio_missing(m->to) || twilio_missing(m->body)) {
		delivery_fail(why, DELIVERY_PERMANENT, 0,
		    "an SMS needs a recipient and a body");
		return -1;
	}
	if ((out->url = twilio_url(a, c)) == NULL ||
	    (out->body = twilio_form(a, c->from, m)) == NULL) {
		delivery_fail(why, DELIVERY_RETRY, 0, "out of memory");
		return -1;
	}
	return 0;
}

static int twilio_is_transient(int code)
{
	for (size_t i = 0; i < sizeof(twilio_transient) / sizeof(twilio_transient[0]); i++)
		if (code == twilio_transient[i])
			return 1;
	return 0;
}

static json_object *twilio_field(json_object *doc, const char *key,
    json_type type)
{
	json_object *v;

	if (doc == NULL || !json_object_object_get_ex(doc, key, &v) ||
	    !json_object_is_type(v, type))
		return NULL;
	return v;
}

void twilio_classify(long status, const char *body, struct delivery_result *r)
{
	json_object *doc = delivery_json(body);
	json_object *sid, *code, *msg;
	int c;

	r->id[0] = '\0';
	r->error[0] = '\0';
	r->http_status = status;
	r->outcome = delivery_outcome_of(status);
	if (r->outcome == DELIVERY_SENT) {
		if ((sid = twilio_field(doc, "sid", json_type_string)) != NULL)
			snprintf(r->id, sizeof(r->id), "%s", json_object_get_string(sid));
		goto out;
	}
	code = twilio_field(doc, "code", json_type_int);
	msg = twilio_field(doc, "message", json_type_string);
	c = code != NULL ? json_object_get_int(code) : 0;
	if (code != NULL)
		delivery_fail(r, twilio_is_transient(c) ? DELIVERY_RETRY : r->outcome,
		    status, "%d: %s", c, msg != NULL ?
		    json_object_get_string(msg) : "(no message)");
	else
		delivery_fail(r, r->outcome, status, "HTTP %ld%s%s", status,
		    msg != NULL ? ": " : "", msg != NULL ? json_object_get_string(msg) : "");
out:
	json_object_put(doc);
}

static void twilio_answer(const struct delivery_response *rs,
    struct delivery_result *r)
{
	twilio_classify(rs->status, rs->body, r);
}

static const struct delivery_provider twilio_provider = { "twilio", 0, twilio_answer };

enum delivery_outcome twilio_send(struct delivery_conn *conn,
    const struct twilio_conf *c, const struct twilio_sms *m,
    struct delivery_result *r)
{
	static const char *const headers[] = {
		"Content-Type: application/x-www-form-urlencoded",
		"Accept: application/json",
	};
	struct arena a;
	struct twilio_request rq;

	arena_init(&a);
	memset(r, 0, sizeof(*r));
	if (twilio_prepare(&a, c, m, &rq, r) != 0)
		return delivery_send(conn, &a, &twilio_provider, NULL, m->to, r);
	return delivery_send(conn, &a, &twilio_provider, &(struct delivery_request){
	    .url = rq.url, .headers = headers, .nheaders = 2,
	    .body = rq.body, .body_len = strlen(rq.body),
	    .username = c->account_sid, .password = c->auth_token,
	    .ca_file = c->ca_file, .timeout_s = c->timeout_s,
	    .capture = { "Twilio-Request-Id" },
	    }, m->to, r);
}

int twilio_sid_ok(const char *s)
{
	if (s == NULL || strlen(s) != 34 || strncmp(s, "AC", 2) != 0)
		return 0;
	for (size_t i = 2; i < 34; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

void twilio_token_aad(long long account_id, char out[TWILIO_AAD_LEN])
{
	snprintf(out, TWILIO_AAD_LEN, "account:%lld:twilio", account_id);
}
