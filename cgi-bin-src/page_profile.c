/*
 * page_profile.c - the signed-in user's own settings:
 *   GET/POST /profile       password change, active sessions (end one / all others)
 *   GET/POST /profile/2fa   TOTP enrolment (QR + secret, confirmed by a code),
 *                           disable, new recovery codes
 * A password change ends the user's other sessions.  Disabling 2FA and
 * regenerating recovery codes ask for the password again.  All audited.
 */
#include <ClearSilver.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "auth_mfa.h"
#include "auth_password.h"
#include "auth_totp.h"
#include "conf.h"
#include "db.h"
#include "db_session.h"
#include "db_user.h"
#include "handlers.h"
#include "page.h"
#include "password_policy.h"
#include "qr_svg.h"
#include "resp.h"

struct sessions_ctx {
	struct page_ctx *p;
	int n;
};

static int session_row(void *ctx, const struct session_info *s)
{
	struct sessions_ctx *c = ctx;
	const struct page_item items[] = {
		{ "created", s->created }, { "last_seen", s->last_seen }, { "ip", s->ip },
		{ "agent", s->user_agent },
	};

	hdf_set_valuef(c->p->hdf, "sessions.%d.id=%lld", c->n, s->id);
	page_items(c->p, "sessions", c->n, items, sizeof(items) / sizeof(items[0]));
	if (s->id == c->p->s.id)
		hdf_set_valuef(c->p->hdf, "sessions.%d.current=1", c->n);
	c->n++;
	return 0;
}

static int profile_render(struct page_ctx *p, int status)
{
	struct sessions_ctx c = { p, 0 };
	long long left = 0;

	page_set(p, "page.title", "Your profile");
	page_set(p, "nav.profile", "1");
	hdf_set_int_value(p->hdf, "user.totp_enabled", p->s.totp_enabled);
	if (db_session_list(p->app->db, p->s.user_id, session_row, &c) != DB_OK ||
	    db_recovery_left(p->app->db, p->s.user_id, &left) != DB_OK)
		return page_error(p, 503, "Gauge is temporarily unavailable. Try again in a moment.");
	hdf_set_int_value(p->hdf, "user.recovery_left", (int)left);
	return page_render(p, status, "profile.cs");
}

int page_profile(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct page_ctx p;
	const char *done = req_param(r, "done");
	int st;

	(void)m;
	if ((st = page_begin_or_reply(&p, app, r, rs, PAGE_VIEWER)) != 0)
		return st;
	if (done != NULL && strcmp(done, "password") == 0)
		page_set(&p, "flash", "Your password was changed; your other sessions were ended.");
	else if (done != NULL && strcmp(done, "sessions") == 0)
		page_set(&p, "flash", "Sessions ended.");
	else if (done != NULL && strcmp(done, "2fa_off") == 0)
		page_set(&p, "flash", "Two-factor sign-in is off.");
	return profile_render(&p, 200);
}

static int refuse(struct page_ctx *p, const char *msg)
{
	page_set(p, "form.error", msg);
	return profile_render(p, 400);
}

/* What checking the current password again found. */
enum again {
	AGAIN_OK = 0,       /* the password is right */
	AGAIN_WRONG = -1,   /* missing or wrong */
	AGAIN_DOWN = -2,    /* the user could not be read */
};

/* The user's current password, checked again for sensitive changes. */
static enum again password_again(struct page_ctx *p, const char *field, struct user_row *u)
{
	const char *pw = page_field(p, field);

	if (db_user_by_id(p->app->db, p->s.user_id, u) != DB_OK)
		return AGAIN_DOWN;
	return pw != NULL && password_verify(pw, u->password_hash) ? AGAIN_OK : AGAIN_WRONG;
}

static int act_password(struct page_ctx *p)
{
	const char *next = page_field(p, "new_password"), *again = page_field(p, "new_password2");
	const char *why;
	char hash[PASSWORD_HASH_MAX];
	struct user_row u;
	enum again rc = password_again(p, "current_password", &u);

	if (rc == AGAIN_DOWN)
		return page_error(p, 503, "Nothing was changed: Gauge is temporarily unavailable.");
	if (rc == AGAIN_WRONG)
		return refuse(p, "Your current password is not correct.");
	if (next == NULL || again == NULL || strcmp(next, again) != 0)
		return refuse(p, "The new passwords do not match.");
	if ((why = password_policy_check(next, p->s.email)) != NULL)
		return refuse(p, why);
	if (password_hash(next, p->app->conf->bcrypt_cost, hash) != 0 ||
	    db_user_set_password(p->app->db, p->s.user_id, hash) != DB_OK ||
	    session_end_others(p->app->db, p->s.user_id, p->s.id) != DB_OK)
		return page_error(p, 503, "Your password may not have been changed. Try again.");
	page_audit(p, "password.change", "user", p->s.email, NULL);
	return page_redirect(p, "/profile?done=password");
}

static int act_end_session(struct page_ctx *p, int others)
{
	long long id = valid_id(page_field(p, "session"));
	int rc;

	if (others)
		rc = session_end_others(p->app->db, p->s.user_id, p->s.id);
	else if (id == 0)
		return refuse(p, "Choose a session.");
	else    /* only the user's own sessions match */
		rc = db_session_delete_own(p->app->db, p->s.user_id, id);
	if (rc != DB_OK)
		return page_error(p, 503, "Nothing was changed: Gauge is temporarily unavailable.");
	page_audit(p, "session.end", "user", p->s.email, others ? "{\"others\":true}" : NULL);
	return page_redirect(p, id == p->s.id ? "/login" : "/profile?done=sessions");
}

