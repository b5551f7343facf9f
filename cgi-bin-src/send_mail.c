/*
 * send_mail.c - e-mail through SES with the configured settings (see send_mail.h).
 * The SES settings are read from the configuration once, when the process
 * starts, and every mail goes over the connection the process passed in, so
 * later mails reuse its TLS session.
 */
#include "send_mail.h"

#include <string.h>

#include "conf.h"

void mailer_init(struct mailer *m, const struct conf *conf, struct delivery_conn *conn)
{
	memset(m, 0, sizeof(*m));
	m->conn = conn;
	m->ses.endpoint = conf->ses_endpoint;
	m->ses.region = conf->ses_region;
	m->ses.access_key_id = conf->ses_access_key_id;
	m->ses.secret_access_key = conf->ses_secret_access_key;
	m->ses.session_token = conf->ses_session_token;
	m->ses.sender = conf->ses_sender;
	m->ses.ca_file = conf->ses_ca_file;
}

enum delivery_outcome mail_send(const struct mailer *m, const char *to, const char *subject,
    const char *text, struct delivery_result *res)
{
	struct ses_mail mail = { .to = to, .subject = subject, .text = text };

	if (m->conn == NULL) {     /* the process could not make one */
		delivery_fail(res, DELIVERY_RETRY, 0, "out of memory");
		return DELIVERY_RETRY;
	}
	return ses_send(m->conn, &m->ses, &mail, res);
}
