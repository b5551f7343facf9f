/*
 * api_json.h - the JSON API's responses and request bodies: errors with a
 * stable code, objects sent and released, numbers and times written one
 * way everywhere.  Each function that sends returns the status it sent,
 * for `return api_error(...)`.
 */
#ifndef GAUGE_API_JSON_H
#define GAUGE_API_JSON_H

#include <stddef.h>

struct api_ctx;
struct resp;
struct json_object;

/* Sends a JSON error and returns status, for `return api_error(...)`. */
int api_error(struct resp *rs, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The same, with the RFC 6901 pointer to the offending part of the body. */
int api_error_at(struct resp *rs, int status, const char *code, const char *pointer,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Parses the request body with json_body_parse() into a JSON object (the
 * caller owns *out).  0, or the error already sent and its status:
 * malformed_json (400) or invalid_code (422, a value that cannot be kept). */
int api_json_object_or_reply(struct api_ctx *c, const char *invalid_code, struct json_object **out);
/* 0 when every member of obj is one of names; otherwise 400 unknown_field
 * naming the first other member by its pointer, sent, and its status. */
int api_json_known_or_reply(struct api_ctx *c, struct json_object *obj, const char *const names[],
    size_t n);
/* A JSON body that may hold only the members named in names (n of them):
 * 415 unless it is application/json, then api_json_object_or_reply(),
 * then 400 unknown_field naming the first other member by its pointer.
 * 0 with *out set (the caller owns it), or the error sent and its status. */
int api_json_fields_or_reply(struct api_ctx *c, const char *invalid_code, const char *const names[],
    size_t n, struct json_object **out);
/* Sends obj (consumed) with status and returns status. */
int api_send(struct resp *rs, int status, struct json_object *obj);
/* The same for a body already written as JSON text. */
int api_send_text(struct resp *rs, int status, const char *json, size_t len);
/* A list answer: {"<name>": arr} with 200 when db_rc is DB_OK, else 503
 * "<what> are temporarily unavailable".  Consumes arr; returns the status. */
int api_send_list(struct resp *rs, int db_rc, const char *name, struct json_object *arr,
    const char *what);
/* A JSON number written in its shortest exact decimal form. */
struct json_object *api_number(double v);
/* The shortest decimal that reads back as v exactly; buf of 32 bytes. */
const char *api_fmt_double(double v, char buf[32]);
/* The same text by snprintf alone: the reference the unit tests hold it to. */
const char *api_fmt_double_slow(double v, char buf[32]);
/* Appends s as a JSON string, quoted and escaped exactly as json-c writes
 * it (JSON_C_TO_STRING_NOSLASHESCAPE), for answers streamed into a printbuf
 * rather than built as a tree.  0, or -1 when out of memory. */
struct printbuf;
int api_json_put_string(struct printbuf *pb, const char *s);
/* An ISO 8601 UTC string from epoch ms, as a JSON string. */
struct json_object *api_time(long long ms);

#endif
