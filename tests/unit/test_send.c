/*
 * test_send.c - alert delivery without a network: the exact SES and
 * Twilio requests (JSON shape, form encoding of '+', Host with its port,
 * the Authorization header), and how every kind of answer is classified
 * into sent, retry or permanent.
 *
 * The signing itself is proven against AWS's vectors in test_sigv4.c; the
 * live exchange with the provider sinks is the end-to-end tests' job.
 */
#include <json-c/json.h>
#include <stdlib.h>

#include "check.h"
#include "send_http.h"
#include "log.h"
#include "send_ses.h"
#include "sigv4.h"
#include "send_twilio.h"
#include "send_webhook.h"

#define SECRET   "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define T_SUITE  1440938160     /* 20150830T123600Z */

static const struct ses_conf ses_base = {
	.region = "us-east-1", .access_key_id = "AKIDEXAMPLE",
	.secret_access_key = SECRET, .sender = "Gauge <alerts@example.com>",
};
static const struct ses_mail mail = {
	.to = "ops@example.com", .subject = "Boiler 3: temperature 97.5 > 95",
	.text = "Boiler 3 reported 97.5 at 12:36 UTC.",
};

static const char *header(const struct ses_request *rq, const char *prefix)
{
	for (size_t i = 0; i < rq->nheaders; i++)
		if (strncmp(rq->headers[i], prefix, strlen(prefix)) == 0)
			return rq->headers[i] + strlen(prefix);
	return NULL;
}

static void test_ses_body_is_the_sendemail_shape(void)
{
	struct arena a;
	struct ses_request rq;
	struct delivery_result why;
	struct ses_mail html = mail;
	json_object *doc, *v;

	arena_init(&a);
	CHECK(ses_prepare(&a, &ses_base, &mail, T_SUITE, &rq, &why) == 0,
	    "a configured SES request prepares");
	CHECK_STR(rq.body,
	    "{\"FromEmailAddress\":\"Gauge <alerts@example.com>\","
	    "\"Destination\":{\"ToAddresses\":[\"ops@example.com\"]},"
	    "\"Content\":{\"Simple\":{"
	    "\"Subject\":{\"Data\":\"Boiler 3: temperature 97.5 > 95\",\"Charset\":\"UTF-8\"},"
	    "\"Body\":{\"Text\":{\"Data\":\"Boiler 3 reported 97.5 at 12:36 UTC.\","
	    "\"Charset\":\"UTF-8\"}}}}}",
	    "SES body is SendEmail's Simple content, text only without html");

	html.subject = "quote \" and\nnewline";
	html.html = "<p>97.5 &gt; 95</p>";
	CHECK(ses_prepare(&a, &ses_base, &html, T_SUITE, &rq, &why) == 0,
	    "an SES request with html prepares");
	doc = json_tokener_parse(rq.body);
	CHECK(doc != NULL, "the SES body is valid JSON even with quotes and newlines");
	CHECK(json_pointer_get(doc, "/Content/Simple/Subject/Data", &v) == 0 &&
	    strcmp(json_object_get_string(v), "quote \" and\nnewline") == 0,
	    "the subject survives JSON escaping unchanged");
	CHECK(json_pointer_get(doc, "/Content/Simple/Body/Html/Data", &v) == 0 &&
	    strcmp(json_object_get_string(v), "<p>97.5 &gt; 95</p>") == 0,
	    "the html body goes in Body.Html.Data");
	CHECK(json_pointer_get(doc, "/Content/Simple/Body/Html/Charset", &v) == 0 &&
	    strcmp(json_object_get_string(v), "UTF-8") == 0,
	    "the html body is declared UTF-8");
	json_object_put(doc);
	arena_free(&a);
}

