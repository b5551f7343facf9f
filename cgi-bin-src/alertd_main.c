/*
 * alertd_main.c - gauge-alertd, the alert worker.
 *
 *   gauge-alertd -c CONFIG
 *
 * It reads the same configuration as gauge.fcgi, keeps one connection to
 * each database, and wakes every alertd.poll_interval_ms.  SIGTERM or SIGINT
 * end the current cycle and exit cleanly; nothing is held in memory that a
 * restart would lose, since all alert state lives in MySQL.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "db.h"
#include "log.h"
#include "store.h"

static volatile sig_atomic_t alertd_stop;

static void alertd_on_term(int sig)
{
	(void)sig;
	alertd_stop = 1;
}

/* Sleeps up to ms, returning early when a stop signal arrives. */
static void alertd_sleep(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (!alertd_stop && nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Logs only transitions, so a long outage is two lines, not thousands. */
static void alertd_note(const char *what, int ok, int *was_ok)
{
	if (ok && *was_ok != 1)
		log_info("%s reachable", what);
	else if (!ok && *was_ok != 0)
		log_warn("%s unreachable; will keep retrying", what);
	*was_ok = ok;
}

static int alertd_run(const struct conf *conf)
{
	char err[256];
	struct db *db = db_new(&conf->mysql);
	struct store *st = store_new(&conf->mongo, "gauge-alertd", err, sizeof(err));
	int mysql_ok = -1, mongo_ok = -1;

	if (db == NULL || st == NULL) {
		log_error("cannot set up database clients: %s", st == NULL ? err : "out of memory");
		db_free(db);
		store_free(st);
		return 1;
	}
	log_info("started; polling every %u ms", conf->alertd_poll_ms);
	while (!alertd_stop) {
		alertd_note("mysql", db_ping(db) == DB_OK, &mysql_ok);
		alertd_note("mongodb", store_ping(st) == STORE_OK, &mongo_ok);
		alertd_sleep(conf->alertd_poll_ms);
	}
	log_info("stopping");
	db_free(db);
	store_free(st);
	return 0;
}

int main(int argc, char **argv)
{
	const char *conf_path = getenv("GAUGE_CONF");
	char err[CONF_ERR_LEN];
	struct sigaction sa;
	struct conf *conf;
	int rc;

	log_init("gauge-alertd");
	if (argc == 3 && strcmp(argv[1], "-c") == 0)
		conf_path = argv[2];
	else if (argc != 1 || conf_path == NULL) {
		fprintf(stderr, "usage: gauge-alertd -c CONFIG\n");
		return 2;
	}
	if ((conf = conf_load(conf_path, err)) == NULL) {
		log_error("config: %s", err);
		return 1;
	}
	log_set_level(conf->log_level);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = alertd_on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	store_global_init();
	rc = alertd_run(conf);
	store_global_cleanup();
	conf_free(conf);
	return rc;
}
