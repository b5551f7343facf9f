/*
 * send_ses.c - one e-mail through SES v2 SendEmail (see send_ses.h).
 *
 * The URL is parsed once with libcurl's own parser and both the signature
 * and the request are built from its parts, and the Host header is sent
 * explicitly: what is signed is then what is sent by construction, even for
 * an endpoint with a port (a local sink, a VPC endpoint) where curl's idea
 * of the Host line and ours could otherwise differ.
 *
 * Signed headers are content-type, host, x-amz-date and, with temporary
 * credentials, x-amz-security-token: everything we send that a man in the
 * middle could usefully change.  The body hash is part of every SigV4
 * signature anyway, so x-amz-content-sha256 (an S3 habit) is not sent.
 *
 * Answers are read the way the AWS SDKs read them: the x-amzn-ErrorType
 * header names the error ("Type:namespace", the part before ':' counts),
 * the JSON "message" explains it, and throttling types are retried whatever
 * their status, as in botocore's standard retry mode.
 */
#include "send_ses.h"

#include <curl/curl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sigv4.h"

#define SES_PATH "/v2/email/outbound-emails"

/* Error types that mean "slow down" or "not now" rather than "no". */
static const char *const ses_transient[] = {
	"Throttling", "ThrottlingException", "ThrottledException",
	"RequestThrottledException", "TooManyRequestsException",
	"LimitExceededException", "RequestLimitExceeded", "RequestThrottled",
	"SlowDown", "RequestTimeout", "RequestTimeoutException",
	"PriorRequestNotComplete", "ServiceUnavailable", "InternalFailure",
};

struct ses_target {
	const char *url, *host, *path, *query;
};

static char *ses_strdup_free(struct arena *a, char *s)
{
	char *out = s != NULL ? arena_strdup(a, s) : NULL;

	curl_free(s);
	return out;
}

/* Host as a client sends it: the port only when it is not https's 443. */
static int ses_parse_url(struct arena *a, CURLU *u, struct ses_target *t)
{
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *query = NULL;
	int rc = -1;

	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    strcasecmp(scheme, "https") != 0 ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK)
		goto out;
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	if (port != NULL && strcmp(port, "443") != 0) {
		size_t n = strlen(host) + strlen(port) + 2;
		char *hp = arena_alloc(a, n);

		if (hp != NULL)
			snprintf(hp, n, "%s:%s", host, port);
		t->host = hp;
	} else {
		t->host = arena_strdup(a, host);
	}
	t->path = arena_strdup(a, path);
	t->query = query != NULL ? arena_strdup(a, query) : "";
	if (t->host != NULL && t->path != NULL && t->query != NULL)
		rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(query);
	return rc;
}

static int ses_target(struct arena *a, const struct ses_conf *c,
    struct ses_target *t)
{
	char url[1024];
	const char *base = c->endpoint;
	size_t n;
	CURLU *u;
	int rc = -1;

	if (base != NULL && *base != '\0')
		n = (size_t)snprintf(url, sizeof(url), "%s", base);
	else
		n = (size_t)snprintf(url, sizeof(url),
		    "https://email.%s.amazonaws.com", c->region);
	while (n > 0 && n < sizeof(url) && url[n - 1] == '/')
		url[--n] = '\0';
	if (n + sizeof(SES_PATH) > sizeof(url) || (u = curl_url()) == NULL)
		return -1;
	memcpy(url + n, SES_PATH, sizeof(SES_PATH));
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    ses_parse_url(a, u, t) == 0) {
		char *full = NULL;

		curl_url_get(u, CURLUPART_URL, &full, 0);
		if ((t->url = ses_strdup_free(a, full)) != NULL)
			rc = 0;
	}
	curl_url_cleanup(u);
	return rc;
}

/* {"Data": s, "Charset": "UTF-8"}, the shape of every SES text part. */
static json_object *ses_text(const char *s)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "Data", json_object_new_string(s));
	json_object_object_add(o, "Charset", json_object_new_string("UTF-8"));
	return o;
}

