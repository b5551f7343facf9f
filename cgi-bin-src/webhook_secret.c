/*
 * webhook_secret.c - generating, sealing and storing an account's webhook
 * secret, and the rule check (see webhook_secret.h).  The queries are
 * db_admin.c's.
 */
#include "webhook_secret.h"

#include <openssl/crypto.h>
#include <string.h>

#include "alert_rule.h"
#include "db.h"
#include "db_admin.h"
#include "secretbox.h"

enum webhook_secret_err webhook_secret_rotate(struct db *db, const struct secretbox_key *box,
    long long account_id, char out[WEBHOOK_SECRET_LEN + 1])
{
	unsigned char sealed[SECRETBOX_SEALED_LEN(WEBHOOK_SECRET_LEN)];
	char aad[WEBHOOK_AAD_LEN];
	enum webhook_secret_err rc = WEBHOOK_SECRET_UNAVAILABLE;

	if (box == NULL)
		return WEBHOOK_SECRET_NO_KEY;
	webhook_secret_aad(account_id, aad);
	if (webhook_secret_generate(out) == 0 &&
	    secretbox_seal(box, out, WEBHOOK_SECRET_LEN, aad, strlen(aad), sealed) == 0 &&
	    db_admin_set_webhook_secret(db, account_id, sealed, sizeof(sealed)) == DB_OK)
		rc = WEBHOOK_SECRET_OK;
	if (rc != WEBHOOK_SECRET_OK)
		OPENSSL_cleanse(out, WEBHOOK_SECRET_LEN + 1);
	return rc;
}

enum webhook_secret_err webhook_secret_rule_check(struct db *db, long long account_id,
    const struct alert_rule_input *in)
{
	int set = 0;

	if (!alert_rule_has_webhook(in))
		return WEBHOOK_SECRET_OK;
	if (db_admin_webhook_secret_set(db, account_id, &set) != DB_OK)
		return WEBHOOK_SECRET_UNAVAILABLE;
	return set ? WEBHOOK_SECRET_OK : WEBHOOK_SECRET_MISSING;
}
