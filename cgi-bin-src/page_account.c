/*
 * page_account.c - /account, administrators only: users (add with a
 * one-time set-password link, change role, remove), the account API key
 * (regenerate after a confirmation, with the same grace period as a device
 * key rotation; revoke; shown once), requiring 2FA for everyone, and the
 * account's own Twilio settings (the auth token is sealed with the server
 * key and never shown again), the account's default data-retention
 * window (retention.h's rule, as PATCH /api/v1/account applies it), and the
 * webhook signing secret (generated, shown once, sealed like the Twilio
 * token).  An account always keeps an administrator.
 */
#include <ClearSilver.h>
#include <openssl/crypto.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "alert_rule.h"
#include "app.h"
#include "auth_key.h"
#include "auth_keys.h"
#include "conf.h"
#include "db.h"
#include "db_admin.h"
#include "db_retention.h"
#include "handlers.h"
#include "log.h"
#include "send_mail.h"
#include "page.h"
#include "page_keys.h"
#include "resp.h"
#include "retention.h"
#include "secretbox.h"
#include "send_twilio.h"
#include "webhook_secret.h"

int page_set_password_link(struct app *app, long long user_id, char *url, size_t len);

struct list_ctx {
	struct page_ctx *p;
	int n;
};

static int user_row(void *ctx, const struct admin_user_row *u)
{
	struct list_ctx *c = ctx;
	const struct page_item items[] = {
		{ "email", u->email }, { "role", role_name(u->role) }, { "totp", u->totp_enabled ? "1" : "0" },
		{ "has_password", u->has_password ? "1" : "0" }, { "created", u->created },
	};

	hdf_set_valuef(c->p->hdf, "users.%d.id=%lld", c->n, u->id);
	page_items(c->p, "users", c->n, items, sizeof(items) / sizeof(items[0]));
	if (u->id == c->p->s.user_id)
		hdf_set_valuef(c->p->hdf, "users.%d.me=1", c->n);
	c->n++;
	return 0;
}

static void account_show(struct page_ctx *p, const struct admin_account_row *a)
{
	page_set(p, "acct.name", a->name);
	page_set(p, "acct.require_2fa", a->require_2fa ? "1" : "");
	page_set(p, "twilio.sid", a->twilio_sid);
	page_set(p, "twilio.token_set", a->twilio_token_set ? "1" : "");
	page_set(p, "twilio.from", a->twilio_from);
	page_set(p, "webhook.secret_set", a->webhook_secret_set ? "1" : "");
}

static int account_render(struct page_ctx *p, int status)
{
	struct list_ctx users = { p, 0 };
	struct admin_account_row a;
	int retention_days;

	page_set(p, "page.title", "Account");
	page_set(p, "nav.account", "1");
	if (db_admin_account(p->app->db, p->s.account_id, &a) != DB_OK ||
	    db_admin_users(p->app->db, p->s.account_id, user_row, &users) != DB_OK ||
	    page_keys(p, KEY_ACCOUNT, p->s.account_id) != 0 ||
	    db_retention_account(p->app->db, p->s.account_id, &retention_days) != DB_OK)
		return page_error(p, 503, "Gauge is temporarily unavailable. Try again in a moment.");
	account_show(p, &a);
	if (retention_days > 0)
		page_setf(p, "retention.days", "%d", retention_days);
	page_set(p, "server_key", p->app->box != NULL ? "1" : "");
	return page_render(p, status, "account.cs");
}

static const struct page_flash account_flashes[] = {
	{ "role", "The role was changed." }, { "removed", "The user was removed; their sessions ended." },
	{ "2fa_on", "Every user of the account now needs two-factor sign-in." },
	{ "2fa_off", "Two-factor sign-in is now optional." }, { "twilio", "Twilio settings saved." },
	{ "twilio_clear", "Twilio settings removed: no more SMS alerts." },
	{ "key_revoked", "The account key was revoked." },
	{ "retention", "Data retention saved: older readings are deleted within the hour." },
	{ "retention_off", "Data retention off: readings are kept forever (devices with their own window keep it)." },
};

