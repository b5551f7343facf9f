/*
 * send_mail.h - one e-mail from Gauge through AWS SES, with the configured
 * sender and credentials: the path alerts use, and password links too.
 */
#ifndef GAUGE_SEND_MAIL_H
#define GAUGE_SEND_MAIL_H

#include "send_http.h"
#include "send_ses.h"

struct conf;

/* Builds the SES settings from the configuration (pointers into conf). */
void mail_ses_conf(const struct conf *conf, struct ses_conf *out);
/* Sends text to one address over this process's connection. */
enum delivery_outcome mail_send(const struct conf *conf, const char *to, const char *subject,
    const char *text, struct delivery_result *res);

#endif
