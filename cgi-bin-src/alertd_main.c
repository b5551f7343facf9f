/*
 * alertd_main.c - gauge-alertd, the alert worker.
 *
 *   gauge-alertd -c CONFIG
 *   gauge-alertd --help | --version
 *
 * Every alertd.poll_interval_ms it evaluates new readings against the rules
 * (if it holds the evaluation lease), folds held alerts into digests, and
 * delivers the outbox.  Several may run at once.
 *
 * A poll asks first, and cheaply: one MySQL statement (the rule set's
 * fingerprint and whether the outbox has work) and one MongoDB query (a
 * reading not evaluated yet?); it evaluates, folds and delivers only when
 * there is something to do (alertd_cycle.c says when it may skip).  After a
 * cycle that found readings, the leader also asks MongoDB every
 * alertd.fast_poll_interval_ms for alertd.fast_poll_s, so an alarm in a
 * burst is sent within tens of milliseconds, not half a poll; in between
 * the polls go on at their own pace, so ticks (no_data, reminders) and
 * deliveries keep their timing.  SIGTERM or SIGINT end
 * the current cycle and exit cleanly; nothing is held in memory that a
 * restart would lose, since all alert state lives in MySQL.  SIGHUP re-reads
 * the config file between cycles and applies log.level; every other setting
 * needs a restart (which is cheap, for the same reason), and says so.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alertd.h"
#include "conf.h"
#include "db_alert.h"
#include "send_http.h"
#include "secretbox.h"
#include "db.h"
#include "log.h"
#include "store.h"
#include "ts.h"
#include "version.h"

static volatile sig_atomic_t alertd_stop, alertd_hup;

static void alertd_on_term(int sig)
{
	(void)sig;
	alertd_stop = 1;
}

static void alertd_on_hup(int sig)
{
	(void)sig;
	alertd_hup = 1;
}

/* SIGHUP: the log level from the file; a bad file changes nothing. */
static void alertd_reload(const struct conf *conf)
{
	char err[CONF_ERR_LEN];
	struct conf *next;

	alertd_hup = 0;
	log_info("SIGHUP: reloading the configuration");
	if ((next = conf_load(conf->path, err)) == NULL) {
		log_error("config: %s", err);
		log_error("reload failed: the running configuration stays");
		return;
	}
	log_set_level(next->log_level);
	log_info("config %s read: log.level applied; other settings take effect on restart",
	    next->path);
	conf_free(next);
}

