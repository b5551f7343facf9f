/*
 * alert_rule.c - validating alert rules (see alert_rule.h).
 *
 * Everything arrives as text (forms) or is turned into text (JSON values),
 * so one parser serves the dashboard and the API, and both refuse the same
 * things with the same words.
 */
#include "alert_rule.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "valid.h"

/* Writes the refusal into err and returns -1, for `return rule_bad(err, errlen, ...)`. */
static int rule_bad(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((cold, format(printf, 3, 4)));

static int rule_bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *const recipient_kinds[] = { "email", "sms", "webhook" };

const char *recipient_kind_name(enum recipient_kind k)
{
	return (size_t)k < sizeof(recipient_kinds) / sizeof(recipient_kinds[0]) ? recipient_kinds[k] : "email";
}

enum recipient_kind recipient_kind_parse(const char *name)
{
	for (size_t i = 0; name != NULL && i < sizeof(recipient_kinds) / sizeof(recipient_kinds[0]); i++)
		if (strcmp(name, recipient_kinds[i]) == 0)
			return (enum recipient_kind)i;
	return RECIPIENT_EMAIL;
}

int phone_e164_ok(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n < 9 || n > 16 || s[0] != '+' || s[1] < '1' || s[1] > '9')
		return 0;
	for (size_t i = 2; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* A host name: dot-separated labels of letters, digits and inner hyphens,
 * each 1 to 63 long, 253 in all (so a dotted IPv4 address is one too). */
static int host_name_ok(const char *h, size_t n)
{
	size_t label = 0;

	if (n == 0 || n > 253)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (h[i] == '.') {
			if (label == 0 || h[i - 1] == '-')
				return 0;
			label = 0;
		} else if (isalnum((unsigned char)h[i]) || (h[i] == '-' && label > 0)) {
			if (++label > 63)
				return 0;
		} else {
			return 0;
		}
	}
	return label > 0 && h[n - 1] != '-';
}

/* The authority after "https://": host, [IPv6] or host:port. */
static int authority_ok(const char *a, size_t n)
{
	const char *colon;
	size_t hn = n;
	char v6[64];

	if (n > 0 && a[0] == '[') {
		const char *close = memchr(a, ']', n);

		if (close == NULL || (size_t)(close - a - 1) >= sizeof(v6))
			return 0;
		memcpy(v6, a + 1, (size_t)(close - a - 1));
		v6[close - a - 1] = '\0';
		if (inet_pton(AF_INET6, v6, (unsigned char[16]){ 0 }) != 1)
			return 0;
		hn = (size_t)(close - a + 1);
		colon = hn < n ? a + hn : NULL;
		if (colon != NULL && *colon != ':')
			return 0;
	} else {
		colon = memchr(a, ':', n);
		hn = colon != NULL ? (size_t)(colon - a) : n;
		if (!host_name_ok(a, hn))
			return 0;
	}
	if (colon != NULL) {
		long port = 0;
		size_t digits = n - (size_t)(colon - a) - 1;

		if (digits == 0 || digits > 5)
			return 0;
		for (size_t i = 1; i <= digits; i++) {
			if (!isdigit((unsigned char)colon[i]))
				return 0;
			port = port * 10 + (colon[i] - '0');
		}
		if (port < 1 || port > 65535)
			return 0;
	}
	return 1;
}

int webhook_url_check(const char *url, char *err, size_t errlen)
{
	size_t n = url != NULL ? strlen(url) : 0, alen;

	if (n > ALERT_ADDRESS_MAX)
		return rule_bad(err, errlen, "A webhook URL is at most %d bytes.", ALERT_ADDRESS_MAX);
	if (strncasecmp(url, "https://", 8) != 0)
		return rule_bad(err, errlen, "Webhook URLs must start with https:// ('%.40s' does not).", url);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)url[i] <= 0x20 || (unsigned char)url[i] >= 0x7f ||
		    strchr("<>\"\\^`{|}", url[i]) != NULL)
			return rule_bad(err, errlen,
			    "A webhook URL is printable ASCII without spaces; percent-encode anything else.");
	if (strchr(url, '#') != NULL)
		return rule_bad(err, errlen, "A webhook URL has no #fragment (it is never sent).");
	alen = strcspn(url + 8, "/?");
	if (memchr(url + 8, '@', alen) != NULL)
		return rule_bad(err, errlen, "A webhook URL must not carry a user name or password (user:password@).");
	if (!authority_ok(url + 8, alen))
		return rule_bad(err, errlen,
		    "'%.60s' has no valid host (a name like hooks.example.com, an IP address, an optional :port).", url);
	return 0;
}

