/*
 * test_alert_rule.c - what a customer may enter as an alert rule, and the
 * clear message for what they may not.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alert_rule.h"
#include "check.h"

struct fields {
	const char *const *kv;      /* name, value, name, value, ..., NULL */
};

static const char *get(void *ctx, const char *name)
{
	const char *const *kv = ((struct fields *)ctx)->kv;

	for (; *kv != NULL; kv += 2)
		if (strcmp(kv[0], name) == 0)
			return kv[1];
	return NULL;
}

static int parse(struct alert_rule_input *in, char *err, const char *const *kv)
{
	struct fields f = { kv };

	return alert_rule_parse(get, &f, in, err, 200);
}

#define KV(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define DEV "dev_AAAAAAAAAAAAAAAA"

/* Webhook URLs at entry: what passes, and the words for what does not. */
static const struct {
	int line;
	const char *url;
	const char *why;            /* NULL: accepted */
} url_cases[] = {
	{ __LINE__, "https://hooks.example.com/gauge", NULL },
	{ __LINE__, "https://hooks.example.com", NULL },
	{ __LINE__, "HTTPS://Hooks.Example.COM/x?token=abc&y=%2C", NULL },
	{ __LINE__, "https://127.0.0.1:8443/hook", NULL },     /* private: decided at delivery */
	{ __LINE__, "https://[2001:db8::1]:443/hook", NULL },
	{ __LINE__, "https://[::1]/hook", NULL },
	{ __LINE__, "https://a-b.c-d.example:65535/", NULL },
	{ __LINE__, "http://hooks.example.com/gauge", "https://" },
	{ __LINE__, "ftp://hooks.example.com/gauge", "https://" },
	{ __LINE__, "https://user:secret@hooks.example.com/", "user name or password" },
	{ __LINE__, "https://user@hooks.example.com/", "user name or password" },
	{ __LINE__, "https:///path", "no valid host" },
	{ __LINE__, "https://", "no valid host" },
	{ __LINE__, "https://-bad.example/", "no valid host" },
	{ __LINE__, "https://bad-.example/", "no valid host" },
	{ __LINE__, "https://a..example/", "no valid host" },
	{ __LINE__, "https://under_score.example/", "no valid host" },
	{ __LINE__, "https://hooks.example.com:0/", "no valid host" },
	{ __LINE__, "https://hooks.example.com:65536/", "no valid host" },
	{ __LINE__, "https://hooks.example.com:/", "no valid host" },
	{ __LINE__, "https://hooks.example.com:44a/", "no valid host" },
	{ __LINE__, "https://[2001:db8::zz]/", "no valid host" },
	{ __LINE__, "https://[2001:db8::1/", "no valid host" },
	{ __LINE__, "https://[::1]x/", "no valid host" },
	{ __LINE__, "https://hooks.example.com/a b", "printable ASCII" },
	{ __LINE__, "https://hooks.example.com/\xc3\xa9", "printable ASCII" },
	{ __LINE__, "https://hooks.example.com/a\x01", "printable ASCII" },
	{ __LINE__, "https://hooks.example.com/<x>", "printable ASCII" },
	{ __LINE__, "https://hooks.example.com/#top", "fragment" },
};

static void test_webhook_urls(void)
{
	char err[200], what[160], long_url[2100];

	for (size_t i = 0; i < sizeof(url_cases) / sizeof(url_cases[0]); i++) {
		int rc = webhook_url_check(url_cases[i].url, err, sizeof(err));

		snprintf(what, sizeof(what), "line %d: %s", url_cases[i].line, url_cases[i].url);
		if (url_cases[i].why == NULL)
			CHECK(rc == 0, what);
		else
			CHECK(rc == -1 && strstr(err, url_cases[i].why) != NULL, what);
		if ((rc == 0) != (url_cases[i].why == NULL))
			fprintf(stderr, "     said: %s\n", rc == 0 ? "(accepted)" : err);
	}
	/* 2048 bytes is the limit, inclusive. */
	memset(long_url, 'a', sizeof(long_url));
	memcpy(long_url, "https://h.example/", 18);
	long_url[2048] = '\0';
	CHECK(webhook_url_check(long_url, err, sizeof(err)) == 0, "a 2048-byte URL is accepted");
	long_url[2048] = 'a';
	long_url[2049] = '\0';
	CHECK(webhook_url_check(long_url, err, sizeof(err)) == -1 && strstr(err, "2048") != NULL,
	    "a 2049-byte URL is refused");
}

