/*
 * api.h - what every JSON API handler does first: find the caller's key,
 * decide what it may reach, count it against its rate limit.
 *
 * Access rules (DESIGN.md): a device key reaches its own device only; an
 * account key reaches every device of its account and the account-wide
 * queries; without a key, a device whose key authentication is off may be
 * read (never written).  An unknown device, another account's device and a
 * device-key's sibling all answer the same 404, so a caller learns nothing
 * about devices it may not reach.  Keys travel only in the Authorization
 * header or a form body (req.c has parsed it), and only over HTTPS.
 */
#ifndef GAUGE_API_H
#define GAUGE_API_H

#include "db_api.h"
#include "req.h"

struct app;
struct req;
struct resp;
struct json_object;

struct api_ctx {
	struct app *app;
	struct req *r;
	struct resp *rs;
	struct api_key_row key;         /* key.id == 0: anonymous */
	struct api_device_row dev;      /* for device routes */
};

enum api_access { API_READ, API_WRITE };

/* Device routes: authenticates, rate-limits and resolves uid.  Returns 0
 * when the caller may go on; otherwise the error response has been sent
 * and the status is returned. */
int api_begin_device(struct api_ctx *c, struct app *app, struct req *r, struct resp *rs,
    const char *uid, enum api_access access);
/* Account routes: the caller must hold a live account key. */
int api_begin_account(struct api_ctx *c, struct app *app, struct req *r, struct resp *rs);
/* Like api_begin_device, and the key must be an account key of the device's account. */
int api_begin_device_admin(struct api_ctx *c, struct app *app, struct req *r, struct resp *rs,
    const char *uid);

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
/* Sends obj (consumed) with status and returns status. */
int api_send(struct resp *rs, int status, struct json_object *obj);
/* A JSON number written in its shortest exact decimal form. */
struct json_object *api_number(double v);
/* The shortest decimal that reads back as v exactly; buf of 32 bytes. */
const char *api_fmt_double(double v, char buf[32]);
/* An ISO 8601 UTC string from epoch ms, as a JSON string. */
struct json_object *api_time(long long ms);
long long api_now_ms(void);
/* Audit-log label of the caller: the key's display prefix or "anonymous". */
const char *api_actor(const struct api_ctx *c);

#endif
