/*
 * page.c - dashboard page plumbing (see page.h).
 */
#include "page.h"

#include <ClearSilver.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "conf.h"
#include "db.h"
#include "db_account.h"
#include "log.h"
#include "resp.h"
#include "tmpl.h"

static const char *const role_labels[] = { "Administrator", "User", "Viewer" };

void page_set(struct page_ctx *p, const char *name, const char *value)
{
	if (p->hdf != NULL)
		hdf_set_value(p->hdf, name, value != NULL ? value : "");
}

void page_setf(struct page_ctx *p, const char *name, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	page_set(p, name, buf);
}

const char *page_field(const struct page_ctx *p, const char *name)
{
	/* Only a POST's form counts: page_begin_or_reply() checked it (and its token). */
	return p->r->method == METHOD_POST ? kv_get(&p->r->form, name) : NULL;
}

int page_local_path(const char *s)
{
	/* "/x" but not "//host" or "/\host", which browsers treat as another
	 * site; browsers also drop TAB, CR and LF inside a URL ("/<TAB>/host" is
	 * "//host"), and some read any backslash as a slash: none may appear. */
	if (s == NULL || s[0] != '/' || s[1] == '/' || strlen(s) >= 512)
		return 0;
	for (const char *p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
			return 0;
	return 1;
}

void page_end(struct page_ctx *p)
{
	if (p->hdf != NULL)
		hdf_destroy(&p->hdf);
}

int page_render(struct page_ctx *p, int status, const char *name)
{
	if (p->hdf == NULL)
		return resp_error(p->rs, 500, "internal", "The page could not be rendered."), 500;
	resp_html(p->rs, status, name, p->hdf);
	page_end(p);
	return status;
}

int page_redirect(struct page_ctx *p, const char *location)
{
	resp_header(p->rs, "Location", location);
	resp_start(p->rs, 303, "text/html; charset=utf-8");
	page_end(p);
	return 303;
}

int page_error(struct page_ctx *p, int status, const char *message)
{
	if (p->hdf == NULL && (p->hdf = tmpl_hdf_new()) == NULL)
		return resp_error(p->rs, status, "error", message), status;
	hdf_set_int_value(p->hdf, "error.status", status);
	page_set(p, "error.reason", resp_reason(status));
	page_set(p, "error.message", message);
	page_set(p, "request.id", p->r->id);
	page_set(p, "page.title", resp_reason(status));
	return page_render(p, status, "error.cs");
}

void page_flash(struct page_ctx *p, const struct page_flash *table, size_t n)
{
	const char *done = req_param(p->r, "done");

	for (size_t i = 0; done != NULL && i < n; i++)
		if (strcmp(done, table[i].key) == 0)
			page_set(p, "flash", table[i].msg);
}

void page_items(struct page_ctx *p, const char *prefix, int index, const struct page_item *items,
    size_t n)
{
	for (size_t i = 0; i < n; i++)
		hdf_set_valuef(p->hdf, "%s.%d.%s=%s", prefix, index, items[i].name,
		    items[i].value != NULL ? items[i].value : "");
}

void page_audit(struct page_ctx *p, const char *action, const char *type,
    const char *target, const char *detail_json)
{
	struct audit_entry e = { .account_id = p->s.account_id, .actor_user_id = p->s.user_id,
		.actor_label = p->s.email, .action = action, .target_type = type,
		.target_id = target, .detail_json = detail_json, .ip = p->r->remote_addr };

	if (db_audit(p->app->db, &e) != DB_OK)
		log_error("audit record lost: %s %s %s", action, type != NULL ? type : "", target != NULL ? target : "");
}

/* Template data every signed-in page shares. */
static void page_common(struct page_ctx *p)
{
	char csrf[CSRF_TOKEN_LEN + 1];

	page_set(p, "request.path", p->r->path);
	if (p->s.id == 0)
		return;
	session_csrf_token(&p->s, csrf);
	page_set(p, "csrf", csrf);
	page_set(p, "user.email", p->s.email);
	page_set(p, "user.role", role_name(p->s.role));
	page_set(p, "user.role_label", role_labels[p->s.role]);
	page_set(p, "account.name", p->s.account_name);
	hdf_set_int_value(p->hdf, "user.is_admin", p->s.role == ROLE_ADMIN);
	hdf_set_int_value(p->hdf, "user.can_edit", p->s.role != ROLE_VIEWER);
	hdf_set_int_value(p->hdf, "user.signed_in", !p->s.mfa_pending);
}

static int page_login_redirect(struct page_ctx *p)
{
	char loc[600];

	if (p->r->method == METHOD_GET && page_local_path(p->r->raw_path))
		snprintf(loc, sizeof(loc), "/login?next=%s", p->r->raw_path);
	else
		snprintf(loc, sizeof(loc), "/login");
	return page_redirect(p, loc);
}

/* Session state against what the page needs: sign-in, second factor,
 * the account's 2FA requirement, then the role. */
static int page_gate_or_reply(struct page_ctx *p, enum page_access access)
{
	if (access == PAGE_PUBLIC)
		return 0;
	if (p->s.id == 0)
		return page_login_redirect(p);
	if (access == PAGE_ANY_SESSION)
		return 0;
	if (access == PAGE_MFA_STEP)
		return p->s.mfa_pending ? 0 : page_redirect(p, "/devices");
	if (p->s.mfa_pending)
		return page_redirect(p, "/login/2fa");
	if (p->s.require_2fa && !p->s.totp_enabled && access != PAGE_2FA_SETUP)
		return page_redirect(p, "/profile/2fa?required=1");
	if (access != PAGE_2FA_SETUP && (int)p->s.role > (int)access)
		return page_error(p, 403, "Your role does not allow this. Ask an administrator of your account.");
	return 0;
}

static int page_form_or_reply(struct page_ctx *p, enum page_access access)
{
	const char *token;

	if (p->r->method != METHOD_POST)
		return 0;
	if (p->r->media != MEDIA_FORM)
		return page_error(p, 415, "Forms must be sent as application/x-www-form-urlencoded.");
	if (p->r->form_status == FORM_MALFORMED)
		return page_error(p, 400, "The form could not be read.");
	if (p->r->form_status == FORM_REPEATED)
		return page_error(p, 400, arena_sprintf(&p->r->arena,
		    "The form field '%.40s' was sent more than once.", p->r->form_repeat));
	token = page_field(p, "csrf");
	if (access == PAGE_PUBLIC ? !prelogin_ok(p->r, token) : !session_csrf_ok(&p->s, token))
		return page_error(p, 403, "This form has expired or did not come from Gauge. "
		    "Go back, reload the page and try again.");
	return 0;
}

int page_begin_or_reply(struct page_ctx *p, struct app *app, struct req *r, struct resp *rs,
    enum page_access access)
{
	int st;

	memset(p, 0, sizeof(*p));
	p->app = app;
	p->r = r;
	p->rs = rs;
	if ((p->hdf = tmpl_hdf_new()) == NULL)
		return resp_error(rs, 500, "internal", "The page could not be rendered."), 500;
	if (session_load(app->db, r, app->conf->session_idle_min, &p->s) != DB_OK)
		return page_error(p, 503, "Gauge is temporarily unavailable. Try again in a moment.");
	if ((st = page_gate_or_reply(p, access)) != 0)
		return st;
	if ((st = page_form_or_reply(p, access)) != 0)
		return st;
	page_common(p);
	return 0;
}