static void test_ses_url_and_host(void)
{
	struct arena a;
	struct ses_request rq;
	struct delivery_result why;
	struct ses_conf c = ses_base;

	arena_init(&a);
	c.region = "eu-west-1";
	CHECK(ses_prepare(&a, &c, &mail, T_SUITE, &rq, &why) == 0, "default endpoint prepares");
	CHECK_STR(rq.url, "https://email.eu-west-1.amazonaws.com/v2/email/outbound-emails",
	    "the default endpoint is email.{region}.amazonaws.com");
	CHECK_STR(header(&rq, "Host: "), "email.eu-west-1.amazonaws.com",
	    "the default Host has no port");

	c.endpoint = "https://127.0.0.1:8443/";
	CHECK(ses_prepare(&a, &c, &mail, T_SUITE, &rq, &why) == 0, "a local endpoint prepares");
	CHECK_STR(rq.url, "https://127.0.0.1:8443/v2/email/outbound-emails",
	    "a trailing slash on the endpoint is not doubled");
	CHECK_STR(header(&rq, "Host: "), "127.0.0.1:8443",
	    "a non-default port is part of the Host sent");
	CHECK(strstr(rq.canonical_request, "\nhost:127.0.0.1:8443\n") != NULL,
	    "... and of the host signed");

	c.endpoint = "https://email.example.com:443";
	CHECK(ses_prepare(&a, &c, &mail, T_SUITE, &rq, &why) == 0, "an explicit :443 prepares");
	CHECK_STR(header(&rq, "Host: "), "email.example.com",
	    "port 443 is left out of Host, as every client sends it");

	c.endpoint = "http://127.0.0.1:8080";
	CHECK(ses_prepare(&a, &c, &mail, T_SUITE, &rq, &why) == -1 &&
	    why.outcome == DELIVERY_PERMANENT,
	    "a plain http endpoint is refused for good");
	arena_free(&a);
}

static void test_ses_signed_headers(void)
{
	struct arena a;
	struct ses_request rq;
	struct delivery_result why;
	struct ses_conf c = ses_base;
	const char *auth, *want_prefix =
	    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ses/aws4_request, "
	    "SignedHeaders=content-type;host;x-amz-date, Signature=";

	arena_init(&a);
	CHECK(ses_prepare(&a, &c, &mail, T_SUITE, &rq, &why) == 0, "SES request prepares");
	CHECK_STR(header(&rq, "Content-Type: "), "application/json", "Content-Type is JSON");
	CHECK_STR(header(&rq, "X-Amz-Date: "), "20150830T123600Z",
	    "X-Amz-Date is the request time in compact ISO 8601");
	auth = header(&rq, "Authorization: ");
	CHECK(auth != NULL && strncmp(auth, want_prefix, strlen(want_prefix)) == 0 &&
	    strlen(auth) == strlen(want_prefix) + 64 &&
	    strspn(auth + strlen(want_prefix), "0123456789abcdef") == 64,
	    "Authorization names the ses scope, the three signed headers and 64 hex");
	CHECK(strncmp(rq.canonical_request, "POST\n/v2/email/outbound-emails\n\n",
	    sizeof("POST\n/v2/email/outbound-emails\n\n") - 1) == 0,
	    "the canonical request is a POST to the SendEmail path, no query");
	CHECK(header(&rq, "X-Amz-Security-Token: ") == NULL,
	    "no session token header without a session token");

	c.session_token = "FQoGZXIvYXdzEXAMPLE";
	CHECK(ses_prepare(&a, &c, &mail, T_SUITE, &rq, &why) == 0, "SES with a token prepares");
	CHECK_STR(header(&rq, "X-Amz-Security-Token: "), "FQoGZXIvYXdzEXAMPLE",
	    "a session token is sent");
	CHECK(strstr(header(&rq, "Authorization: "),
	    "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,") != NULL,
	    "... and signed");
	for (size_t i = 0; i < rq.nheaders; i++)
		CHECK(strstr(rq.headers[i], SECRET) == NULL, "no header carries the secret");
	CHECK(strstr(rq.body, SECRET) == NULL && strstr(rq.canonical_request, SECRET) == NULL,
	    "neither the body nor the canonical request carries the secret");
	arena_free(&a);
}

/* The signature is SigV4 over exactly what is sent: recompute it from the
 * header lines and body ses_prepare() produced. */
static void test_ses_signature_covers_what_is_sent(void)
{
	struct arena a;
	struct ses_request rq;
	struct delivery_result why;
	struct sigv4_signed s;
	struct ses_conf c = ses_base;

	arena_init(&a);
	c.endpoint = "https://127.0.0.1:8443";
	CHECK(ses_prepare(&a, &c, &mail, T_SUITE, &rq, &why) == 0, "SES request prepares");
	struct sigv4_header h[] = {
		{ "Host", header(&rq, "Host: ") },
		{ "Content-Type", header(&rq, "Content-Type: ") },
		{ "X-Amz-Date", header(&rq, "X-Amz-Date: ") },
	};
	struct sigv4_request r = {
		.method = "POST", .path = "/v2/email/outbound-emails", .headers = h,
		.nheaders = 3, .payload = rq.body, .payload_len = strlen(rq.body),
		.access_key_id = "AKIDEXAMPLE", .secret_access_key = SECRET,
		.region = "us-east-1", .service = "ses", .amz_date = "20150830T123600Z",
	};
	CHECK(sigv4_sign(&a, &r, &s) == 0, "the sent request re-signs");
	CHECK_STR(header(&rq, "Authorization: "), s.authorization,
	    "the Authorization sent is the signature of the headers and body sent");
	sigv4_forget(&s);
	arena_free(&a);
}

