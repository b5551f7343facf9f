/*
 * send_mail.c - e-mail through SES with the configured settings (see send_mail.h).
 * The connection is made on first use in each process (after fork) and
 * kept, so later mails reuse its TLS session.
 */
#include "send_mail.h"

#include <string.h>

#include "conf.h"
#include "send_ses.h"

static struct delivery_conn *mail_conn;

void mail_ses_conf(const struct conf *conf, struct ses_conf *out)
{
	memset(out, 0, sizeof(*out));
	out->endpoint = conf->ses_endpoint;
	out->region = conf->ses_region;
	out->access_key_id = conf->ses_access_key_id;
	out->secret_access_key = conf->ses_secret_access_key;
	out->session_token = conf->ses_session_token;
	out->sender = conf->ses_sender;
	out->ca_file = conf->ses_ca_file;
}

enum delivery_outcome mail_send(const struct conf *conf, const char *to, const char *subject,
    const char *text, struct delivery_result *res)
{
	struct ses_conf sc;
	struct ses_mail m = { .to = to, .subject = subject, .text = text };

	if (mail_conn == NULL && (mail_conn = delivery_conn_new()) == NULL) {
		delivery_fail(res, DELIVERY_RETRY, 0, "out of memory");
		return DELIVERY_RETRY;
	}
	mail_ses_conf(conf, &sc);
	return ses_send(mail_conn, &sc, &m, res);
}
