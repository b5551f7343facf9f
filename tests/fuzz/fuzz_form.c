/*
 * fuzz_form.c - req_parse_urlencoded() and req_pct_decode(): form bodies
 * and query strings.
 *
 * A parsed list has at most REQ_MAX_PARAMS pairs, each with a non-empty key
 * and no NUL inside key or value (a decoded %00 is refused).  Encoding the
 * list again and parsing that gives the same list: the decoder and an
 * ordinary encoder agree on what every pair means.
 */
#include "arena.h"
#include "fuzz.h"
#include "req.h"

/* Percent-encodes everything but unreserved characters; space as '+'. */
static size_t encode(const char *s, char *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			out[o++] = (char)c;
		} else if (c == ' ') {
			out[o++] = '+';
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	return o;
}

static void check_round_trip(struct arena *a, const struct kvlist *l, size_t size)
{
	/* Each byte becomes at most three, plus '=' and '&' per pair. */
	char *buf = arena_alloc(a, 3 * size + 2 * l->n + 1);
	struct kvlist again = { NULL, 0, 0 };
	size_t o = 0;

	INVARIANT(buf != NULL, "out of memory");
	for (size_t i = 0; i < l->n; i++) {
		if (i > 0)
			buf[o++] = '&';
		o += encode(l->items[i].key, buf + o);
		buf[o++] = '=';
		o += encode(l->items[i].val, buf + o);
	}
	INVARIANT(req_parse_urlencoded(a, buf, o, &again) == 0, "re-encoded form refused: %.*s",
	    (int)o, buf);
	INVARIANT(again.n == l->n, "%zu pairs, %zu after re-encoding", l->n, again.n);
	for (size_t i = 0; i < l->n; i++) {
		INVARIANT(strcmp(again.items[i].key, l->items[i].key) == 0, "key %zu changed", i);
		INVARIANT(strcmp(again.items[i].val, l->items[i].val) == 0, "value %zu changed", i);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct kvlist l = { NULL, 0, 0 };
	struct arena a;
	char *out;
	long n;

	arena_init(&a);
	/* The decoder alone, on the bytes as they are (not NUL-terminated). */
	out = arena_alloc(&a, size + 1);
	INVARIANT(out != NULL, "out of memory");
	n = req_pct_decode(s, size, out, size % 2);
	if (n >= 0)
		INVARIANT((size_t)n <= size && out[n] == '\0' && strlen(out) == (size_t)n,
		    "decoded length %ld of %zu bytes", n, size);

	if (req_parse_urlencoded(&a, s, size, &l) == 0) {
		INVARIANT(l.n <= REQ_MAX_PARAMS, "%zu pairs", l.n);
		for (size_t i = 0; i < l.n; i++)
			INVARIANT(l.items[i].key[0] != '\0' && l.items[i].val != NULL, "pair %zu", i);
		check_round_trip(&a, &l, size);
	}
	arena_free(&a);
	return 0;
}
