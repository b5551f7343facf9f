/*
 * json_body.c - strict JSON bodies (see json_body.h).
 *
 * json-c does the parsing, in strict mode with UTF-8 validation.  What it
 * cannot report we find in two cheap passes over what it accepted:
 *
 *   - a walk of the tree lists every object's member count in document
 *     order (pre-order) and checks that every double is finite;
 *   - a scan of the text, which json-c has already proved well-formed, so
 *     the scan only tracks strings, nesting and number tokens.  It counts
 *     the members each object really had: json-c keeps one member per
 *     distinct key, so an object whose text has more members than its tree
 *     held a duplicate.  The first such object in document order is the
 *     first place where the two lists differ, because every object before
 *     it was rebuilt faithfully.  The scan also sees "\u0000" in keys,
 *     which json-c's tree has already cut, and integers too large for the
 *     64-bit values json-c saturates them to.
 */
#include "json_body.h"

#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct frame {
	int is_object;
	size_t object;              /* pre-order index of an object */
	size_t members;             /* members seen so far in the text */
	size_t index;               /* array element being read */
	const char *key;            /* raw text of the current key */
	size_t key_len;
	int want_key;
};

struct scan {
	const char *s;
	size_t len, pos;
	const size_t *counts;       /* the tree's member counts, pre-order */
	size_t ncounts, nobjects;
	struct frame stack[JSON_BODY_DEPTH + 1];
	int depth;
	struct json_body_error *err;
	size_t dup_object;          /* first object (pre-order) with a duplicate */
	char dup_pointer[128];
};

struct walk {
	size_t *counts;
	size_t n, cap;
	int failed;                 /* out of memory */
	struct json_object *bad_number;     /* the first non-finite double */
};

static int fail(struct json_body_error *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), cold));

static int fail(struct json_body_error *err, int status, const char *fmt, ...)
{
	va_list ap;

	err->status = status;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}

int json_pointer_append(char *ptr, size_t cap, const char *token, size_t len)
{
	size_t used = strlen(ptr), need = 1;

	for (size_t i = 0; i < len; i++)
		need += token[i] == '~' || token[i] == '/' ? 2 : 1;
	if (used + need >= cap)
		return -1;
	ptr[used++] = '/';
	for (size_t i = 0; i < len; i++) {
		if (token[i] == '~' || token[i] == '/') {
			ptr[used++] = '~';
			ptr[used++] = token[i] == '~' ? '0' : '1';
		} else {
			ptr[used++] = token[i];
		}
	}
	ptr[used] = '\0';
	return 0;
}

int json_pointer_append_index(char *ptr, size_t cap, size_t index)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%zu", index);

	return json_pointer_append(ptr, cap, buf, (size_t)n);
}

/* ---- the tree ---------------------------------------------------------- */

/* The walk builds no pointers: it only remembers the first non-finite
 * double, whose pointer find_path() makes on that rare path. */
static void walk_value(struct walk *w, struct json_object *v)
{
	if (w->failed)
		return;
	switch (json_object_get_type(v)) {
	case json_type_object:
		if (w->n == w->cap) {
			size_t ncap = w->cap == 0 ? 16 : w->cap * 2;
			size_t *c = realloc(w->counts, ncap * sizeof(*c));

			if (c == NULL) {
				w->failed = 1;
				return;
			}
			w->counts = c;
			w->cap = ncap;
		}
		w->counts[w->n++] = (size_t)json_object_object_length(v);
		json_object_object_foreach(v, key, val) {
			(void)key;
			walk_value(w, val);
		}
		break;
	case json_type_array:
		for (size_t i = 0, n = json_object_array_length(v); i < n; i++)
			walk_value(w, json_object_array_get_idx(v, i));
		break;
	case json_type_double:
		if (w->bad_number == NULL && !isfinite(json_object_get_double(v)))
			w->bad_number = v;
		break;
	default:
		break;
	}
}

/* Appends the path from v down to target to ptr; 1 when found. */
static int find_path(struct json_object *v, const struct json_object *target, char *ptr, size_t cap)
{
	size_t mark = strlen(ptr);

	if (v == target)
		return 1;
	if (json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, key, val) {
			if (json_pointer_append(ptr, cap, key, strlen(key)) == 0 &&
			    find_path(val, target, ptr, cap))
				return 1;
			ptr[mark] = '\0';
		}
	} else if (json_object_is_type(v, json_type_array)) {
		for (size_t i = 0, n = json_object_array_length(v); i < n; i++) {
			if (json_pointer_append_index(ptr, cap, i) == 0 &&
			    find_path(json_object_array_get_idx(v, i), target, ptr, cap))
				return 1;
			ptr[mark] = '\0';
		}
	}
	return 0;
}