int page_account(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct page_ctx p;
	int st;

	(void)m;
	if ((st = page_begin_or_reply(&p, app, r, rs, PAGE_ADMIN)) != 0)
		return st;
	page_flash(&p, account_flashes, sizeof(account_flashes) / sizeof(account_flashes[0]));
	return account_render(&p, 200);
}

static int refuse(struct page_ctx *p, const char *msg)
{
	page_set(p, "form.error", msg);
	return account_render(p, 400);
}

static int unavailable(struct page_ctx *p)
{
	return page_error(p, 503, "Nothing was changed: Gauge is temporarily unavailable. Try again.");
}

static int done(struct page_ctx *p, const char *what)
{
	char loc[64];

	snprintf(loc, sizeof(loc), "/account?done=%s", what);
	return page_redirect(p, loc);
}

/* Shows the set-password link once, and mails it to the user. */
static int show_link(struct page_ctx *p, const char *email, const char *url)
{
	char text[1024];
	struct delivery_result res;

	snprintf(text, sizeof(text), "%s added you to the Gauge account \"%s\".\n\n"
	    "Choose your password here (the link works once, for 72 hours):\n\n  %s\n",
	    p->s.email, p->s.account_name, url);
	if (mail_send(&p->app->mail, email, "Your Gauge account", text, &res) != DELIVERY_SENT)
		log_warn("invitation mail not sent: %s", res.error);
	page_set(p, "link.email", email);
	page_set(p, "link.url", url);
	page_set(p, "page.title", "Set-password link");
	page_set(p, "nav.account", "1");
	return page_render(p, 201, "user_link.cs");
}

static int act_user_add(struct page_ctx *p)
{
	const char *email = page_field(p, "email");
	int role = valid_role(page_field(p, "role")), rc;
	char url[512], id[24];
	long long uid;

	if (email == NULL || !valid_email(email))
		return refuse(p, "Enter a valid email address.");
	if (role < 0)
		return refuse(p, "Choose a role: administrator, user or viewer.");
	if ((rc = db_admin_user_add(p->app->db, p->s.account_id, email, (enum role)role, &uid)) == DB_DUPLICATE)
		return refuse(p, "That email address already has a Gauge account.");
	if (rc != DB_OK || page_set_password_link(p->app, uid, url, sizeof(url)) != DB_OK)
		return unavailable(p);
	snprintf(id, sizeof(id), "%lld", uid);
	page_audit(p, "user.create", "user", email, role == ROLE_ADMIN ? "{\"role\":\"admin\"}"
	    : role == ROLE_USER ? "{\"role\":\"user\"}" : "{\"role\":\"viewer\"}");
	return show_link(p, email, url);
}

static int act_user_link(struct page_ctx *p)
{
	long long uid = valid_id(page_field(p, "user"));
	char email[255], url[512];

	if (uid == 0 || db_admin_user_email(p->app->db, p->s.account_id, uid, email, sizeof(email)) != DB_OK)
		return refuse(p, "There is no such user in your account.");
	if (page_set_password_link(p->app, uid, url, sizeof(url)) != DB_OK)
		return unavailable(p);
	page_audit(p, "user.link", "user", email, NULL);
	return show_link(p, email, url);
}

static int act_user_role(struct page_ctx *p)
{
	long long uid = valid_id(page_field(p, "user"));
	int role = valid_role(page_field(p, "role")), rc;
	char email[255], detail[48];

	if (uid == 0 || role < 0 || db_admin_user_email(p->app->db, p->s.account_id, uid, email, sizeof(email)) != DB_OK)
		return refuse(p, "Choose a user of your account and a role.");
	rc = db_admin_user_role(p->app->db, p->s.account_id, uid, (enum role)role);
	if (rc == DB_ERROR)
		return refuse(p, "The account must keep at least one administrator.");
	if (rc != DB_OK)
		return unavailable(p);
	snprintf(detail, sizeof(detail), "{\"role\":\"%s\"}", role_name((enum role)role));
	page_audit(p, "user.role", "user", email, detail);
	return done(p, "role");
}