int alert_rule_has_webhook(const struct alert_rule_input *in)
{
	for (size_t i = 0; i < in->nrecipients; i++)
		if (in->recipients[i].kind == RECIPIENT_WEBHOOK)
			return 1;
	return 0;
}

void alert_recipient_mask(const char *addr, char *out, size_t len)
{
	const char *at = strchr(addr, '@');
	size_t n = strlen(addr);

	if (strncasecmp(addr, "https://", 8) == 0)
		snprintf(out, len, "https://%.*s/...", (int)strcspn(addr + 8, "/?"), addr + 8);
	else if (at != NULL)
		snprintf(out, len, "%c***%s", addr[0], at);
	else if (n > 7)
		snprintf(out, len, "%.5s%.*s%s", addr, (int)(n - 7), "****************", addr + n - 2);
	else
		snprintf(out, len, "***");
}

/* A finite number, or NAN when the field is empty; -1 when malformed. */
static int number(const char *s, double *out)
{
	*out = NAN;
	if (s == NULL || *s == '\0')
		return 0;
	return valid_decimal(s, out) ? 0 : -1;
}

/* A whole number within [0, max], or def when the field is empty. */
static int whole(const char *s, long max, long def, long *out)
{
	char *end;

	*out = def;
	if (s == NULL || *s == '\0')
		return 0;
	errno = 0;
	*out = strtol(s, &end, 10);
	return errno == 0 && *end == '\0' && isdigit((unsigned char)*s) && *out <= max ? 0 : -1;
}

/* A checkbox or JSON boolean: on/true/1 or off/false/0; def when absent;
 * -1 for anything else, so a typo never flips a rule off silently. */
static int on_off(const char *s, int def)
{
	static const char *const on[] = { "on", "true", "1" }, *const off[] = { "off", "false", "0" };

	if (s == NULL || *s == '\0')
		return def;
	for (size_t i = 0; i < 3; i++) {
		if (strcmp(s, on[i]) == 0)
			return 1;
		if (strcmp(s, off[i]) == 0)
			return 0;
	}
	return -1;
}

/* One recipient's kind, or -1 with err: e-mail, +phone or https:// URL
 * (anything with "://" is taken for a URL, so http:// is told why). */
static int recipient_kind(const char *addr, char *err, size_t errlen)
{
	if (strstr(addr, "://") != NULL)
		return webhook_url_check(addr, err, errlen) == 0 ? RECIPIENT_WEBHOOK : -1;
	if (addr[0] == '+' ? phone_e164_ok(addr) : valid_email(addr))
		return addr[0] == '+' ? RECIPIENT_SMS : RECIPIENT_EMAIL;
	return rule_bad(err, errlen, "'%.60s' is neither an e-mail address nor a phone number like "
	    "+14155550123, nor an https:// webhook URL.", addr);
}

static int recipient_seen(const struct alert_rule_input *in, const char *addr)
{
	for (size_t i = 0; i < in->nrecipients; i++)
		if (strcmp(in->recipients[i].address, addr) == 0)
			return 1;
	return 0;
}

