/*
 * webhook_secret.h - an account's webhook signing secret, as the dashboard
 * and the API manage it: generated from the OS CSPRNG, sealed with the
 * server key like a Twilio token, stored, and shown once to the caller.
 *
 * A rule may name a webhook only once its account has a secret: Gauge
 * never sends an unsigned webhook, and a secret made silently at the first
 * webhook rule would be one nobody had ever seen.  The refusal says where
 * to generate one.
 */
#ifndef GAUGE_WEBHOOK_SECRET_H
#define GAUGE_WEBHOOK_SECRET_H

#include "send_webhook.h"

struct alert_rule_input;
struct db;
struct secretbox_key;

enum webhook_secret_err {
	WEBHOOK_SECRET_OK = 0,
	WEBHOOK_SECRET_NO_KEY = -1,         /* security.server_key is not configured */
	WEBHOOK_SECRET_UNAVAILABLE = -2,    /* the CSPRNG or the database failed */
	WEBHOOK_SECRET_MISSING = -3,        /* a webhook rule on an account without one */
};

#define WEBHOOK_SECRET_MISSING_MSG "This account has no webhook secret yet, and Gauge signs every " \
	"webhook: an administrator generates one on the Account page (or POST /api/v1/account/webhook-secret) first."
#define WEBHOOK_SECRET_NO_KEY_MSG "Webhook secrets need the server key (security.server_key) to be configured."

/* A new secret for the account, replacing any: written into out (to be
 * shown once) when WEBHOOK_SECRET_OK. */
enum webhook_secret_err webhook_secret_rotate(struct db *db, const struct secretbox_key *box,
    long long account_id, char out[WEBHOOK_SECRET_LEN + 1]);
/* WEBHOOK_SECRET_OK when the rule names no webhook or the account has a
 * secret; WEBHOOK_SECRET_MISSING or _UNAVAILABLE otherwise. */
enum webhook_secret_err webhook_secret_rule_check(struct db *db, long long account_id,
    const struct alert_rule_input *in);

#endif
