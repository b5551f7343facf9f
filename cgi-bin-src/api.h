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
int api_begin_device_or_reply(struct api_ctx *c, struct app *app, struct req *r, struct resp *rs,
    const char *uid, enum api_access access);
/* Account routes: the caller must hold a live account key. */
int api_begin_account_or_reply(struct api_ctx *c, struct app *app, struct req *r,
    struct resp *rs);
/* Like api_begin_device_or_reply, and the key must be an account key of the
 * device's account. */
int api_begin_device_admin_or_reply(struct api_ctx *c, struct app *app, struct req *r,
    struct resp *rs, const char *uid);

/* Audit-log label of the caller: the key's display prefix or "anonymous". */
const char *api_actor(const struct api_ctx *c);

#endif
