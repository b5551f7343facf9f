/*
 * send_mail.h - one e-mail from Gauge through AWS SES, with the configured
 * sender and credentials: the path alerts use, and password links too.
 *
 * A process builds one mailer at start (mailer_init), from its
 * configuration and its one libcurl connection, and passes it to whoever
 * sends mail: gauge-alertd's delivery, gauge.fcgi's password and account
 * mails.  Nothing here is static, so nothing is created behind a caller's
 * back or survives a fork unnoticed.
 */
#ifndef GAUGE_SEND_MAIL_H
#define GAUGE_SEND_MAIL_H

#include "send_http.h"
#include "send_ses.h"

struct conf;

struct mailer {
	struct delivery_conn *conn;     /* borrowed: the process's connection */
	struct ses_conf ses;            /* pointers into the configuration */
};

/* Fills m from conf (which must outlive it) and the process's conn. */
void mailer_init(struct mailer *m, const struct conf *conf, struct delivery_conn *conn);
/* Sends text to one address; the outcome is also in res. */
enum delivery_outcome mail_send(const struct mailer *m, const char *to, const char *subject,
    const char *text, struct delivery_result *res);

#endif