static int act_user_remove(struct page_ctx *p)
{
	long long uid = valid_id(page_field(p, "user"));
	char email[255];
	int rc;

	if (uid == 0 || db_admin_user_email(p->app->db, p->s.account_id, uid, email, sizeof(email)) != DB_OK)
		return refuse(p, "There is no such user in your account.");
	if (uid == p->s.user_id)
		return refuse(p, "You cannot remove yourself; ask another administrator.");
	if ((rc = db_admin_user_remove(p->app->db, p->s.account_id, uid)) == DB_ERROR)
		return refuse(p, "The account must keep at least one administrator.");
	if (rc != DB_OK)
		return unavailable(p);
	page_audit(p, "user.remove", "user", email, NULL);
	return done(p, "removed");
}

static int act_require_2fa(struct page_ctx *p)
{
	const char *v = page_field(p, "require");
	int on;

	if (v == NULL || (strcmp(v, "on") != 0 && strcmp(v, "off") != 0))
		return refuse(p, "Choose on or off.");
	on = v[1] == 'n';
	if (db_admin_set_require_2fa(p->app->db, p->s.account_id, on) != DB_OK)
		return unavailable(p);
	page_audit(p, on ? "2fa.require_on" : "2fa.require_off", "account", p->s.account_name, NULL);
	return done(p, on ? "2fa_on" : "2fa_off");
}

static int act_twilio(struct page_ctx *p)
{
	const char *sid = page_field(p, "sid"), *token = page_field(p, "token"), *from = page_field(p, "from");
	unsigned char sealed[SECRETBOX_SEALED_LEN(128)];
	char aad[TWILIO_AAD_LEN];

	if (p->app->box == NULL)
		return refuse(p, "Twilio settings need the server key (security.server_key) to be configured.");
	if (!twilio_sid_ok(sid))
		return refuse(p, "The account SID is AC followed by 32 hexadecimal characters.");
	if (token == NULL || strlen(token) < 16 || strlen(token) > 128)
		return refuse(p, "Enter the auth token from your Twilio console.");
	if (!phone_e164_ok(from))
		return refuse(p, "The sending number must be in E.164 form, like +14155550123.");
	twilio_token_aad(p->s.account_id, aad);
	if (secretbox_seal(p->app->box, token, strlen(token), aad, strlen(aad), sealed) != 0 ||
	    db_admin_set_twilio(p->app->db, p->s.account_id, sid, sealed,
	    SECRETBOX_SEALED_LEN(strlen(token)), from) != DB_OK)
		return unavailable(p);
	page_audit(p, "twilio.update", "account", p->s.account_name, NULL);
	return done(p, "twilio");
}

static int act_twilio_clear(struct page_ctx *p)
{
	if (db_admin_clear_twilio(p->app->db, p->s.account_id) != DB_OK)
		return unavailable(p);
	page_audit(p, "twilio.clear", "account", p->s.account_name, NULL);
	return done(p, "twilio_clear");
}

static int act_retention(struct page_ctx *p)
{
	char detail[RETENTION_DETAIL_LEN];
	int days;

	if (!retention_days_parse(page_field(p, "retention_days"), &days))
		return refuse(p, RETENTION_DAYS_RULE);
	if (db_retention_set_account(p->app->db, p->s.account_id, days) != DB_OK)
		return unavailable(p);
	page_audit(p, "account.retention", "account", p->s.account_name, retention_detail(days, detail));
	return done(p, days > 0 ? "retention" : "retention_off");
}

