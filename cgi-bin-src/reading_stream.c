/*
 * reading_stream.c - the ingest body read in one pass, without a json-c tree
 * (see reading.h, reading_parse_json_stream).
 *
 * json-c builds a hash table per object and frees it again: for a batch of
 * a thousand readings that tree was three quarters of gauge.fcgi's CPU.
 * Almost every body a device sends is plain: {"readings":[{"ts":...,
 * "values":{"temp":21.5}}, ...]} or one such reading, in JSON's own
 * whitespace, with no escapes.  Those are read here, straight into the
 * batch.  Anything else - any error, an escape, a byte outside printable
 * ASCII, a duplicate key, a number json-c would keep differently - is
 * declined, and reading_parse_json() reads the body again through json-c,
 * which decides and words every refusal exactly as before.
 *
 * So this file has one promise to keep: what it accepts, the json-c path
 * accepts too, as the very same batch.  tests/unit/test_reading.c checks it
 * on listed bodies and mutations, and tests/fuzz/fuzz_reading_json.c on
 * whatever libFuzzer makes.
 */
#include "reading.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct rs {
	const char *p, *end;
	struct arena *a;
	long long now_ms;
	enum ts_unit unit;
};

static void ws(struct rs *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int lit(struct rs *s, char c)
{
	ws(s);
	if (s->p >= s->end || *s->p != c)
		return 0;
	s->p++;
	return 1;
}

/* A string of printable ASCII without escapes: its bytes, unquoted. */
static int str(struct rs *s, const char **out, size_t *len)
{
	const char *q;

	if (!lit(s, '"'))
		return 0;
	for (q = s->p; q < s->end && *q != '"'; q++)
		if ((unsigned char)*q < 0x20 || (unsigned char)*q >= 0x7f || *q == '\\')
			return 0;
	if (q >= s->end)
		return 0;
	*out = s->p;
	*len = (size_t)(q - s->p);
	s->p = q + 1;
	return 1;
}

static int key(struct rs *s, const char **k, size_t *len)
{
	return str(s, k, len) && lit(s, ':');
}

static int is(const char *k, size_t len, const char *want)
{
	return len == strlen(want) && memcmp(k, want, len) == 0;
}

/*
 * A JSON number.  An integer (no fraction, no exponent) is what json-c
 * keeps as int64, and a reading takes it as (double)int64; more than 18
 * digits could saturate there, so those are declined.  Any other number
 * is json-c's strtod(): a value strtod would call out of range (ERANGE:
 * infinite, or too small to keep) is declined.  Up to 15 significant
 * digits and 22 decimals, digits / 10^k is that same value without strtod:
 * both are exact doubles and the division rounds correctly, as strtod does.
 */
static int number(struct rs *s, int *is_int, long long *iv, double *dv)
{
	static const double p10[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
	const char *start, *q;
	long long m = 0;
	int neg = 0, intdigits = 0, frac = 0, sig = 0, exp = 0;
	char buf[64], *end;

	ws(s);
	start = q = s->p;
	if (q < s->end && *q == '-') {
		neg = 1;
		q++;
	}
	if (q >= s->end || *q < '0' || *q > '9')
		return 0;
	if (*q == '0' && q + 1 < s->end && q[1] >= '0' && q[1] <= '9')
		return 0;                   /* a leading zero */
	for (; q < s->end && *q >= '0' && *q <= '9'; q++, intdigits++) {
		if (m > 0 || *q != '0')
			sig++;
		if (sig <= 18)
			m = m * 10 + (*q - '0');
	}
	if (q < s->end && *q == '.') {
		q++;
		if (q >= s->end || *q < '0' || *q > '9')
			return 0;
		for (; q < s->end && *q >= '0' && *q <= '9'; q++, frac++) {
			if (m > 0 || *q != '0')
				sig++;
			if (sig <= 18)
				m = m * 10 + (*q - '0');
		}
	}
	if (q < s->end && (*q == 'e' || *q == 'E')) {
		exp = 1;
		q++;
		if (q < s->end && (*q == '+' || *q == '-'))
			q++;
		if (q >= s->end || *q < '0' || *q > '9')
			return 0;
		while (q < s->end && *q >= '0' && *q <= '9')
			q++;
	}
	s->p = q;
	*is_int = frac == 0 && !exp;
	if (*is_int) {
		/* "-0" too: which zero json-c keeps is its business. */
		if (intdigits > 18 || (neg && m == 0))
			return 0;
		*iv = neg ? -m : m;
		return 1;
	}
	if (!exp && sig <= 15 && frac <= 22) {
		*dv = (double)m / p10[frac];
		if (neg)
			*dv = -*dv;
		return 1;
	}
	if ((size_t)(q - start) >= sizeof(buf))
		return 0;
	memcpy(buf, start, (size_t)(q - start));
	buf[q - start] = '\0';
	errno = 0;
	*dv = strtod(buf, &end);
	return *end == '\0' && errno == 0 && isfinite(*dv);
}

static int ts_ok(const struct rs *s, long long ts)
{
	return ts <= s->now_ms + READING_FUTURE_MS && ts >= READING_EPOCH_MIN_MS;
}

static int reading_ts(struct rs *s, long long *ts)
{
	const char *t;
	size_t len;
	int is_int;
	long long iv;
	double dv;
	char buf[64];

	ws(s);
	if (s->p < s->end && *s->p == '"') {
		if (!str(s, &t, &len) || len >= sizeof(buf))
			return 0;
		memcpy(buf, t, len);
		buf[len] = '\0';
		if (ts_parse_unit(buf, s->unit, ts) != 0)
			return 0;
	} else if (!number(s, &is_int, &iv, &dv) || !is_int || ts_epoch_ms(iv, s->unit, ts) != 0) {
		return 0;
	}
	return ts_ok(s, *ts);
}

static int reading_values(struct rs *s, struct reading *rd)
{
	struct reading_value v[READING_CHANNELS_MAX];
	const char *k;
	size_t len, n = 0;

	if (!lit(s, '{'))
		return 0;
	do {
		int is_int;
		long long iv;
		double dv;
		char *name;

		if (n == READING_CHANNELS_MAX || !key(s, &k, &len) || len == 0 || len > READING_CHANNEL_LEN)
			return 0;
		if ((name = arena_strndup(s->a, k, len)) == NULL || !channel_name_ok(name))
			return 0;
		for (size_t j = 0; j < n; j++)
			if (strcmp(v[j].name, name) == 0)
				return 0;
		if (!number(s, &is_int, &iv, &dv))
			return 0;
		v[n].name = name;
		v[n].v = is_int ? (double)iv : dv;
		n++;
	} while (lit(s, ','));
	if (!lit(s, '}') || (rd->values = arena_alloc(s->a, n * sizeof(*v))) == NULL)
		return 0;
	memcpy(rd->values, v, n * sizeof(*v));
	rd->n = n;
	return 1;
}

/* One reading's members, after its '{' (or the root's first key). */
static int reading_members(struct rs *s, struct reading *rd, const char *k, size_t len)
{
	int seen_ts = 0, seen_id = 0, seen_values = 0;

	rd->ts_ms = s->now_ms;
	rd->id = NULL;
	rd->n = 0;
	for (;;) {
		if (is(k, len, "ts") && !seen_ts++) {
			if (!reading_ts(s, &rd->ts_ms))
				return 0;
		} else if (is(k, len, "id") && !seen_id++) {
			const char *id;
			size_t n;

			if (!str(s, &id, &n) || n == 0 || n > READING_ID_LEN ||
			    memchr(id, ' ', n) != NULL || (rd->id = arena_strndup(s->a, id, n)) == NULL)
				return 0;
		} else if (is(k, len, "values") && !seen_values++) {
			if (!reading_values(s, rd))
				return 0;
		} else {
			return 0;
		}
		if (!lit(s, ','))
			break;
		if (!key(s, &k, &len))
			return 0;
	}
	return seen_values && lit(s, '}');
}

static int reading_object(struct rs *s, struct reading *rd)
{
	const char *k;
	size_t len;

	return lit(s, '{') && key(s, &k, &len) && reading_members(s, rd, k, len);
}

static int batch_items(struct rs *s, struct batch *out)
{
	/* A first guess from the body's size; grown by doubling if short. */
	size_t cap = (size_t)(s->end - s->p) / 40 + 1, n = 0;
	struct reading *items;

	if (cap > READING_BATCH_MAX)
		cap = READING_BATCH_MAX;
	if (!lit(s, '[') || (items = arena_alloc(s->a, cap * sizeof(*items))) == NULL)
		return 0;
	do {
		if (n == READING_BATCH_MAX)
			return 0;
		if (n == cap) {
			struct reading *more;

			cap = cap * 2 > READING_BATCH_MAX ? READING_BATCH_MAX : cap * 2;
			if ((more = arena_alloc(s->a, cap * sizeof(*items))) == NULL)
				return 0;
			memcpy(more, items, n * sizeof(*items));
			items = more;
		}
		if (!reading_object(s, &items[n]))
			return 0;
		n++;
	} while (lit(s, ','));
	if (!lit(s, ']'))
		return 0;
	out->items = items;
	out->n = n;
	return 1;
}

int reading_parse_json_stream(struct arena *a, const char *body, size_t len,
    long long now_ms, enum ts_unit unit, struct batch *out)
{
	struct rs s = { body, body + len, a, now_ms, unit };
	const char *k;
	size_t klen;

	memset(out, 0, sizeof(*out));
	if (body == NULL || !lit(&s, '{') || !key(&s, &k, &klen))
		return 0;
	if (is(k, klen, "readings")) {
		if (!batch_items(&s, out) || !lit(&s, '}'))
			goto decline;
	} else {
		if ((out->items = arena_alloc(a, sizeof(*out->items))) == NULL ||
		    !reading_members(&s, out->items, k, klen))
			goto decline;
		out->n = 1;
	}
	ws(&s);
	if (s.p == s.end)
		return 1;
decline:
	memset(out, 0, sizeof(*out));
	return 0;
}

/* The one-pass reader first; whatever it declines, json-c decides (and
 * words the refusal).  Here rather than in reading.c, so the two files
 * depend one way: this one on reading.c's rules and tree path. */
int reading_parse_json(struct arena *a, const char *body, size_t len,
    long long now_ms, enum ts_unit unit, struct batch *out, struct reading_error *err)
{
	memset(err, 0, sizeof(*err));
	err->index = -1;
	if (reading_parse_json_stream(a, body, len, now_ms, unit, out) == 1)
		return 0;
	return reading_parse_json_tree(a, body, len, now_ms, unit, out, err);
}
