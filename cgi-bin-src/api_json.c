/*
 * api_json.c - what the JSON API writes and reads (see api_json.h).
 *
 * Every API response goes out through api_send() or api_error(), so the
 * body shape ({"error": {...}} for failures, numbers in their shortest exact
 * form, times as ISO 8601 UTC) is decided here once, not by each handler.
 */
#include "api_json.h"

#include <json-c/json.h>
#include <json-c/printbuf.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "db.h"
#include "json_body.h"
#include "req.h"
#include "resp.h"
#include "ts.h"

static int api_verror(struct resp *rs, int status, const char *code, const char *pointer,
    const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

static int api_verror(struct resp *rs, int status, const char *code, const char *pointer,
    const char *fmt, va_list ap)
{
	char msg[300];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (status == 401)
		resp_header(rs, "WWW-Authenticate", "Bearer realm=\"gauge\"");
	resp_error_at(rs, status, code, pointer, msg);
	return status;
}

int api_error(struct resp *rs, int status, const char *code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	status = api_verror(rs, status, code, NULL, fmt, ap);
	va_end(ap);
	return status;
}

int api_error_at(struct resp *rs, int status, const char *code, const char *pointer,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	status = api_verror(rs, status, code, pointer, fmt, ap);
	va_end(ap);
	return status;
}

int api_json_object_or_reply(struct api_ctx *c, const char *invalid_code, struct json_object **out)
{
	struct json_body_error err;

	if (json_body_parse(c->r->body != NULL ? c->r->body : "", c->r->body_len, out, &err) != 0)
		return api_error_at(c->rs, err.status, err.status == 422 ? invalid_code : "malformed_json",
		    err.pointer, "%s", err.message);
	if (json_object_is_type(*out, json_type_object))
		return 0;
	json_object_put(*out);
	*out = NULL;
	return api_error(c->rs, 400, "malformed_json", "The body must be a JSON object.");
}

int api_json_known_or_reply(struct api_ctx *c, struct json_object *obj, const char *const names[],
    size_t n)
{
	char expected[400] = "", pointer[128] = "";
	size_t used = 0, i;

	json_object_object_foreach(obj, key, val) {
		(void)val;
		for (i = 0; i < n && strcmp(key, names[i]) != 0; i++)
			;
		if (i < n)
			continue;
		for (i = 0; i < n && used < sizeof(expected); i++)
			used += (size_t)snprintf(expected + used, sizeof(expected) - used, "%s%s",
			    i > 0 ? ", " : "", names[i]);
		(void)json_pointer_append(pointer, sizeof(pointer), key, strlen(key));
		return api_error_at(c->rs, 400, "unknown_field", pointer, "Unknown field '%.40s'; this body takes %s.",
		    key, n > 0 ? expected : "no fields");
	}
	return 0;
}

int api_json_fields_or_reply(struct api_ctx *c, const char *invalid_code, const char *const names[],
    size_t n, struct json_object **out)
{
	int st;

	if (c->r->media != MEDIA_JSON)
		return api_error(c->rs, 415, "unsupported_media_type", "Send application/json.");
	if ((st = api_json_object_or_reply(c, invalid_code, out)) != 0)
		return st;
	if ((st = api_json_known_or_reply(c, *out, names, n)) != 0) {
		json_object_put(*out);
		*out = NULL;
	}
	return st;
}

int api_send(struct resp *rs, int status, struct json_object *obj)
{
	resp_json(rs, status, obj);
	json_object_put(obj);
	return status;
}

int api_send_text(struct resp *rs, int status, const char *json, size_t len)
{
	resp_json_text(rs, status, json, len);
	return status;
}

int api_send_list(struct resp *rs, int db_rc, const char *name, struct json_object *arr,
    const char *what)
{
	struct json_object *o;

	if (db_rc != DB_OK) {
		json_object_put(arr);
		return api_error(rs, 503, "unavailable", "%s are temporarily unavailable. Try again.", what);
	}
	o = json_object_new_object();
	json_object_object_add(o, name, arr);
	return api_send(rs, 200, o);
}

/* What api_fmt_double() writes, by snprintf: 15 significant digits when
 * they read back as v, else 17. */
const char *api_fmt_double_slow(double v, char buf[32])
{
	snprintf(buf, 32, "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, 32, "%.17g", v);
	return buf;
}

/*
 * A sensor value with a few decimals (21.5, -3.25, 1013) is written without
 * snprintf or strtod: m = v * 10^k rounded, for k = 0, 1, ... until m / 10^k
 * is v again.  That division is exact to the last bit (m < 2^53 and 10^k
 * are both exact doubles, and IEEE division rounds correctly), so it is the
 * very test strtod() would make on the digits, and the first k that passes
 * gives the shortest decimal with at most 15 significant digits that reads
 * back as v: the digits %.15g prints, since only one decimal of 15 digits
 * or fewer lies within half an ulp of a double.  Fixed notation only:
 * %g writes 1e-05 and 1e+15 with an exponent, so those, -0 and everything
 * that needs more digits take the snprintf path.
 */
const char *api_fmt_double(double v, char buf[32])
{
	static const double p10[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
		1e11, 1e12, 1e13, 1e14, 1e15 };
	double a = v < 0 ? -v : v;
	char digits[24];
	int neg = v < 0, k, n, o = 0;
	long long m = 0;

	if (v == 0 && !signbit(v)) {
		buf[0] = '0';
		buf[1] = '\0';
		return buf;
	}
	if (!(a >= 1e-4 && a < 1e15))
		return api_fmt_double_slow(v, buf);
	for (k = 0; k < 16; k++) {
		double s = a * p10[k];

		if (s >= 1e15)
			return api_fmt_double_slow(v, buf);
		m = llround(s);
		if ((double)m / p10[k] == a)
			break;
	}
	if (k == 16 || m <= 0 || m >= 1000000000000000LL)
		return api_fmt_double_slow(v, buf);
	for (n = 0; m > 0; m /= 10)
		digits[n++] = (char)('0' + m % 10);
	/* digits[] holds the n digits of m, last first; the point goes k from the end. */
	if (neg)
		buf[o++] = '-';
	if (n <= k) {
		buf[o++] = '0';
		buf[o++] = '.';
		for (int z = 0; z < k - n; z++)
			buf[o++] = '0';
		while (n > 0)
			buf[o++] = digits[--n];
	} else {
		while (n > k)
			buf[o++] = digits[--n];
		if (k > 0)
			buf[o++] = '.';
		while (n > 0)
			buf[o++] = digits[--n];
	}
	buf[o] = '\0';
	return buf;
}

int api_json_put_string(struct printbuf *pb, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;
	char u[6] = { '\\', 'u', '0', '0', 0, 0 };
	int rc = printbuf_memappend(pb, "\"", 1) < 0;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		const char *rep;
		int n = 2;

		switch (c) {
		case '"': rep = "\\\""; break;
		case '\\': rep = "\\\\"; break;
		case '\b': rep = "\\b"; break;
		case '\f': rep = "\\f"; break;
		case '\n': rep = "\\n"; break;
		case '\r': rep = "\\r"; break;
		case '\t': rep = "\\t"; break;
		default:
			if (c >= 0x20)
				continue;
			u[4] = hex[c >> 4];
			u[5] = hex[c & 15];
			rep = u;
			n = 6;
		}
		if (s > run)
			rc |= printbuf_memappend(pb, run, (int)(s - run)) < 0;
		rc |= printbuf_memappend(pb, rep, n) < 0;
		run = s + 1;
	}
	if (s > run)
		rc |= printbuf_memappend(pb, run, (int)(s - run)) < 0;
	rc |= printbuf_memappend(pb, "\"", 1) < 0;
	return rc ? -1 : 0;
}

struct json_object *api_number(double v)
{
	char buf[32];

	return json_object_new_double_s(v, api_fmt_double(v, buf));
}

struct json_object *api_time(long long ms)
{
	char buf[TS_LEN];

	ts_format(ms, buf);
	return json_object_new_string(buf);
}
