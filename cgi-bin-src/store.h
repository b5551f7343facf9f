/*
 * store.h - the MongoDB client of one process; readings live here.
 *
 * One mongoc_client_t per process (libmongoc's single-threaded client,
 * which suits pre-forked workers).  libmongoc itself re-selects a server
 * after an outage; we keep the server-selection timeout short so a request
 * fails fast with 503 instead of hanging while MongoDB is down.
 */
#ifndef GAUGE_STORE_H
#define GAUGE_STORE_H

#include <stddef.h>

struct conf_mongo;
struct store;

/* What every store_* function returns: 0 success, negative failure. */
enum store_status {
	STORE_OK = 0,       /* done; for writes, journaled with the configured write concern */
	STORE_DOWN = -1,    /* no server could be selected: callers answer 503 and retry later */
	STORE_ERROR = -2,   /* the server refused the command: a bug, bad index or bad data */
};

/* NULL with err set when the URI is invalid; connecting happens lazily. */
struct store *store_new(const struct conf_mongo *conf, const char *appname,
    char *err, size_t errlen);
void store_free(struct store *s);
int  store_ping(struct store *s);
/* Runs each createIndexes command file in schema_dir/mongo, in name order. */
int  store_apply_indexes(struct store *s, const char *schema_dir,
    char *err, size_t errlen);

/* Call once per process before any store_new. */
void store_global_init(void);
void store_global_cleanup(void);

#endif