static const char *ses_body(struct arena *a, const char *from,
    const struct ses_mail *m)
{
	json_object *root = json_object_new_object(), *dest, *to, *simple, *body,
	    *content;
	const char *s;
	char *out;

	dest = json_object_new_object();
	to = json_object_new_array();
	json_object_array_add(to, json_object_new_string(m->to));
	json_object_object_add(dest, "ToAddresses", to);
	body = json_object_new_object();
	json_object_object_add(body, "Text", ses_text(m->text));
	if (m->html != NULL)
		json_object_object_add(body, "Html", ses_text(m->html));
	simple = json_object_new_object();
	json_object_object_add(simple, "Subject", ses_text(m->subject));
	json_object_object_add(simple, "Body", body);
	content = json_object_new_object();
	json_object_object_add(content, "Simple", simple);
	json_object_object_add(root, "FromEmailAddress", json_object_new_string(from));
	json_object_object_add(root, "Destination", dest);
	json_object_object_add(root, "Content", content);
	s = json_object_to_json_string_ext(root,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	out = s != NULL ? arena_strdup(a, s) : NULL;
	json_object_put(root);
	return out;
}

/* Header lines for curl from the signed list, then the signature. */
static int ses_lines(struct arena *a, const struct sigv4_header *h, size_t n,
    const char *authorization, struct ses_request *out)
{
	static const char *const names[] = {
		"Host", "Content-Type", "X-Amz-Date", "X-Amz-Security-Token",
	};

	for (size_t i = 0; i <= n; i++) {
		const char *name = i < n ? names[i] : "Authorization";
		const char *value = i < n ? h[i].value : authorization;
		size_t len = strlen(name) + strlen(value) + 3;
		char *line = arena_alloc(a, len);

		if (line == NULL)
			return -1;
		snprintf(line, len, "%s: %s", name, value);
		out->headers[out->nheaders++] = line;
	}
	return 0;
}

static int ses_sign(struct arena *a, const struct ses_conf *c,
    const struct ses_target *t, const char *date, struct ses_request *out)
{
	struct sigv4_header h[] = {
		{ "host", t->host }, { "content-type", "application/json" },
		{ "x-amz-date", date }, { "x-amz-security-token", c->session_token },
	};
	size_t n = c->session_token != NULL && *c->session_token != '\0' ? 4 : 3;
	struct sigv4_request r = {
		.method = "POST", .path = t->path, .query = t->query,
		.headers = h, .nheaders = n,
		.payload = out->body, .payload_len = strlen(out->body),
		.access_key_id = c->access_key_id,
		.secret_access_key = c->secret_access_key,
		.region = c->region, .service = "ses", .amz_date = date,
	};
	struct sigv4_signed s;
	int rc = -1;

	if (sigv4_sign(a, &r, &s) == 0) {
		out->canonical_request = s.canonical_request;
		out->authorization = s.authorization;
		rc = ses_lines(a, h, n, s.authorization, out);
	}
	sigv4_forget(&s);
	return rc;
}

static int ses_missing(const char *s)
{
	return s == NULL || *s == '\0';
}

int ses_prepare(struct arena *a, const struct ses_conf *c,
    const struct ses_mail *m, time_t now, struct ses_request *out,
    struct delivery_result *why)
{
	struct ses_target t;
	char date[SIGV4_AMZ_DATE_SIZE];

	memset(out, 0, sizeof(*out));
	if (ses_missing(c->region) || ses_missing(c->access_key_id) ||
	    ses_missing(c->secret_access_key) || ses_missing(c->sender)) {
		delivery_fail(why, DELIVERY_PERMANENT, 0,
		    "ses is not configured (region, keys and sender are required)");
		return -1;
	}
	if (ses_missing(m->to) || m->subject == NULL || m->text == NULL) {
		delivery_fail(why, DELIVERY_PERMANENT, 0,
		    "an e-mail needs a recipient, a subject and a text body");
		return -1;
	}
	if (ses_target(a, c, &t) != 0) {
		delivery_fail(why, DELIVERY_PERMANENT, 0,
		    "ses endpoint is not a usable https URL");
		return -1;
	}
	out->url = t.url;
	out->host = t.host;
	if (sigv4_amz_date(now, date) != 0 ||
	    (out->body = ses_body(a, c->sender, m)) == NULL ||
	    ses_sign(a, c, &t, date, out) != 0) {
		delivery_fail(why, DELIVERY_PERMANENT, 0,
		    "cannot build or sign the request (bad credentials format?)");
		return -1;
	}
	return 0;
}

static int ses_is_transient(const char *type)
{
	for (size_t i = 0; i < sizeof(ses_transient) / sizeof(ses_transient[0]); i++)
		if (strcmp(type, ses_transient[i]) == 0)
			return 1;
	return 0;
}

static const char *ses_json_str(json_object *o, const char *key)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* The type, from the header or else the JSON "__type" some services use;
 * both may carry a namespace, which is dropped. */
static void ses_error_type(const char *header, json_object *doc, char *out,
    size_t len)
{
	const char *t = header != NULL ? header : ses_json_str(doc, "__type");
	const char *hash;

	if (t == NULL)
		t = "";
	if ((hash = strrchr(t, '#')) != NULL)
		t = hash + 1;
	snprintf(out, len, "%.*s", (int)strcspn(t, ":"), t);
}

void ses_classify(long status, const char *error_type, const char *body,
    struct delivery_result *r)
{
	json_object *doc = delivery_json(body);
	const char *msg, *id;
	char type[96];

	r->id[0] = '\0';
	r->error[0] = '\0';
	r->http_status = status;
	r->outcome = delivery_outcome_of(status);
	if (r->outcome == DELIVERY_SENT) {
		if ((id = ses_json_str(doc, "MessageId")) != NULL)
			snprintf(r->id, sizeof(r->id), "%s", id);
		goto out;
	}
	ses_error_type(error_type, doc, type, sizeof(type));
	if (type[0] == '\0')
		snprintf(type, sizeof(type), "HTTP %ld", status);
	if ((msg = ses_json_str(doc, "message")) == NULL)
		msg = ses_json_str(doc, "Message");
	delivery_fail(r, ses_is_transient(type) ? DELIVERY_RETRY : r->outcome,
	    status, "%s%s%s", type, msg != NULL ? ": " : "",
	    msg != NULL ? msg : "");
out:
	json_object_put(doc);
}

static void ses_answer(const struct delivery_response *rs,
    struct delivery_result *r)
{
	ses_classify(rs->status, rs->captured[0], rs->body, r);
}

static const struct delivery_provider ses_provider = { "ses", 1, ses_answer };

enum delivery_outcome ses_send(struct delivery_conn *conn,
    const struct ses_conf *c, const struct ses_mail *m,
    struct delivery_result *r)
{
	struct arena a;
	struct ses_request rq;

	arena_init(&a);
	memset(r, 0, sizeof(*r));
	if (ses_prepare(&a, c, m, time(NULL), &rq, r) != 0)
		return delivery_send(conn, &a, &ses_provider, NULL, m->to, r);
	return delivery_send(conn, &a, &ses_provider, &(struct delivery_request){
	    .url = rq.url, .headers = rq.headers, .nheaders = rq.nheaders,
	    .body = rq.body, .body_len = strlen(rq.body),
	    .ca_file = c->ca_file, .timeout_s = c->timeout_s,
	    .capture = { "x-amzn-ErrorType", "x-amzn-RequestId" },
	    }, m->to, r);
}