/* A new secret replaces the old one at once; the page shows it this once. */
static int act_webhook_secret(struct page_ctx *p)
{
	char secret[WEBHOOK_SECRET_LEN + 1];
	enum webhook_secret_err rc = webhook_secret_rotate(p->app->db, p->app->box, p->s.account_id, secret);

	if (rc == WEBHOOK_SECRET_NO_KEY)
		return refuse(p, WEBHOOK_SECRET_NO_KEY_MSG);
	if (rc != WEBHOOK_SECRET_OK)
		return unavailable(p);
	page_audit(p, "webhook.secret_rotate", "account", "webhook-secret", NULL);
	page_set(p, "webhook.new_secret", secret);
	OPENSSL_cleanse(secret, sizeof(secret));
	return account_render(p, 201);
}

/* Two steps: the first POST (grace chosen) asks for confirmation, saying
 * what will happen to the integrations; only the second, with confirm=yes,
 * regenerates.  The old keys keep working for the grace period, as after a
 * device key rotation, and the key table shows until when. */
static int act_key_regenerate(struct page_ctx *p)
{
	const char *confirm = page_field(p, "confirm"), *label;
	char detail[96], until[PAGE_TIME_LEN];
	struct new_key key;
	long long key_id;
	unsigned grace;

	if (page_key_grace(p, &grace, &label) != 0)
		return refuse(p, "Choose how long the current account key keeps working.");
	page_setf(p, "regen.grace", "%u", grace);
	page_set(p, "regen.grace_label", label);
	page_set(p, "nav.account", "1");
	page_time(((long long)time(NULL) + grace) * 1000, until);
	page_set(p, "regen.until", grace > 0 ? until : "");
	if (confirm == NULL || strcmp(confirm, "yes") != 0) {
		page_set(p, "page.title", "Regenerate the account key?");
		return page_render(p, 200, "account_key.cs");
	}
	if (key_generate(KEY_ACCOUNT, &key) != 0 ||
	    auth_keys_regenerate_account(p->app->db, p->s.account_id, grace, &key, &key_id) != DB_OK)
		return unavailable(p);
	snprintf(detail, sizeof(detail), "{\"new_key\":\"%s\",\"grace_seconds\":%u}", key.display, grace);
	page_audit(p, "key.account_regenerate", "account", key.display, detail);
	page_set(p, "key.value", key.key);
	page_set(p, "page.title", "New account key");
	return page_render(p, 201, "account_key.cs");
}

static int act_key_revoke(struct page_ctx *p)
{
	long long id = valid_id(page_field(p, "key"));
	int rc;

	if (id == 0)
		return refuse(p, "Choose a key.");
	if ((rc = auth_keys_revoke_account(p->app->db, p->s.account_id, id)) == DB_NOTFOUND)
		return refuse(p, "That is not an active key of your account (it was revoked or has expired).");
	if (rc != DB_OK)
		return unavailable(p);
	page_audit(p, "key.account_revoke", "account", p->s.account_name, NULL);
	return done(p, "key_revoked");
}

static const struct {
	const char *name;
	int (*fn)(struct page_ctx *p);
} account_actions[] = {
	{ "user_add", act_user_add }, { "user_link", act_user_link }, { "user_role", act_user_role },
	{ "user_remove", act_user_remove }, { "require_2fa", act_require_2fa },
	{ "twilio", act_twilio }, { "twilio_clear", act_twilio_clear }, { "webhook_secret", act_webhook_secret },
	{ "key_regenerate", act_key_regenerate }, { "key_revoke", act_key_revoke },
	{ "retention", act_retention },
};

int page_account_post(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m)
{
	struct page_ctx p;
	const char *action;
	int st;

	(void)m;
	if ((st = page_begin_or_reply(&p, app, r, rs, PAGE_ADMIN)) != 0)
		return st;
	action = page_field(&p, "action");
	for (size_t i = 0; action != NULL && i < sizeof(account_actions) / sizeof(account_actions[0]); i++)
		if (strcmp(action, account_actions[i].name) == 0)
			return account_actions[i].fn(&p);
	return refuse(&p, "Unknown action.");
}
