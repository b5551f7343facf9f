/*
 * app.h - what one worker process holds: its configuration, its two
 * database connections and its one outbound HTTPS connection (for mail).
 * Handlers receive it with every request.
 */
#ifndef GAUGE_APP_H
#define GAUGE_APP_H

#include <stddef.h>

#include "send_mail.h"

struct conf;
struct db;
struct req;
struct resp;
struct ratelimit;
struct route;
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
/* Routes a parsed request to its handler; returns the status sent.  *slot:
 * the route's index in the table, app_route_count() when none matched. */
int  app_dispatch(struct app *app, struct req *r, struct resp *rs, size_t *slot);
/* The route table, for /metrics labels: routes 0..app_route_count()-1. */
size_t app_route_count(void);
const struct route *app_route(size_t i);

#endif