/* ---- the text ---------------------------------------------------------- */

/* The pointer to the value being read: keys as written (escapes and all). */
static void scan_pointer(const struct scan *sc, char *ptr, size_t cap)
{
	ptr[0] = '\0';
	for (int i = 1; i <= sc->depth; i++) {
		const struct frame *f = &sc->stack[i];

		if (f->is_object ? f->key == NULL ||
		    json_pointer_append(ptr, cap, f->key, f->key_len) != 0 :
		    json_pointer_append_index(ptr, cap, f->index) != 0)
			return;
	}
}

static int scan_refuse(struct scan *sc, int status, const char *message)
{
	scan_pointer(sc, sc->err->pointer, sizeof(sc->err->pointer));
	return fail(sc->err, status, "%s", message);
}

/* A string token from its opening quote; sets *nul when it holds \u0000. */
static int scan_string(struct scan *sc, const char **start, size_t *len, int *nul)
{
	size_t i = ++sc->pos;

	*nul = 0;
	while (i < sc->len && sc->s[i] != '"') {
		unsigned char c = (unsigned char)sc->s[i];

		if (c < 0x20)
			return scan_refuse(sc, 400, "a string holds a raw control character; escape it");
		if (c == '\\') {
			if (i + 5 < sc->len && sc->s[i + 1] == 'u' && memcmp(sc->s + i + 2, "0000", 4) == 0)
				*nul = 1;
			i += sc->s[i + 1] == 'u' ? 6 : 2;
		} else {
			i++;
		}
	}
	*start = sc->s + sc->pos;
	*len = i - sc->pos;
	sc->pos = i + 1;
	return 0;
}

/* json-c keeps integers in int64 (negative) or uint64; beyond, it saturates. */
static int integer_fits(const char *t, size_t n)
{
	int neg = t[0] == '-';
	const char *limit = neg ? "9223372036854775808" : "18446744073709551615";
	size_t digits = n - (size_t)neg, ln = strlen(limit);

	return digits < ln || (digits == ln && memcmp(t + neg, limit, ln) <= 0);
}

static int scan_number(struct scan *sc)
{
	size_t i = sc->pos;
	int integer = 1;

	while (i < sc->len && strchr("+-0123456789.eE", sc->s[i]) != NULL && sc->s[i] != '\0') {
		if (sc->s[i] == '.' || sc->s[i] == 'e' || sc->s[i] == 'E')
			integer = 0;
		i++;
	}
	if (integer && !integer_fits(sc->s + sc->pos, i - sc->pos))
		return scan_refuse(sc, 422, "a number is too large to be kept as written");
	sc->pos = i;
	return 0;
}

/* json-c takes NaN and Infinity even in strict mode; JSON has neither. */
static int scan_literal(struct scan *sc)
{
	static const char *const words[] = { "true", "false", "null" };

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t n = strlen(words[i]);

		if (sc->len - sc->pos >= n && memcmp(sc->s + sc->pos, words[i], n) == 0) {
			sc->pos += n;
			return 0;
		}
	}
	return scan_refuse(sc, 400, "the body is not valid JSON: NaN and Infinity are not numbers");
}

static int scan_open(struct scan *sc, int is_object)
{
	struct frame *f;

	if (sc->depth == JSON_BODY_DEPTH)
		return scan_refuse(sc, 400, "the document is nested too deeply");
	f = &sc->stack[++sc->depth];
	memset(f, 0, sizeof(*f));
	f->is_object = is_object;
	f->want_key = is_object;
	if (is_object)
		f->object = sc->nobjects++;
	sc->pos++;
	return 0;
}

static int scan_close(struct scan *sc)
{
	struct frame *f = &sc->stack[sc->depth];

	if (sc->depth == 0)
		return scan_refuse(sc, 400, "the body is not valid JSON: a bracket closes nothing");

	/* Objects close inside out: keep the first in document order. */
	if (f->is_object && f->object < sc->dup_object &&
	    (f->object >= sc->ncounts || sc->counts[f->object] != f->members)) {
		sc->dup_object = f->object;
		f->key = NULL;          /* point at the object, not its last member */
		scan_pointer(sc, sc->dup_pointer, sizeof(sc->dup_pointer));
	}
	sc->depth--;
	sc->pos++;
	return 0;
}