int page_profile_post(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct page_ctx p;
	const char *action;
	int st;

	(void)m;
	if ((st = page_begin_or_reply(&p, app, r, rs, PAGE_VIEWER)) != 0)
		return st;
	action = page_field(&p, "action");
	if (action != NULL && strcmp(action, "password") == 0)
		return act_password(&p);
	if (action != NULL && strcmp(action, "end_session") == 0)
		return act_end_session(&p, 0);
	if (action != NULL && strcmp(action, "end_others") == 0)
		return act_end_session(&p, 1);
	return refuse(&p, "Unknown action.");
}

/* ---- two-factor sign-in ------------------------------------------------- */

static int show_codes(struct page_ctx *p, char codes[MFA_RECOVERY_CODES][MFA_RECOVERY_LEN + 1],
    const char *why)
{
	for (int i = 0; i < MFA_RECOVERY_CODES; i++)
		hdf_set_valuef(p->hdf, "codes.%d=%s", i, codes[i]);
	page_set(p, "codes_why", why);
	page_set(p, "page.title", "Recovery codes");
	page_set(p, "nav.profile", "1");
	return page_render(p, 200, "recovery_codes.cs");
}

static int setup_render(struct page_ctx *p, int status)
{
	char secret[64], uri[TOTP_URI_MAX], *qr;

	switch (mfa_begin(p->app->db, p->app->box, p->s.user_id, p->s.email, secret, sizeof(secret), uri)) {
	case MFA_OK:
		break;
	case MFA_NO_KEY:
		return page_error(p, 503, "Two-factor sign-in is not available: the server key is not configured.");
	default:
		return page_error(p, 503, "Gauge is temporarily unavailable. Try again in a moment.");
	}
	page_set(p, "totp.secret", secret);
	if ((qr = qr_svg_data_uri(uri)) != NULL) {
		page_set(p, "totp.qr", qr);
		qr_svg_free(qr);
	}
	page_set(p, "totp.uri", uri);
	page_set(p, "page.title", "Two-factor sign-in");
	page_set(p, "nav.profile", "1");
	if (req_param(p->r, "required") != NULL)
		page_set(p, "flash", "Your account requires two-factor sign-in. Set it up to continue.");
	return page_render(p, status, "totp_setup.cs");
}

int page_2fa(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct page_ctx p;
	int st;

	(void)m;
	if ((st = page_begin_or_reply(&p, app, r, rs, PAGE_2FA_SETUP)) != 0)
		return st;
	if (p.s.totp_enabled)
		return page_redirect(&p, "/profile");
	return setup_render(&p, 200);
}

static int act_2fa_confirm(struct page_ctx *p)
{
	char codes[MFA_RECOVERY_CODES][MFA_RECOVERY_LEN + 1];
	struct user_row u;

	if (db_user_by_id(p->app->db, p->s.user_id, &u) != DB_OK)
		return page_error(p, 503, "Gauge is temporarily unavailable. Try again in a moment.");
	switch (mfa_confirm(p->app->db, p->app->box, &u, page_field(p, "code"))) {
	case MFA_OK:
		break;
	case MFA_WRONG:
		page_set(p, "form.error", "That code did not match. Check the time on your phone and try the new code.");
		return setup_render(p, 400);
	default:
		return page_error(p, 503, "Two-factor sign-in was not enabled. Try again.");
	}
	if (mfa_new_recovery(p->app->db, p->s.user_id, codes) != MFA_OK)
		return page_error(p, 503, "Two-factor sign-in is on, but recovery codes could not be made: "
		    "make new ones from your profile.");
	page_audit(p, "2fa.enable", "user", p->s.email, NULL);
	return show_codes(p, codes, "enabled");
}

static int act_2fa_disable(struct page_ctx *p)
{
	struct user_row u;
	enum again rc = password_again(p, "password", &u);

	if (p->s.require_2fa)
		return refuse(p, "Your account requires two-factor sign-in; it cannot be turned off.");
	if (rc != AGAIN_OK)
		return rc == AGAIN_DOWN ? page_error(p, 503, "Nothing was changed.") : refuse(p, "Your password is not correct.");
	if (db_user_totp_disable(p->app->db, p->s.user_id) != DB_OK)
		return page_error(p, 503, "Nothing was changed: Gauge is temporarily unavailable.");
	page_audit(p, "2fa.disable", "user", p->s.email, NULL);
	return page_redirect(p, "/profile?done=2fa_off");
}

static int act_2fa_recovery(struct page_ctx *p)
{
	char codes[MFA_RECOVERY_CODES][MFA_RECOVERY_LEN + 1];
	struct user_row u;
	enum again rc = password_again(p, "password", &u);

	if (rc != AGAIN_OK)
		return rc == AGAIN_DOWN ? page_error(p, 503, "Nothing was changed.") : refuse(p, "Your password is not correct.");
	if (!p->s.totp_enabled)
		return refuse(p, "Turn on two-factor sign-in first.");
	if (mfa_new_recovery(p->app->db, p->s.user_id, codes) != MFA_OK)
		return page_error(p, 503, "Nothing was changed: Gauge is temporarily unavailable.");
	page_audit(p, "2fa.recovery_codes", "user", p->s.email, NULL);
	return show_codes(p, codes, "regenerated");
}

int page_2fa_post(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct page_ctx p;
	const char *action;
	int st;

	(void)m;
	if ((st = page_begin_or_reply(&p, app, r, rs, PAGE_2FA_SETUP)) != 0)
		return st;
	action = page_field(&p, "action");
	if (action != NULL && strcmp(action, "confirm") == 0 && !p.s.totp_enabled)
		return act_2fa_confirm(&p);
	if (action != NULL && strcmp(action, "disable") == 0)
		return act_2fa_disable(&p);
	if (action != NULL && strcmp(action, "recovery") == 0)
		return act_2fa_recovery(&p);
	return refuse(&p, "Unknown action.");
}