static void test_ses_refuses_incomplete_input(void)
{
	struct arena a;
	struct ses_request rq;
	struct delivery_result why;
	struct ses_conf c = ses_base;
	struct ses_mail m = mail;

	arena_init(&a);
	c.secret_access_key = NULL;
	CHECK(ses_prepare(&a, &c, &mail, T_SUITE, &rq, &why) == -1 &&
	    why.outcome == DELIVERY_PERMANENT, "SES without a secret is a permanent failure");
	m.to = "";
	CHECK(ses_prepare(&a, &ses_base, &m, T_SUITE, &rq, &why) == -1 &&
	    why.outcome == DELIVERY_PERMANENT, "an e-mail without a recipient is permanent");
	c = ses_base;
	c.access_key_id = "AKID/EVIL";
	CHECK(ses_prepare(&a, &c, &mail, T_SUITE, &rq, &why) == -1 &&
	    why.outcome == DELIVERY_PERMANENT, "an access key id with a slash is refused");
	arena_free(&a);
}

static const struct twilio_conf tw_base = {
	.account_sid = "AC0123456789abcdef0123456789abcdef",
	.auth_token = "secret-token", .from = "+15005550006",
};

static void test_twilio_request(void)
{
	struct arena a;
	struct twilio_request rq;
	struct delivery_result why;
	struct twilio_sms sms = { "+4915112345678", "T=97.5 > 95 & rising, 100% sure" };
	struct twilio_conf c = tw_base;

	arena_init(&a);
	CHECK(twilio_prepare(&a, &c, &sms, &rq, &why) == 0, "a Twilio request prepares");
	CHECK_STR(rq.url,
	    "https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json",
	    "the default endpoint is api.twilio.com with the account's Messages path");
	CHECK_STR(rq.body,
	    "To=%2B4915112345678&From=%2B15005550006"
	    "&Body=T%3D97.5%20%3E%2095%20%26%20rising%2C%20100%25%20sure",
	    "the form encodes '+' as %2B and every reserved character");
	CHECK(strstr(rq.body, "secret-token") == NULL && strstr(rq.url, "secret-token") == NULL,
	    "the token is in neither the URL nor the body");

	c.endpoint = "https://127.0.0.1:9443/";
	CHECK(twilio_prepare(&a, &c, &sms, &rq, &why) == 0, "a local Twilio endpoint prepares");
	CHECK_STR(rq.url,
	    "https://127.0.0.1:9443/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json",
	    "a trailing slash on the endpoint is not doubled");
	c.endpoint = "http://api.twilio.com";
	CHECK(twilio_prepare(&a, &c, &sms, &rq, &why) == -1 &&
	    why.outcome == DELIVERY_PERMANENT, "a plain http Twilio endpoint is refused");
	c = tw_base;
	c.auth_token = "";
	CHECK(twilio_prepare(&a, &c, &sms, &rq, &why) == -1 &&
	    why.outcome == DELIVERY_PERMANENT, "Twilio without a token is permanent");
	arena_free(&a);
}

static void test_outcome_by_status(void)
{
	CHECK(delivery_outcome_of(200) == DELIVERY_SENT, "200 is sent");
	CHECK(delivery_outcome_of(201) == DELIVERY_SENT, "201 is sent");
	CHECK(delivery_outcome_of(0) == DELIVERY_RETRY, "no answer is retried");
	CHECK(delivery_outcome_of(408) == DELIVERY_RETRY, "408 is retried");
	CHECK(delivery_outcome_of(429) == DELIVERY_RETRY, "429 is retried");
	CHECK(delivery_outcome_of(500) == DELIVERY_RETRY, "500 is retried");
	CHECK(delivery_outcome_of(503) == DELIVERY_RETRY, "503 is retried");
	CHECK(delivery_outcome_of(400) == DELIVERY_PERMANENT, "400 is permanent");
	CHECK(delivery_outcome_of(401) == DELIVERY_PERMANENT, "401 is permanent");
	CHECK(delivery_outcome_of(403) == DELIVERY_PERMANENT, "403 is permanent");
	CHECK(delivery_outcome_of(404) == DELIVERY_PERMANENT, "404 is permanent");
	CHECK(delivery_outcome_of(302) == DELIVERY_PERMANENT, "a redirect is permanent");
}

struct ses_case {
	long status;
	const char *type, *body;
	enum delivery_outcome want;
	const char *id, *error;
};

