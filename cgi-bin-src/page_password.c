/*
 * page_password.c - one-time password links:
 *   GET/POST /reset               ask for a reset link by e-mail
 *   GET/POST /reset/{token}       choose a new password (link valid 1 hour)
 *   GET/POST /set-password/{token} a new user's first password (valid 72 hours)
 * Links carry 256 random bits; only their hash is stored; each works once.
 * Asking for a reset never reveals whether the address has an account.
 * Setting a password through a link ends every session of that user.
 */
#include <ClearSilver.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "auth_password.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "db_account.h"
#include "db_user.h"
#include "handlers.h"
#include "log.h"
#include "send_mail.h"
#include "page.h"
#include "password_policy.h"
#include "resp.h"

struct link_kind {
	const char *purpose;        /* one_time_tokens.purpose */
	const char *path;           /* URL prefix */
	unsigned hours;
	const char *title;
};

static const struct link_kind link_reset = { "reset_password", "/reset/", 1, "Choose a new password" };
static const struct link_kind link_set = { "set_password", "/set-password/", 72, "Set your password" };

/* Makes a link for user_id; url receives the full https URL. */
static int link_create(struct app *app, long long user_id, const struct link_kind *k, char *url, size_t len)
{
	char token[SESSION_TOKEN_LEN + 1];
	unsigned char hash[SHA256_LEN];

	if (crypto_token(32, token, sizeof(token)) != 0)
		return DB_ERROR;
	crypto_sha256(token, strlen(token), hash);
	snprintf(url, len, "%s%s%s", app->conf->base_url, k->path, token);
	return db_token_create(app->db, user_id, k->purpose, hash, k->hours);
}

int page_set_password_link(struct app *app, long long user_id, char *url, size_t len)
{
	return link_create(app, user_id, &link_set, url, len);
}

static int reset_form(struct page_ctx *p, int status, const char *flash)
{
	char csrf[CSRF_TOKEN_LEN + 1];

	prelogin_token(p->r, p->rs, csrf);
	page_set(p, "csrf", csrf);
	page_set(p, "page.title", "Reset your password");
	if (flash != NULL)
		page_set(p, "flash", flash);
	return page_render(p, status, "reset_request.cs");
}

int page_reset(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct page_ctx p;
	int st;

	(void)m;
	if ((st = page_begin_or_reply(&p, app, r, rs, PAGE_PUBLIC)) != 0)
		return st;
	return reset_form(&p, 200, NULL);
}

/* At most one reset mail per address every 5 minutes: the form must not
 * become a way to flood someone's inbox. */
static int reset_recently_sent(struct db *db, long long user_id)
{
	return db_token_recent(db, user_id, link_reset.purpose, 5) == DB_OK;
}

static void reset_mail(struct page_ctx *p, const struct user_row *u)
{
	char url[512], text[1024];
	struct delivery_result res;

	if (reset_recently_sent(p->app->db, u->id) || link_create(p->app, u->id, &link_reset, url, sizeof(url)) != DB_OK)
		return;
	snprintf(text, sizeof(text),
	    "Someone (hopefully you) asked to reset the password of your Gauge account %s.\n\n"
	    "Choose a new password here within the next hour:\n\n  %s\n\n"
	    "The link works once. If you did not ask for this, ignore this message: "
	    "your password stays as it is.\n", u->email, url);
	if (mail_send(&p->app->mail, u->email, "Reset your Gauge password", text, &res) != DELIVERY_SENT)
		log_warn("password reset mail to user %lld not sent: %s", u->id, res.error);
	page_audit(p, "password.reset_requested", "user", u->email, NULL);
}

int page_reset_post(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct page_ctx p;
	struct user_row u;
	const char *email;
	int st;

	(void)m;
	if ((st = page_begin_or_reply(&p, app, r, rs, PAGE_PUBLIC)) != 0)
		return st;
	email = page_field(&p, "email");
	if (email == NULL || !valid_email(email)) {
		page_set(&p, "form.error", "Enter the email address you sign in with.");
		return reset_form(&p, 400, NULL);
	}
	if (db_user_by_email(app->db, email, &u) == DB_OK) {
		p.s.account_id = u.account_id;      /* for the audit record */
		p.s.user_id = u.id;
		snprintf(p.s.email, sizeof(p.s.email), "%s", u.email);
		reset_mail(&p, &u);
	}
	return reset_form(&p, 200, "If an account uses that address, a link to choose a new password "
	    "is on its way. It works once, for one hour.");
}

