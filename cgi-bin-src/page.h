/*
 * page.h - what every dashboard page does first and last.
 *
 * page_begin_or_reply() loads the session, sends anyone not signed in to /login,
 * finishes a pending second factor, enforces the account's 2FA requirement,
 * checks the role, and for POST checks the form (req.c has parsed it) and
 * its CSRF token; a page handler only runs for a request that passed all of
 * that.  The template data set it prepares carries the user, the CSRF
 * token and the navigation, so templates never compute who may see what.
 */
#ifndef GAUGE_PAGE_H
#define GAUGE_PAGE_H

#include "req.h"
#include "session.h"

struct app;
struct resp;
typedef struct _hdf HDF;

/* Who may open a page: enum role values order admin < user < viewer. */
enum page_access {
	PAGE_PUBLIC = -1,           /* anyone; no session needed */
	PAGE_ADMIN = ROLE_ADMIN,
	PAGE_USER = ROLE_USER,      /* users and administrators */
	PAGE_VIEWER = ROLE_VIEWER,  /* every signed-in role */
	PAGE_MFA_STEP = 10,         /* a session waiting for its second factor */
	PAGE_2FA_SETUP = 11,        /* signed in, allowed before 2FA enrolment */
	PAGE_ANY_SESSION = 12,      /* any session, whatever its state (sign-out) */
};

struct page_ctx {
	struct app *app;
	struct req *r;
	struct resp *rs;
	struct session s;
	HDF *hdf;
};

/* 0 when the handler may go on; otherwise the response (redirect, error
 * page) has been sent and the status is returned. */
int page_begin_or_reply(struct page_ctx *p, struct app *app, struct req *r, struct resp *rs,
    enum page_access access);
/* Renders templates/<name> with p->hdf and releases it; returns status. */
int page_render(struct page_ctx *p, int status, const char *name);
/* 303 See Other to a path on this site; releases p->hdf. */
int page_redirect(struct page_ctx *p, const char *location);
/* An error page (403, 404, 503...) in the dashboard's frame. */
int page_error(struct page_ctx *p, int status, const char *message);
void page_end(struct page_ctx *p);
/* A POSTed form field, or NULL. */
const char *page_field(const struct page_ctx *p, const char *name);
/* Sets a template value; a formatted variant for numbers and ids. */
void page_set(struct page_ctx *p, const char *name, const char *value);
void page_setf(struct page_ctx *p, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The flash message for ?done=<key>, from a page's table of outcomes. */
struct page_flash {
	const char *key, *msg;
};
void page_flash(struct page_ctx *p, const struct page_flash *table, size_t n);
/* One named value of a list entry; NULL is written as "". */
struct page_item {
	const char *name, *value;
};
/* Sets prefix.<index>.<items[i].name> to each item's value. */
void page_items(struct page_ctx *p, const char *prefix, int index, const struct page_item *items,
    size_t n);
/* Writes an audit record attributed to the signed-in user. */
void page_audit(struct page_ctx *p, const char *action, const char *type,
    const char *target, const char *detail_json);
/* True for a safe local path to return to after sign-in. */
int page_local_path(const char *s);

#endif
