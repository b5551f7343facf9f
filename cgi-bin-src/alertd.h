/*
 * alertd.h - what one gauge-alertd process holds, and its two jobs:
 * evaluate new readings against the rules (one instance at a time, the
 * lease holder) and deliver the outbox (every instance, row by row).
 */
#ifndef GAUGE_ALERTD_H
#define GAUGE_ALERTD_H

#include "send_mail.h"

struct conf;
struct db;
struct secretbox_key;
struct store;

struct alertd {
	const struct conf *conf;
	struct db *db;
	struct store *store;
	struct secretbox_key *box;      /* NULL: no Twilio (tokens are sealed) */
	struct delivery_conn *conn;     /* the process's one HTTPS connection */
	struct mailer mail;             /* SES over conn, built once at start */
	char me[96];                    /* host:pid:start, for leases */
};

/* One evaluation cycle if this instance holds the lease; 0 on success. */
int alertd_evaluate(struct alertd *ad, long long now_ms);
/* Sends what is due in the outbox; 0 on success. */
int alertd_deliver(struct alertd *ad, long long now_ms);
/* Folds alerts held over a recipient's budget into digest messages. */
int alertd_make_digests(struct alertd *ad);

#endif
