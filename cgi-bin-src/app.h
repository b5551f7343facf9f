/*
 * app.h - what one worker process holds: its configuration, its two
 * database connections and its one outbound HTTPS connection (for mail).
 * Handlers receive it with every request.
 */
#ifndef GAUGE_APP_H
#define GAUGE_APP_H

#include "send_mail.h"

struct conf;
struct db;
struct req;
struct resp;
struct ratelimit;
struct secretbox_key;
struct store;

struct app {
	const struct conf *conf;
	struct db *db;
	struct store *store;
	struct ratelimit *ratelimit;    /* NULL: limits not enforced (logged) */
	struct secretbox_key *box;      /* NULL: no server key configured */
	struct key_cache *keys;         /* NULL: every API request asks MySQL */
	struct delivery_conn *conn;     /* NULL: out of memory, mail is retried */
	struct mailer mail;             /* SES over conn, built once */
};

/* Creates the per-process connections (lazily connected); 0 on success. */
int  app_open(struct app *app, const struct conf *conf, const char *progname);
void app_close(struct app *app);
/* Routes a parsed request to its handler; returns the status sent. */
int  app_dispatch(struct app *app, struct req *r, struct resp *rs);

#endif
