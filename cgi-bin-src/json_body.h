/*
 * json_body.h - the one way a JSON body from a client becomes a json-c tree.
 *
 * json_body_parse() accepts exactly one RFC 8259 document and refuses what
 * json-c alone would let through or silently change:
 *   - anything but whitespace after the document, single quotes, comments,
 *     raw control characters and invalid UTF-8 inside strings (400);
 *   - a key given twice in one object, whose meaning RFC 8259 leaves open
 *     and json-c resolves by keeping the last (400);
 *   - a string holding NUL (\u0000), which json-c keeps in values but cuts
 *     keys at, and which every C string after us would cut (422);
 *   - a number json-c cannot keep as written: an integer beyond the 64-bit
 *     range (json-c saturates it) or a number that is not a finite double
 *     (422).
 * Callers then see only trees whose strings are C strings and whose numbers
 * are what the client wrote.
 */
#ifndef GAUGE_JSON_BODY_H
#define GAUGE_JSON_BODY_H

#include <stddef.h>

struct json_object;

/* Nesting deeper than this is refused: no Gauge body needs more than 4. */
#define JSON_BODY_DEPTH 16

struct json_body_error {
	int status;                 /* 400 malformed, 422 a value that cannot be kept */
	char pointer[128];          /* RFC 6901 pointer to the value, "" for the document */
	char message[200];
};

/* Parses len bytes at body (which need not be NUL-terminated).  0 with *out
 * set (the caller owns it: json_object_put), or -1 with *err filled. */
int json_body_parse(const char *body, size_t len, struct json_object **out,
    struct json_body_error *err);

/* Appends one RFC 6901 reference token ("~" and "/" escaped) to a pointer
 * of cap bytes; -1 (pointer unchanged) when it would not fit. */
int json_pointer_append(char *ptr, size_t cap, const char *token, size_t len);
int json_pointer_append_index(char *ptr, size_t cap, size_t index);

#endif