static int parse_recipients(const char *list, struct alert_rule_input *in, char *err, size_t errlen)
{
	const char *p = list != NULL ? list : "";

	in->nrecipients = 0;
	while (*p != '\0') {
		size_t n = strcspn(p, ",\n\r");
		char addr[ALERT_ADDRESS_MAX + 1];
		int kind;

		while (n > 0 && isspace((unsigned char)*p)) {
			p++;
			n--;
		}
		while (n > 0 && isspace((unsigned char)p[n - 1]))
			n--;
		if (n > 0) {
			if (n >= sizeof(addr))
				return rule_bad(err, errlen, "A recipient is at most %d bytes (a webhook URL); "
				    "e-mail addresses at most %d.", ALERT_ADDRESS_MAX, VALID_EMAIL_MAX);
			memcpy(addr, p, n);
			addr[n] = '\0';
			if ((kind = recipient_kind(addr, err, errlen)) < 0)
				return -1;
			if (!recipient_seen(in, addr)) {
				if (in->nrecipients == ALERT_RECIPIENTS_MAX)
					return rule_bad(err, errlen, "At most %d recipients.", ALERT_RECIPIENTS_MAX);
				in->recipients[in->nrecipients].kind = (enum recipient_kind)kind;
				snprintf(in->recipients[in->nrecipients].address, sizeof(addr), "%s", addr);
				in->nrecipients++;
			}
		}
		p += strcspn(p, ",\n\r");
		p += strspn(p, ",\n\r");
	}
	if (in->nrecipients == 0)
		return rule_bad(err, errlen,
		    "Give at least one recipient: an e-mail address, a phone number or an https:// webhook URL.");
	return 0;
}

static int parse_target(alert_field_fn get, void *ctx, struct alert_rule_input *in, char *err, size_t errlen)
{
	const char *dev = get(ctx, "device"), *grp = get(ctx, "group");
	int has_dev = dev != NULL && *dev != '\0', has_grp = grp != NULL && *grp != '\0';

	if (has_dev == has_grp)
		return rule_bad(err, errlen, "Choose either a device or a group.");
	if (!valid_public_id(has_dev ? dev : grp, has_dev ? "dev_" : "grp_"))
		return rule_bad(err, errlen, "There is no such %s.", has_dev ? "device" : "group");
	snprintf(has_dev ? in->device_uid : in->group_uid, PUBLIC_ID_LEN + 1, "%s", has_dev ? dev : grp);
	return 0;
}

static int parse_thresholds(alert_field_fn get, void *ctx, struct alert_rule *r, char *err, size_t errlen)
{
	if (number(get(ctx, "threshold"), &r->threshold) || number(get(ctx, "threshold_high"), &r->threshold_high) ||
	    number(get(ctx, "clear_threshold"), &r->clear) || number(get(ctx, "clear_threshold_high"), &r->clear_high))
		return rule_bad(err, errlen, "Thresholds must be plain numbers.");
	return 0;
}

static int parse_timing(alert_field_fn get, void *ctx, struct alert_rule *r, char *err, size_t errlen)
{
	long no_data, min_dur, remind, remind_s;

	if (whole(get(ctx, "no_data_minutes"), 10080, 0, &no_data))
		return rule_bad(err, errlen,
		    "No data for: a whole number of minutes, up to a week.");
	if (whole(get(ctx, "min_duration_s"), 86400, 0, &min_dur))
		return rule_bad(err, errlen,
		    "Minimum duration: a whole number of seconds, up to a day.");
	if (whole(get(ctx, "reminder_minutes"), 10080, 0, &remind))
		return rule_bad(err, errlen,
		    "Reminder interval: a whole number of minutes (0 for none), up to a week.");
	/* The API may also give reminders in seconds (reminder_s). */
	if (whole(get(ctx, "reminder_s"), 604800, -1, &remind_s))
		return rule_bad(err, errlen,
		    "Reminder interval: a whole number of seconds (0 for none), up to a week.");
	r->no_data_ms = no_data * 60000LL;
	r->min_duration_ms = min_dur * 1000LL;
	r->reminder_ms = remind_s >= 0 ? remind_s * 1000LL : remind * 60000LL;
	if ((r->notify_clear = on_off(get(ctx, "notify_clear"), 1)) < 0)
		return rule_bad(err, errlen, "notify_clear is on or off (true or false).");
	return 0;
}

