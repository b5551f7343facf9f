/*
 * page_auth.c - signing in and out: /login, /login/2fa, /logout.
 *
 * A failed sign-in never says whether the email exists: the message is the
 * same, and a missing user still costs one bcrypt against a dummy hash so
 * the timing matches.  Every attempt, failed or not, is audited.
 */
#include <ClearSilver.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "auth_password.h"
#include "auth_throttle.h"
#include "auth_mfa.h"
#include "conf.h"
#include "db.h"
#include "db_account.h"
#include "db_user.h"
#include "handlers.h"
#include "log.h"
#include "metrics.h"
#include "page.h"
#include "resp.h"
#include "secretbox.h"

/* A hash at the configured cost, made once per worker: checking a password
 * for an email with no user costs the same bcrypt as for a real one. */
static const char *dummy_hash(unsigned cost)
{
	static char hash[PASSWORD_HASH_MAX];

	if (hash[0] == '\0' && password_hash("gauge: never a real password", cost, hash) != 0)
		hash[0] = '\0';
	return hash;
}

static void audit_login(struct page_ctx *p, long long account_id, long long user_id,
    const char *email, const char *action)
{
	struct audit_entry e = { .account_id = account_id, .actor_user_id = user_id,
		.actor_label = email, .action = action, .target_type = "user", .ip = p->r->remote_addr };
	char uid[24];

	snprintf(uid, sizeof(uid), "%lld", user_id);
	e.target_id = user_id > 0 ? uid : NULL;
	if (db_audit(p->app->db, &e) != DB_OK)
		log_error("audit record lost: %s %s", action, email);
}

static int login_form(struct page_ctx *p, int status, const char *error)
{
	char csrf[CSRF_TOKEN_LEN + 1];
	const char *next = p->r->method == METHOD_POST ? page_field(p, "next") : req_param(p->r, "next");

	prelogin_token(p->r, p->rs, csrf);
	page_set(p, "csrf", csrf);
	page_set(p, "form.next", page_local_path(next) ? next : "");
	page_set(p, "form.email", page_field(p, "email"));
	if (error != NULL)
		page_set(p, "form.error", error);
	if (req_param(p->r, "reset") != NULL)
		page_set(p, "flash", "Your password was changed. Sign in with the new one.");
	return page_render(p, status, "login.cs");
}

int page_login(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct page_ctx p;
	int st;

	(void)m;
	if ((st = page_begin_or_reply(&p, app, r, rs, PAGE_PUBLIC)) != 0)
		return st;
	if (p.s.id != 0 && !p.s.mfa_pending)
		return page_redirect(&p, "/devices");
	return login_form(&p, 200, NULL);
}

static int login_success(struct page_ctx *p, const struct user_row *u)
{
	const char *next = page_field(p, "next");
	long long sid;
	int mfa = u->totp_enabled;

	throttle_succeeded(p->app->db, u->email, p->r->remote_addr);
	if (session_create(p->app->db, p->rs, u->id, mfa, p->r->remote_addr,
	    req_header(p->r, "user-agent"), p->app->conf->session_absolute_h, &sid) != DB_OK)
		return page_error(p, 503, "Gauge is temporarily unavailable. Try again in a moment.");
	audit_login(p, u->account_id, u->id, u->email, mfa ? "login.password_ok" : "login.success");
	if (mfa)
		return page_redirect(p, "/login/2fa");
	return page_redirect(p, page_local_path(next) ? next : "/devices");
}