/* ---- following a link ---------------------------------------------------- */

static int link_user(struct page_ctx *p, const struct link_kind *k, const char *token, long long *user_id)
{
	unsigned char hash[SHA256_LEN];
	int rc;

	if (token == NULL || strlen(token) != SESSION_TOKEN_LEN)
		return DB_NOTFOUND;
	crypto_sha256(token, strlen(token), hash);
	rc = db_token_find(p->app->db, k->purpose, hash, user_id);
	return rc;
}

static int link_form(struct page_ctx *p, const struct link_kind *k, const char *token, int status)
{
	char csrf[CSRF_TOKEN_LEN + 1], action[128];

	prelogin_token(p->r, p->rs, csrf);
	page_set(p, "csrf", csrf);
	snprintf(action, sizeof(action), "%s%s", k->path, token);
	page_set(p, "form.action", action);
	page_set(p, "page.title", k->title);
	return page_render(p, status, "password_set.cs");
}

static int link_get(struct app *app, struct req *r, struct resp *rs, const struct route_match *m,
    const struct link_kind *k)
{
	struct page_ctx p;
	long long uid;
	int st, rc;

	if ((st = page_begin_or_reply(&p, app, r, rs, PAGE_PUBLIC)) != 0)
		return st;
	if ((rc = link_user(&p, k, m->params[0], &uid)) == DB_NOTFOUND)
		return page_error(&p, 410, "This link has expired or was already used. Ask for a new one.");
	if (rc != DB_OK)
		return page_error(&p, 503, "Gauge is temporarily unavailable. Try again in a moment.");
	return link_form(&p, k, m->params[0], 200);
}

static int link_post(struct app *app, struct req *r, struct resp *rs, const struct route_match *m,
    const struct link_kind *k)
{
	struct page_ctx p;
	struct user_row u;
	unsigned char hash[SHA256_LEN];
	char pwhash[PASSWORD_HASH_MAX];
	const char *pw, *pw2, *why;
	long long uid;
	int st, rc;

	if ((st = page_begin_or_reply(&p, app, r, rs, PAGE_PUBLIC)) != 0)
		return st;
	if ((rc = link_user(&p, k, m->params[0], &uid)) == DB_NOTFOUND)
		return page_error(&p, 410, "This link has expired or was already used. Ask for a new one.");
	if (rc != DB_OK || db_user_by_id(app->db, uid, &u) != DB_OK)
		return page_error(&p, 503, "Gauge is temporarily unavailable. Try again in a moment.");
	pw = page_field(&p, "password");
	pw2 = page_field(&p, "password2");
	if (pw == NULL || pw2 == NULL || strcmp(pw, pw2) != 0)
		why = "The two passwords do not match.";
	else
		why = password_policy_check(pw, u.email);
	if (why != NULL) {
		page_set(&p, "form.error", why);
		return link_form(&p, k, m->params[0], 400);
	}
	crypto_sha256(m->params[0], strlen(m->params[0]), hash);
	if (password_hash(pw, app->conf->bcrypt_cost, pwhash) != 0 || db_token_use(app->db, hash) != DB_OK ||
	    db_user_set_password(app->db, uid, pwhash) != DB_OK || session_end_others(app->db, uid, 0) != DB_OK)
		return page_error(&p, 503, "Your password may not have been set. Try the link again.");
	p.s.account_id = u.account_id;
	p.s.user_id = u.id;
	snprintf(p.s.email, sizeof(p.s.email), "%s", u.email);
	page_audit(&p, k == &link_reset ? "password.reset" : "password.set", "user", u.email, NULL);
	return page_redirect(&p, "/login?reset=1");
}

int page_reset_link(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	return link_get(app, r, rs, m, &link_reset);
}

int page_reset_link_post(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	return link_post(app, r, rs, m, &link_reset);
}

int page_set_password(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	return link_get(app, r, rs, m, &link_set);
}

int page_set_password_post(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	return link_post(app, r, rs, m, &link_set);
}