static const struct ses_case ses_cases[] = {
	{ 200, NULL, "{\"MessageId\":\"0100018f-abc-000000\"}", DELIVERY_SENT,
	  "0100018f-abc-000000", "" },
	{ 200, NULL, "", DELIVERY_SENT, "", "" },
	{ 500, "InternalFailure", "{\"message\":\"Internal failure\"}", DELIVERY_RETRY,
	  "", "InternalFailure: Internal failure" },
	{ 503, NULL, "<html>bad gateway</html>", DELIVERY_RETRY, "", "HTTP 503" },
	{ 429, "TooManyRequestsException", "{\"message\":\"Too many requests\"}",
	  DELIVERY_RETRY, "", "TooManyRequestsException: Too many requests" },
	{ 400, "Throttling", "{\"message\":\"Maximum sending rate exceeded.\"}",
	  DELIVERY_RETRY, "", "Throttling: Maximum sending rate exceeded." },
	{ 400, "MessageRejected", "{\"message\":\"Email address is not verified.\"}",
	  DELIVERY_PERMANENT, "", "MessageRejected: Email address is not verified." },
	{ 400, "BadRequestException:http://internal.amazon.com/coral/validate/",
	  "{\"message\":\"Missing FromEmailAddress\"}", DELIVERY_PERMANENT, "",
	  "BadRequestException: Missing FromEmailAddress" },
	{ 403, "SignatureDoesNotMatch",
	  "{\"message\":\"The signature does not match.\\n\\nThe Canonical String "
	  "for this request should have been\\n'POST\\n/v2/...'\"}",
	  DELIVERY_PERMANENT, "", "SignatureDoesNotMatch: The signature does not match." },
	{ 400, NULL, "{\"__type\":\"com.amazon.ses#LimitExceededException\","
	  "\"Message\":\"Daily quota\"}", DELIVERY_RETRY, "",
	  "LimitExceededException: Daily quota" },
};

static void test_ses_classify(void)
{
	char what[200];

	for (size_t i = 0; i < sizeof(ses_cases) / sizeof(ses_cases[0]); i++) {
		const struct ses_case *k = &ses_cases[i];
		struct delivery_result r;

		memset(&r, 0x55, sizeof(r));
		ses_classify(k->status, k->type, k->body, &r);
		snprintf(what, sizeof(what), "SES %ld %s: outcome", k->status,
		    k->type != NULL ? k->type : "(no type)");
		CHECK(r.outcome == k->want, what);
		CHECK(r.http_status == k->status, "SES: the status is kept");
		snprintf(what, sizeof(what), "SES %ld: message id", k->status);
		CHECK_STR(r.id, k->id, what);
		snprintf(what, sizeof(what), "SES %ld: one-line error text", k->status);
		CHECK_STR(r.error, k->error, what);
	}
}

struct twilio_case {
	long status;
	const char *body;
	enum delivery_outcome want;
	const char *id, *error;
};

static const struct twilio_case twilio_cases[] = {
	{ 201, "{\"sid\":\"SM0123456789abcdef0123456789abcdef\",\"status\":\"queued\"}",
	  DELIVERY_SENT, "SM0123456789abcdef0123456789abcdef", "" },
	{ 400, "{\"code\":21211,\"message\":\"The 'To' number 123 is not a valid phone number.\","
	  "\"more_info\":\"https://www.twilio.com/docs/errors/21211\",\"status\":400}",
	  DELIVERY_PERMANENT, "", "21211: The 'To' number 123 is not a valid phone number." },
	{ 401, "{\"code\":20003,\"message\":\"Authenticate\",\"status\":401}",
	  DELIVERY_PERMANENT, "", "20003: Authenticate" },
	{ 429, "{\"code\":20429,\"message\":\"Too Many Requests\",\"status\":429}",
	  DELIVERY_RETRY, "", "20429: Too Many Requests" },
	{ 400, "{\"code\":21611,\"message\":\"This 'From' number has exceeded the maximum "
	  "number of queued messages\",\"status\":400}", DELIVERY_RETRY, "",
	  "21611: This 'From' number has exceeded the maximum number of queued messages" },
	{ 500, "{\"code\":20500,\"message\":\"Internal Server Error\",\"status\":500}",
	  DELIVERY_RETRY, "", "20500: Internal Server Error" },
	{ 502, "<html>bad gateway</html>", DELIVERY_RETRY, "", "HTTP 502" },
};

