/*
 * alert_events_query.c - parameter table and validators for the alert
 * history (see alert_events_query.h), in the style of readings_query.c.
 */
#include "alert_events_query.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "req.h"
#include "ts.h"
#include "valid.h"

enum aq_param { AQ_FROM, AQ_TO, AQ_DEVICE, AQ_RULE, AQ_STATE, AQ_LIMIT, AQ_CURSOR, AQ__MAX };

typedef int (*aq_valid_fn)(const char *v, struct alert_events_filter *f, struct query_error *err);

static int aq_bad(struct query_error *err, const char *fmt, ...)
    __attribute__((cold, format(printf, 2, 3)));

static int aq_bad(struct query_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}

/* Times before 1970 bound nothing; the database keeps no later time than
 * 2038-01-19, so a bound past it bounds nothing either. */
#define AQ_TIME_MAX 2147483647000LL

static int aq_from(const char *v, struct alert_events_filter *f, struct query_error *err)
{
	if (ts_parse(v, &f->from_ms) != 0)
		return aq_bad(err, "from must be ISO 8601 with a zone or epoch milliseconds");
	f->has_from = f->from_ms > 0;
	return 0;
}

static int aq_to(const char *v, struct alert_events_filter *f, struct query_error *err)
{
	if (ts_parse(v, &f->to_ms) != 0)
		return aq_bad(err, "to must be ISO 8601 with a zone or epoch milliseconds");
	f->has_to = f->to_ms <= AQ_TIME_MAX;
	return 0;
}

static int aq_device(const char *v, struct alert_events_filter *f, struct query_error *err)
{
	if (!valid_public_id(v, "dev_"))
		return aq_bad(err, "device is a device id such as dev_…");
	snprintf(f->device_uid, sizeof(f->device_uid), "%s", v);
	return 0;
}

static int aq_rule(const char *v, struct alert_events_filter *f, struct query_error *err)
{
	if ((f->rule_id = valid_id(v)) == 0)
		return aq_bad(err, "rule is an alert rule id (a positive whole number)");
	return 0;
}

static const char *const aq_states[] = {
	[ALERT_EVENTS_ANY] = "", [ALERT_EVENTS_OPEN] = "open",
	[ALERT_EVENTS_ACKNOWLEDGED] = "acknowledged", [ALERT_EVENTS_UNACKNOWLEDGED] = "unacknowledged",
};

const char *alert_events_state_name(enum alert_events_state s)
{
	return aq_states[s];
}

static int aq_state(const char *v, struct alert_events_filter *f, struct query_error *err)
{
	for (size_t i = 1; i < sizeof(aq_states) / sizeof(aq_states[0]); i++)
		if (strcmp(v, aq_states[i]) == 0) {
			f->state = (enum alert_events_state)i;
			return 0;
		}
	return aq_bad(err, "state must be open, acknowledged or unacknowledged");
}

static int aq_limit(const char *v, struct alert_events_filter *f, struct query_error *err)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (!isdigit((unsigned char)*v) || *end != '\0' || n < 1 || n > ALERT_EVENTS_LIMIT_MAX)
		return aq_bad(err, "limit must be a whole number from 1 to %d", ALERT_EVENTS_LIMIT_MAX);
	f->limit = (size_t)n;
	return 0;
}

static const char aq_digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";

/* The check character: a weighted sum of the id's digits, so a cursor
 * mistyped or edited by hand is refused rather than read as another place. */
static char aq_check(const char *digits, size_t n)
{
	unsigned sum = 7;

	for (size_t i = 0; i < n; i++)
		sum = sum * 31 + (unsigned)(strchr(aq_digits, digits[i]) - aq_digits) + 1;
	return aq_digits[sum % 36];
}

void alert_events_cursor_format(long long id, char out[ALERT_EVENTS_CURSOR_LEN])
{
	char rev[16];
	size_t n = 0;

	do {
		rev[n++] = aq_digits[id % 36];
		id /= 36;
	} while (id > 0 && n < sizeof(rev));
	out[0] = 'e';
	for (size_t i = 0; i < n; i++)
		out[1 + i] = rev[n - 1 - i];
	out[1 + n] = aq_check(out + 1, n);
	out[2 + n] = '\0';
}

static int aq_cursor(const char *v, struct alert_events_filter *f, struct query_error *err)
{
	size_t n = strlen(v);
	long long id = 0;

	/* Twelve base-36 digits hold any id below 36^12 (4.7e18 < 2^63). */
	if (n < 3 || n > 14 || v[0] != 'e' || strspn(v + 1, aq_digits) != n - 1 ||
	    v[1] == '0' || aq_check(v + 1, n - 2) != v[n - 1])
		return aq_bad(err, "cursor is not one this API gave; use the next link as given");
	for (size_t i = 1; i < n - 1; i++)
		id = id * 36 + (strchr(aq_digits, v[i]) - aq_digits);
	f->before_id = id;
	return 0;
}

static const struct {
	const char *name;
	aq_valid_fn valid;
} aq_params[AQ__MAX] = {
	[AQ_FROM] = { "from", aq_from }, [AQ_TO] = { "to", aq_to }, [AQ_DEVICE] = { "device", aq_device },
	[AQ_RULE] = { "rule", aq_rule }, [AQ_STATE] = { "state", aq_state }, [AQ_LIMIT] = { "limit", aq_limit },
	[AQ_CURSOR] = { "cursor", aq_cursor },
};

int alert_events_query_parse(const struct req *r, struct alert_events_filter *f,
    struct query_error *err)
{
	int seen[AQ__MAX] = { 0 };

	memset(f, 0, sizeof(*f));
	f->limit = ALERT_EVENTS_LIMIT_DEFAULT;
	for (size_t i = 0; i < r->query.n; i++) {
		const struct kv *p = &r->query.items[i];
		int k;

		for (k = 0; k < AQ__MAX && strcmp(p->key, aq_params[k].name) != 0; k++)
			;
		err->param = k < AQ__MAX ? aq_params[k].name : p->key;
		if (k == AQ__MAX)
			return aq_bad(err, "unknown parameter '%.40s'", p->key);
		if (seen[k]++)
			return aq_bad(err, "%s is given more than once", p->key);
		if (aq_params[k].valid(p->val, f, err) != 0)
			return -1;
	}
	if (seen[AQ_FROM] && seen[AQ_TO] && f->from_ms >= f->to_ms) {
		err->param = "from";
		return aq_bad(err, "from must be before to");
	}
	return 0;
}