static void test_webhook_recipients(void)
{
	struct alert_rule_input in;
	char err[200], masked[300];

	CHECK(parse(&in, err, KV("name", "x", "device", DEV, "channel", "t", "kind", "above", "threshold", "1",
	    "recipients", "ops@acme.example, https://hooks.example.com/g?k=1, ops@acme.example")) == 0 &&
	    in.nrecipients == 2 && in.recipients[1].kind == RECIPIENT_WEBHOOK && alert_rule_has_webhook(&in),
	    "a webhook is a recipient; a repeated one counts once");
	CHECK(parse(&in, err, KV("name", "x", "device", DEV, "channel", "t", "kind", "above", "threshold", "1",
	    "recipients", "ops@acme.example")) == 0 && !alert_rule_has_webhook(&in), "no webhook, none said");
	CHECK(parse(&in, err, KV("name", "x", "device", DEV, "channel", "t", "kind", "above", "threshold", "1",
	    "recipients", "http://hooks.example.com/g")) == -1 && strstr(err, "https://") != NULL,
	    "http:// is refused with the reason");
	alert_recipient_mask("https://hooks.example.com:8443/secret-token?x=1", masked, sizeof(masked));
	CHECK(strcmp(masked, "https://hooks.example.com:8443/...") == 0, "a webhook is masked after its host");
}