int alert_rule_parse(alert_field_fn get, void *ctx, struct alert_rule_input *in,
    char *err, size_t errlen)
{
	const char *name = get(ctx, "name"), *channel = get(ctx, "channel");
	int kind = alert_kind_parse(get(ctx, "kind"));

	memset(in, 0, sizeof(*in));
	if (name == NULL || !valid_name(name))
		return rule_bad(err, errlen, "A rule name is 1 to 100 characters of text.");
	snprintf(in->name, sizeof(in->name), "%s", name);
	if (parse_target(get, ctx, in, err, errlen) != 0)
		return -1;
	if (kind < 0)
		return rule_bad(err, errlen, "Choose a kind: above, below, outside or no_data.");
	in->rule.kind = (enum alert_kind)kind;
	if (channel == NULL || !channel_name_ok(channel))
		return rule_bad(err, errlen, "The channel is a channel name such as temp.");
	snprintf(in->channel, sizeof(in->channel), "%s", channel);
	if (parse_thresholds(get, ctx, &in->rule, err, errlen) != 0 ||
	    parse_timing(get, ctx, &in->rule, err, errlen) != 0)
		return -1;
	if (alert_rule_normalise(&in->rule) != 0)
		return rule_bad(err, errlen, "%s",
		    kind == ALERT_OUTSIDE ? "Outside needs a low and a high threshold; the clear band must lie within them."
		    : kind == ALERT_NO_DATA ? "No data needs a number of minutes."
		    : kind == ALERT_ABOVE ? "Above needs a threshold; the clear threshold must not be above it."
		    : "Below needs a threshold; the clear threshold must not be below it.");
	if ((in->enabled = on_off(get(ctx, "enabled"), 1)) < 0)
		return rule_bad(err, errlen, "enabled is on or off (true or false).");
	return parse_recipients(get(ctx, "recipients"), in, err, errlen);
}

const char *alert_rule_text_field(void *rule_text, const char *name)
{
	const struct alert_rule_text *t = rule_text;
	const struct { const char *name, *value; } fields[] = {
		{ "name", t->name }, { "device", t->device }, { "group", t->group }, { "channel", t->channel },
		{ "kind", t->kind }, { "threshold", t->threshold }, { "threshold_high", t->threshold_high },
		{ "clear_threshold", t->clear_threshold }, { "clear_threshold_high", t->clear_threshold_high },
		{ "no_data_minutes", t->no_data_minutes }, { "min_duration_s", t->min_duration_s },
		{ "reminder_s", t->reminder_s }, { "notify_clear", t->notify_clear }, { "enabled", t->enabled },
		{ "recipients", t->recipients },
	};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strcmp(name, fields[i].name) == 0)
			return fields[i].value;
	return NULL;
}

struct merge_ctx {
	alert_field_fn patch;
	void *patch_ctx;
	const struct alert_rule_text *stored;
};

static const char *merged_field(void *ctx, const char *name)
{
	struct merge_ctx *m = ctx;
	const char *v = m->patch(m->patch_ctx, name);
	int target = strcmp(name, "device") == 0 || strcmp(name, "group") == 0;

	if (v != NULL)
		return v;
	if (target && (m->patch(m->patch_ctx, "device") != NULL || m->patch(m->patch_ctx, "group") != NULL))
		return NULL;
	if (strcmp(name, "reminder_s") == 0 && m->patch(m->patch_ctx, "reminder_minutes") != NULL)
		return NULL;
	return alert_rule_text_field((void *)m->stored, name);
}

int alert_rule_merge(alert_field_fn patch, void *patch_ctx, const struct alert_rule_text *stored,
    struct alert_rule_input *in, char *err, size_t errlen)
{
	struct merge_ctx m = { patch, patch_ctx, stored };

	return alert_rule_parse(merged_field, &m, in, err, errlen);
}