int page_login_post(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct page_ctx p;
	struct user_row u;
	const char *email, *password;
	char msg[160];
	long wait;
	int st, rc, ok;

	(void)m;
	if ((st = page_begin_or_reply(&p, app, r, rs, PAGE_PUBLIC)) != 0)
		return st;
	email = page_field(&p, "email");
	password = page_field(&p, "password");
	if (email == NULL || password == NULL || !valid_email(email) || *password == '\0')
		return login_form(&p, 400, "Enter your email address and password.");
	if ((wait = throttle_wait(app->db, email, r->remote_addr)) < 0)
		return page_error(&p, 503, "Gauge is temporarily unavailable. Try again in a moment.");
	if (wait > 0) {
		snprintf(msg, sizeof(msg), "Too many failed attempts. Try again in %ld second%s.",
		    wait, wait == 1 ? "" : "s");
		metrics_add(METRIC_RATELIMITED_LOGIN, 1);
		return login_form(&p, 429, msg);
	}
	rc = db_user_by_email(app->db, email, &u);
	if (rc != DB_OK && rc != DB_NOTFOUND)
		return page_error(&p, 503, "Gauge is temporarily unavailable. Try again in a moment.");
	ok = password_verify(password, rc == DB_OK && u.password_hash[0] != '\0' ? u.password_hash
	    : dummy_hash(app->conf->bcrypt_cost));
	if (rc == DB_OK && ok && u.password_hash[0] != '\0')
		return login_success(&p, &u);
	throttle_failed(app->db, email, r->remote_addr);
	audit_login(&p, rc == DB_OK ? u.account_id : 0, rc == DB_OK ? u.id : 0, email, "login.failed");
	return login_form(&p, 401, "Email or password is incorrect.");
}

int page_logout(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct page_ctx p;
	int st;

	(void)m;
	if ((st = page_begin_or_reply(&p, app, r, rs, PAGE_ANY_SESSION)) != 0)
		return st;
	if (session_end(app->db, p.s.id) != DB_OK)
		return page_error(&p, 503, "Gauge is temporarily unavailable; you are still signed in.");
	audit_login(&p, p.s.account_id, p.s.user_id, p.s.email, "logout");
	session_clear_cookie(rs);
	return page_redirect(&p, "/login");
}

static int mfa_form(struct page_ctx *p, int status, const char *error)
{
	if (error != NULL)
		page_set(p, "form.error", error);
	return page_render(p, status, "login_2fa.cs");
}

int page_login_2fa(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct page_ctx p;
	int st;

	(void)m;
	if ((st = page_begin_or_reply(&p, app, r, rs, PAGE_MFA_STEP)) != 0)
		return st;
	return mfa_form(&p, 200, NULL);
}

int page_login_2fa_post(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct page_ctx p;
	struct user_row u;
	char msg[120];
	long wait;
	int st;

	(void)m;
	if ((st = page_begin_or_reply(&p, app, r, rs, PAGE_MFA_STEP)) != 0)
		return st;
	if ((wait = throttle_wait(app->db, p.s.email, r->remote_addr)) < 0 ||
	    db_user_by_id(app->db, p.s.user_id, &u) != DB_OK)
		return page_error(&p, 503, "Gauge is temporarily unavailable. Try again in a moment.");
	if (wait > 0) {
		snprintf(msg, sizeof(msg), "Too many failed attempts. Try again in %ld seconds.", wait);
		metrics_add(METRIC_RATELIMITED_LOGIN, 1);
		return mfa_form(&p, 429, msg);
	}
	switch (mfa_check(app->db, app->box, &u, page_field(&p, "code"))) {
	case MFA_OK:
		break;
	case MFA_WRONG:
		throttle_failed(app->db, p.s.email, r->remote_addr);
		audit_login(&p, u.account_id, u.id, u.email, "login.2fa_failed");
		return mfa_form(&p, 401, "That code is not valid (each code works only once).");
	default:
		return page_error(&p, 503, "Gauge is temporarily unavailable. Try again in a moment.");
	}
	if (session_mark_mfa_done(app->db, p.s.id) != DB_OK)
		return page_error(&p, 503, "Gauge is temporarily unavailable. Try again in a moment.");
	throttle_succeeded(app->db, p.s.email, r->remote_addr);
	audit_login(&p, u.account_id, u.id, u.email, "login.success");
	return page_redirect(&p, "/devices");
}
