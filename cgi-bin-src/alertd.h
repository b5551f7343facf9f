/*
 * alertd.h - what one gauge-alertd process holds, and its two jobs:
 * evaluate new readings against the rules (one instance at a time, the
 * lease holder) and deliver the outbox (every instance, row by row).
 */
#ifndef GAUGE_ALERTD_H
#define GAUGE_ALERTD_H

#include <stddef.h>

#include "send_mail.h"

struct alertd_memo;
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
	struct alertd_memo *memo;       /* the last committed cycle's end; NULL: none */
	long long lease_ms;             /* monotonic: the last renewal that found us leader; 0: not */
	long long lease_tried_ms;       /* monotonic: the last attempt */
};

/* One evaluation cycle if this instance holds the lease; 0 on success.
 * *fresh (unless NULL) says how many readings it evaluated. */
int alertd_evaluate(struct alertd *ad, long long now_ms, size_t *fresh);
/* 1 when a cycle now would do nothing: the memo is good, no tick is due,
 * the rule set (rules: the probe's fingerprint) is the same and MongoDB has
 * no reading the cycle would evaluate; for a standby, when it asked for the
 * lease less than 2 s ago.  Writes nothing. */
int alertd_idle(struct alertd *ad, long long now_ms, const char *rules);
/* Only MongoDB: a reading in the window not evaluated yet (1), or none (0).
 * 1 as well when there is no memo or MongoDB cannot say. */
int alertd_has_news(struct alertd *ad);
/* Renews the lease when a quarter of it has passed (or, not holding it,
 * tries for it every 2 s); for polls that skip evaluation. */
int alertd_keep_lease(struct alertd *ad);
void alertd_memo_free(struct alertd *ad);
/* Sends what is due in the outbox; 0 on success. */
int alertd_deliver(struct alertd *ad, long long now_ms);
/* Folds alerts held over a recipient's budget into digest messages. */
int alertd_make_digests(struct alertd *ad);

#endif