/* Sleeps up to ms, returning early when a stop or HUP signal arrives. */
static void alertd_sleep(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (!alertd_stop && !alertd_hup && nanosleep(&ts, &ts) != 0 && errno == EINTR)
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

/* gaugectl status shows the last poll as liveness; every few seconds is
 * enough for that, and spares MySQL a write per poll. */
#define LAST_POLL_EVERY_MS 5000

/* One poll: evaluate (if we hold the lease and something may have
 * happened), fold digests, deliver.  How many readings it evaluated. */
static size_t alertd_cycle(struct alertd *ad, int *mysql_ok, int *mongo_ok, long long *last_poll_ms)
{
	long long now = ts_now_ms();
	struct alertd_probe probe;
	size_t fresh = 0;
	int ok = db_ping(ad->db) == DB_OK, evaluated = 0;

	alertd_note("mysql", ok, mysql_ok);
	if (!ok)
		return 0;
	/* A probe that fails says "everything may be due": a poll as before. */
	if (db_alertd_probe(ad->db, &probe) != DB_OK)
		probe = (struct alertd_probe){ .rules = "", .due = 1, .stale = 1, .held = 1 };
	if (alertd_idle(ad, now, probe.rules)) {
		(void)alertd_keep_lease(ad);
	} else {
		alertd_note("mongodb", alertd_evaluate(ad, now, &fresh) == 0 || store_ping(ad->store) == STORE_OK, mongo_ok);
		evaluated = ad->lease_ms != 0;
	}
	/* The cycle's own outbox rows go out now, not a poll later. */
	if (evaluated || probe.held)
		(void)alertd_make_digests(ad);
	if (evaluated || probe.due || probe.stale)
		(void)alertd_deliver(ad, now);
	if (ts_mono_ms() - *last_poll_ms >= LAST_POLL_EVERY_MS) {
		(void)db_alertd_set(ad->db, "last_poll_ms", ts_now_ms());
		*last_poll_ms = ts_mono_ms();
	}
	return fresh;
}

/* Between polls, while readings arrive: MongoDB alone, and a cycle with its
 * delivery only when it has a reading to evaluate. */
static size_t alertd_fast_cycle(struct alertd *ad)
{
	size_t fresh = 0;

	if (ad->memo == NULL || !alertd_has_news(ad))
		return 0;
	if (alertd_evaluate(ad, ts_now_ms(), &fresh) == 0)
		(void)alertd_deliver(ad, ts_now_ms());
	return fresh;
}

static int alertd_open(struct alertd *ad, const struct conf *conf)
{
	char err[256], host[64] = "host";

	memset(ad, 0, sizeof(*ad));
	ad->conf = conf;
	gethostname(host, sizeof(host) - 1);
	snprintf(ad->me, sizeof(ad->me), "%s:%ld:%lld", host, (long)getpid(), ts_now_ms());
	ad->db = db_new(&conf->mysql);
	ad->store = store_new(&conf->mongo, "gauge-alertd", err, sizeof(err));
	ad->conn = delivery_conn_new();
	if (conf->server_key_hex[0] != '\0' && (ad->box = malloc(sizeof(*ad->box))) != NULL &&
	    secretbox_key_parse(conf->server_key_hex, 1, ad->box) != 0) {
		free(ad->box);
		ad->box = NULL;
	}
	mailer_init(&ad->mail, conf, ad->conn);
	ad->lease_tried_ms = ts_mono_ms() - 3600000;
	if (ad->db == NULL || ad->store == NULL || ad->conn == NULL) {
		log_error("cannot set up clients: %s", ad->store == NULL ? err : "out of memory");
		return -1;
	}
	if (ad->box == NULL)
		log_warn("no usable security.server_key: SMS alerts cannot be sent");
	return 0;
}

static void alertd_close(struct alertd *ad)
{
	alertd_memo_free(ad);
	db_free(ad->db);
	store_free(ad->store);
	if (ad->conn != NULL)
		delivery_conn_free(ad->conn);
	if (ad->box != NULL) {
		secretbox_key_clear(ad->box);
		free(ad->box);
	}
}

static int alertd_run(const struct conf *conf)
{
	struct alertd ad;
	int mysql_ok = -1, mongo_ok = -1;
	long long poll_ms = 0, fast_until_ms = 0, last_poll_ms = 0, next;

	if (alertd_open(&ad, conf) != 0) {
		alertd_close(&ad);
		return 1;
	}
	log_info("version %s started as %s; polling every %u ms (every %u ms for %u s after readings)",
	    gauge_version, ad.me, conf->alertd_poll_ms, conf->alertd_fast_poll_ms, conf->alertd_fast_poll_s);
	last_poll_ms = ts_mono_ms() - LAST_POLL_EVERY_MS;
	while (!alertd_stop) {
		long long now = ts_mono_ms();
		size_t fresh;

		if (alertd_hup)
			alertd_reload(conf);
		if (now - poll_ms >= conf->alertd_poll_ms || poll_ms == 0) {
			poll_ms = now;
			fresh = alertd_cycle(&ad, &mysql_ok, &mongo_ok, &last_poll_ms);
		} else {
			fresh = alertd_fast_cycle(&ad);
		}
		now = ts_mono_ms();
		if (fresh > 0)
			fast_until_ms = now + (long long)conf->alertd_fast_poll_s * 1000;
		next = poll_ms + conf->alertd_poll_ms;
		if (now < fast_until_ms && now + conf->alertd_fast_poll_ms < next)
			next = now + conf->alertd_fast_poll_ms;
		if (next > now)
			alertd_sleep((unsigned)(next - now));
	}
	log_info("stopping");
	/* A planned stop hands evaluation over at once instead of after the
	 * lease runs out; a crash still waits the lease out. */
	if (db_alertd_lease_release(ad.db, ad.me) != DB_OK)
		log_warn("evaluation lease not released; another instance takes over when it expires");
	alertd_close(&ad);
	return 0;
}

static const char alertd_help[] =
    "\n"
    "Gauge's alert worker: evaluates new readings against the alert rules, sends\n"
    "the alerts (e-mail through AWS SES, SMS through Twilio) and retries them.\n"
    "Several may run at once, on several hosts.  SIGTERM or SIGINT end the\n"
    "current cycle and exit.\n"
    "\n"
    "  -c, --config FILE  configuration file (default: $GAUGE_CONF)\n"
    "  -h, --help         show this help and exit\n"
    "  -V, --version      show the version and exit\n"
    "\n"
    "See gauge-alertd(8) and gauge.conf(5).\n";

/* --help asks for the whole text on stdout; a mistake gets the synopsis on stderr. */
static int alertd_usage(FILE *f, int status)
{
	fprintf(f, "usage: gauge-alertd -c CONFIG\n       gauge-alertd --help | --version\n");
	if (status == 0)
		fputs(alertd_help, f);
	return status;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf_path = getenv("GAUGE_CONF");
	char err[CONF_ERR_LEN];
	struct sigaction sa;
	struct conf *conf;
	int c, rc;

	log_init("gauge-alertd");
	while ((c = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': conf_path = optarg; break;
		case 'h': return alertd_usage(stdout, 0);
		case 'V': printf("gauge-alertd (Gauge) %s\n", gauge_version); return 0;
		default: return alertd_usage(stderr, 2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "gauge-alertd: unexpected argument '%s'\n", argv[optind]);
		return alertd_usage(stderr, 2);
	}
	if (conf_path == NULL) {
		fprintf(stderr, "gauge-alertd: no configuration: give -c CONFIG or set GAUGE_CONF\n");
		return alertd_usage(stderr, 2);
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
	/* SA_RESTART: a HUP must not cut a delivery in flight; nanosleep()
	 * still returns early, and the loop reloads before the next cycle. */
	sa.sa_handler = alertd_on_hup;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	store_global_init();
	if (delivery_global_init() != 0) {
		log_error("libcurl could not be initialised");
		conf_free(conf);
		return 1;
	}
	rc = alertd_run(conf);
	delivery_global_cleanup();
	store_global_cleanup();
	conf_free(conf);
	return rc;
}