static int scan_key_or_string(struct scan *sc)
{
	struct frame *f = &sc->stack[sc->depth];
	const char *start = NULL;
	size_t len = 0;
	int nul = 0;

	if (scan_string(sc, &start, &len, &nul) != 0)
		return -1;
	if (sc->depth > 0 && f->is_object && f->want_key) {
		f->key = start;
		f->key_len = len;
		f->members++;
		f->want_key = 0;
		if (nul)
			return scan_refuse(sc, 422, "a key holds a NUL character (\\u0000)");
		return 0;
	}
	if (nul)
		return scan_refuse(sc, 422, "a string holds a NUL character (\\u0000)");
	return 0;
}

static int scan_text(struct scan *sc)
{
	while (sc->pos < sc->len) {
		char c = sc->s[sc->pos];
		int rc = 0;

		if (c == '{' || c == '[')
			rc = scan_open(sc, c == '{');
		else if (c == '}' || c == ']')
			rc = scan_close(sc);
		else if (c == '"')
			rc = scan_key_or_string(sc);
		else if ((c == '-' && sc->pos + 1 < sc->len && sc->s[sc->pos + 1] >= '0' &&
		    sc->s[sc->pos + 1] <= '9') || (c >= '0' && c <= '9'))
			rc = scan_number(sc);
		else if (c == '-' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			rc = scan_literal(sc);
		else if (c == ',' && sc->depth > 0) {
			struct frame *f = &sc->stack[sc->depth];

			f->want_key = f->is_object;
			f->index++;
			sc->pos++;
		} else if (c == ':' || c == ' ' || c == '\t' || c == '\n' || c == '\r')
			sc->pos++;
		else    /* json-c takes single quotes even in strict mode */
			rc = scan_refuse(sc, 400, "the body is not valid JSON: strings are in double quotes");
		if (rc != 0)
			return -1;
	}
	if (sc->dup_object == SIZE_MAX)
		return 0;
	snprintf(sc->err->pointer, sizeof(sc->err->pointer), "%s", sc->dup_pointer);
	return fail(sc->err, 400, "an object has the same key twice");
}

/* ---- the whole --------------------------------------------------------- */

static int parse_tree(const char *body, size_t len, struct json_object **out, size_t *end,
    struct json_body_error *err)
{
	struct json_tokener *tok = json_tokener_new_ex(JSON_BODY_DEPTH);
	enum json_tokener_error e;

	if (tok == NULL)
		return fail(err, 503, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	*out = json_tokener_parse_ex(tok, body, (int)len);
	e = json_tokener_get_error(tok);
	*end = json_tokener_get_parse_end(tok);
	/* A bare number at the very end ("149") is complete only once json-c
	 * sees that nothing follows: say so with the terminating NUL. */
	if (*out == NULL && e == json_tokener_continue && *end == len) {
		*out = json_tokener_parse_ex(tok, "", 1);
		e = json_tokener_get_error(tok);
	}
	json_tokener_free(tok);
	if (*out != NULL && e == json_tokener_success)
		return 0;
	json_object_put(*out);
	*out = NULL;
	if (e == json_tokener_continue || e == json_tokener_success)
		return fail(err, 400, "the body is not valid JSON: it ends early");
	return fail(err, 400, "the body is not valid JSON: %s near byte %zu",
	    json_tokener_error_desc(e), *end);
}

int json_body_parse(const char *body, size_t len, struct json_object **out,
    struct json_body_error *err)
{
	struct walk w = { 0 };
	struct scan sc = { .s = body, .len = len, .err = err, .dup_object = SIZE_MAX };
	size_t end = 0;

	memset(err, 0, sizeof(*err));
	*out = NULL;
	if (len > INT32_MAX)
		return fail(err, 413, "the body is too large");
	if (parse_tree(body, len, out, &end, err) != 0)
		return -1;
	while (end < len && strchr(" \t\r\n", body[end]) != NULL && body[end] != '\0')
		end++;
	if (end != len)
		goto trailing;
	walk_value(&w, *out);
	sc.counts = w.counts;
	sc.ncounts = w.n;
	if (w.failed)
		fail(err, 503, "out of memory");
	else if (scan_text(&sc) == 0 && w.bad_number != NULL) {
		(void)find_path(*out, w.bad_number, err->pointer, sizeof(err->pointer));
		fail(err, 422, "a number is not a finite double");
	}
	free(w.counts);
	if (err->status == 0)
		return 0;
	json_object_put(*out);
	*out = NULL;
	return -1;
trailing:
	json_object_put(*out);
	*out = NULL;
	return fail(err, 400, "the body has bytes after the JSON document");
}