static void test_twilio_classify(void)
{
	char what[200];

	for (size_t i = 0; i < sizeof(twilio_cases) / sizeof(twilio_cases[0]); i++) {
		const struct twilio_case *k = &twilio_cases[i];
		struct delivery_result r;

		memset(&r, 0x55, sizeof(r));
		twilio_classify(k->status, k->body, &r);
		snprintf(what, sizeof(what), "Twilio %ld case %zu: outcome", k->status, i);
		CHECK(r.outcome == k->want, what);
		snprintf(what, sizeof(what), "Twilio %ld case %zu: sid", k->status, i);
		CHECK_STR(r.id, k->id, what);
		snprintf(what, sizeof(what), "Twilio %ld case %zu: error text", k->status, i);
		CHECK_STR(r.error, k->error, what);
	}
}

/* Both refusals happen inside libcurl or before it, never on the wire. */
static void test_post_refuses_without_network(void)
{
	const char *evil[] = { "X-Test: a\r\nX-Injected: b" };
	struct delivery_conn *c = delivery_conn_new();
	struct delivery_response rs;
	struct arena a;

	arena_init(&a);
	CHECK(c != NULL, "a connection handle is created");
	CHECK(delivery_post(c, &a, &(struct delivery_request){
	    .url = "http://127.0.0.1:9/", .body = "x", .body_len = 1,
	    }, &rs) == -1 && rs.status == 0 && rs.error[0] != '\0',
	    "a plain http URL is refused: credentials never travel in clear");
	CHECK(delivery_post(c, &a, &(struct delivery_request){
	    .url = "https://127.0.0.1:9/", .headers = evil, .nheaders = 1,
	    }, &rs) == -1 && rs.status == 0,
	    "a header line with CR LF is refused");
	delivery_conn_free(c);
	arena_free(&a);
}

static void test_send_logs_and_fails_permanently_on_bad_config(void)
{
	struct delivery_conn *c = delivery_conn_new();
	struct delivery_result r;
	struct ses_conf sc = ses_base;
	struct twilio_conf tc = tw_base;
	struct twilio_sms sms = { "+4915112345678", "x" };

	sc.region = NULL;
	CHECK(ses_send(c, &sc, &mail, &r) == DELIVERY_PERMANENT &&
	    r.http_status == 0 && r.error[0] != '\0',
	    "ses_send without a region fails for good before any request");
	tc.from = NULL;
	CHECK(twilio_send(c, &tc, &sms, &r) == DELIVERY_PERMANENT &&
	    r.http_status == 0, "twilio_send without a From fails for good");
	delivery_conn_free(c);
}

/* The Gauge-Signature header against a value computed elsewhere (Python's hmac). */
static void test_webhook_signature(void)
{
	char sig[WEBHOOK_SIGNATURE_LEN], secret[WEBHOOK_SECRET_LEN + 1], other[WEBHOOK_SECRET_LEN + 1];
	const char *body = "{\"event\":\"alarm\"}";
	struct delivery_result r;

	CHECK(webhook_signature("whsec_test", 1700000000, body, strlen(body), sig) == 0 &&
	    strcmp(sig, "t=1700000000,v1=4f714ff4ddbbc9e78e0d140e8ee2cbdb1fe470a4dd340acef1ee71abed9e021b") == 0,
	    "HMAC-SHA256 of \"<t>.<body>\" keyed with the whole secret");
	CHECK(webhook_secret_generate(secret) == 0 && webhook_secret_generate(other) == 0 &&
	    strlen(secret) == WEBHOOK_SECRET_LEN && strncmp(secret, "whsec_", 6) == 0 && strcmp(secret, other) != 0,
	    "secrets are whsec_ and 43 random base64url characters, each new");
	webhook_classify(204, &r);
	CHECK(r.outcome == DELIVERY_SENT, "2xx is delivered");
	webhook_classify(503, &r);
	CHECK(r.outcome == DELIVERY_RETRY, "5xx is retried");
	webhook_classify(404, &r);
	CHECK(r.outcome == DELIVERY_PERMANENT && strcmp(r.error, "HTTP 404 from the webhook receiver") == 0,
	    "another 4xx fails for good, saying its status");
}

int main(void)
{
	log_set_level(LOG_ERROR);
	test_webhook_signature();
	if (delivery_global_init() != 0)
		return 1;
	test_ses_body_is_the_sendemail_shape();
	test_ses_url_and_host();
	test_ses_signed_headers();
	test_ses_signature_covers_what_is_sent();
	test_ses_refuses_incomplete_input();
	test_twilio_request();
	test_outcome_by_status();
	test_ses_classify();
	test_twilio_classify();
	test_post_refuses_without_network();
	test_send_logs_and_fails_permanently_on_bad_config();
	delivery_global_cleanup();
	return check_done("test_send");
}