int main(void)
{
	struct alert_rule_input in;
	char err[200];

	test_webhook_urls();
	test_webhook_recipients();

	CHECK(parse(&in, err, KV("name", "Kiln hot", "device", DEV, "channel", "temp", "kind", "above",
	    "threshold", "800", "clear_threshold", "780", "min_duration_s", "30", "reminder_minutes", "15",
	    "recipients", "ops@acme.example, +14155550123\n night@acme.example")) == 0, "a full rule parses");
	CHECK(in.rule.kind == ALERT_ABOVE && in.rule.threshold == 800 && in.rule.clear == 780, "thresholds kept");
	CHECK(in.rule.min_duration_ms == 30000 && in.rule.reminder_ms == 900000, "timing in ms");
	CHECK(in.nrecipients == 3 && in.recipients[1].kind == RECIPIENT_SMS &&
	    strcmp(in.recipients[2].address, "night@acme.example") == 0, "recipients split on commas and lines");
	CHECK(in.enabled && in.rule.notify_clear, "enabled and back-to-normal by default");
	CHECK(parse(&in, err, KV("name", "x", "device", DEV, "channel", "temp", "kind", "above",
	    "threshold", "5", "recipients", "a@b.example")) == 0 && in.rule.clear == 5,
	    "the clear threshold defaults to the trigger");

	const struct { const char *const *kv; const char *why; } bad[] = {
		{ KV("device", DEV, "channel", "t", "kind", "above", "threshold", "1", "recipients", "a@b.example"), "name" },
		{ KV("name", "x", "channel", "t", "kind", "above", "threshold", "1", "recipients", "a@b.example"), "device or a group" },
		{ KV("name", "x", "device", DEV, "group", "grp_AAAAAAAAAAAAAAAA", "channel", "t", "kind", "above",
		  "threshold", "1", "recipients", "a@b.example"), "device or a group" },
		{ KV("name", "x", "device", DEV, "channel", "t", "kind", "sideways", "recipients", "a@b.example"), "kind" },
		{ KV("name", "x", "device", DEV, "channel", "9t", "kind", "above", "threshold", "1", "recipients", "a@b.example"), "channel" },
		{ KV("name", "x", "device", DEV, "channel", "t", "kind", "above", "threshold", "hot", "recipients", "a@b.example"), "numbers" },
		{ KV("name", "x", "device", DEV, "channel", "t", "kind", "above", "threshold", "nan", "recipients", "a@b.example"), "numbers" },
		{ KV("name", "x", "device", DEV, "channel", "t", "kind", "above", "recipients", "a@b.example"), "Above needs" },
		{ KV("name", "x", "device", DEV, "channel", "t", "kind", "above", "threshold", "10", "clear_threshold", "12",
		  "recipients", "a@b.example"), "Above needs" },
		{ KV("name", "x", "device", DEV, "channel", "t", "kind", "outside", "threshold", "10", "recipients", "a@b.example"), "Outside" },
		{ KV("name", "x", "device", DEV, "channel", "t", "kind", "no_data", "recipients", "a@b.example"), "minutes" },
		{ KV("name", "x", "device", DEV, "channel", "t", "kind", "above", "threshold", "1", "min_duration_s", "-5",
		  "recipients", "a@b.example"), "Minimum duration" },
		{ KV("name", "x", "device", DEV, "channel", "t", "kind", "above", "threshold", "1", "recipients", ""), "at least one" },
		{ KV("name", "x", "device", DEV, "channel", "t", "kind", "above", "threshold", "1", "recipients", "not-an-address"), "neither" },
		{ KV("name", "x", "device", DEV, "channel", "t", "kind", "above", "threshold", "1", "recipients", "+0123456789"), "neither" },
		{ KV("name", "x", "device", DEV, "channel", "t", "kind", "above", "threshold", "1", "recipients", "+1415555"), "neither" },
		{ KV("name", "x", "device", "dev_short", "channel", "t", "kind", "above", "threshold", "1", "recipients", "a@b.example"), "no such" },
		/* issue 9: ids, numbers and switches that were let through */
		{ KV("name", "x", "device", "dev_\xc3\xa9" "AAAAAAAAAAAAAA", "channel", "t", "kind", "above", "threshold", "1",
		  "recipients", "a@b.example"), "no such" },
		{ KV("name", "x", "group", "dev_AAAAAAAAAAAAAAAA", "channel", "t", "kind", "above", "threshold", "1",
		  "recipients", "a@b.example"), "no such" },
		{ KV("name", "x", "device", DEV, "channel", "t", "kind", "above", "threshold", "0x10", "recipients", "a@b.example"), "numbers" },
		{ KV("name", "x", "device", DEV, "channel", "t", "kind", "above", "threshold", "1", "enabled", "banana",
		  "recipients", "a@b.example"), "enabled is on or off" },
		{ KV("name", "x", "device", DEV, "channel", "t", "kind", "above", "threshold", "1", "notify_clear", "\x01",
		  "recipients", "a@b.example"), "notify_clear is on or off" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = parse(&in, err, bad[i].kv);

		CHECK(rc == -1 && strstr(err, bad[i].why) != NULL, bad[i].why);
		if (rc == 0 || strstr(err, bad[i].why) == NULL)
			fprintf(stderr, "     case %zu said: %s\n", i, rc == 0 ? "(accepted)" : err);
	}
	CHECK(parse(&in, err, KV("name", "x", "device", DEV, "channel", "temp", "kind", "above", "threshold", "1",
	    "enabled", "false", "notify_clear", "off", "recipients", "a@b.example")) == 0 && !in.enabled &&
	    !in.rule.notify_clear, "enabled and notify_clear can be switched off");
	CHECK(phone_e164_ok("+14155550123") && phone_e164_ok("+4915112345678"), "E.164 numbers pass");
	CHECK(!phone_e164_ok("14155550123") && !phone_e164_ok("+1 415 555 0123") && !phone_e164_ok("+1234567890123456"),
	    "other phone formats are refused");
	return check_done("test_alert_rule");
}
