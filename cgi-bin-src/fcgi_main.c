/*
 * fcgi_main.c - gauge.fcgi: the FastCGI application.
 *
 *   gauge.fcgi -c CONFIG                  spawned by a web server (lighttpd
 *                                         bin-path, mod_fcgid): serve on fd 0
 *   gauge.fcgi -c CONFIG --listen SOCKET  standalone: pre-forking supervisor
 *              [--workers N]              on a unix socket (mod_proxy_fcgi)
 *   gauge.fcgi --help | --version
 *
 * Each worker is single-threaded: accept a request, parse and validate it,
 * dispatch it, log one line, repeat.  SIGTERM lets the current request
 * finish and then exits: the signal is blocked while a request is handled,
 * so no read or write of it is ever interrupted.  SIGHUP to the supervisor
 * re-reads the config file (fcgi_reload) and replaces the workers.
 */
#include <fcgiapp.h>
#include <getopt.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "conf.h"
#include "send_http.h"
#include "log.h"
#include "metrics.h"
#include "req.h"
#include "resp.h"
#include "store.h"
#include "supervisor.h"
#include "tmpl.h"
#include "version.h"

static volatile sig_atomic_t fcgi_stop;

/* What the supervisor hands each worker; fcgi_reload() swaps conf. */
struct fcgi_ctx {
	struct conf *conf;
};

static void fcgi_on_term(int sig)
{
	(void)sig;
	fcgi_stop = 1;
	FCGX_ShutdownPending();
}

static long fcgi_read(void *ctx, char *buf, size_t n)
{
	return FCGX_GetStr(buf, n > 1 << 20 ? 1 << 20 : (int)n, ctx);
}

static int fcgi_write(void *ctx, const char *buf, size_t n)
{
	return FCGX_PutStr(buf, (int)n, ctx) == (int)n ? 0 : -1;
}

static void fcgi_handle(struct app *app, FCGX_Request *fr)
{
	struct req r;
	struct req_error err;
	struct resp rs;
	struct timespec t0, t1;
	size_t slot = app_route_count();    /* none, until a route matches */
	uint64_t us;
	int status, via;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (req_parse(&r, fr->envp, fcgi_read, fr->in, app->conf->max_body,
	    &app->conf->trusted_proxies, &err) == 0) {
		resp_init(&rs, (struct out){ fcgi_write, fr->out }, &r);
		status = app_dispatch(app, &r, &rs, &slot);
	} else {
		resp_init(&rs, (struct out){ fcgi_write, fr->out }, &r);
		status = err.status;
		resp_error(&rs, err.status, err.code, err.message);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	us = (uint64_t)(((long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL +
	    (t1.tv_nsec - t0.tv_nsec)) / 1000);
	metrics_request(slot, status, us);
	/* The client first, as always; the proxy it came through last. */
	via = strcmp(r.peer_addr, r.remote_addr) != 0;
	log_info("req=%s %s %s %s %d %zuB %.1fms%s%s", r.id, r.remote_addr, r.method_name,
	    r.raw_path, status, rs.bytes, (double)us / 1e3,
	    via ? " via=" : "", via ? r.peer_addr : "");
	req_free(&r);
}

static int fcgi_worker(int listen_fd, void *ctx)
{
	const struct conf *conf = ((struct fcgi_ctx *)ctx)->conf;
	struct sigaction sa;
	sigset_t term;
	FCGX_Request fr;
	struct app app;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fcgi_on_term;   /* no SA_RESTART: accept() must wake up */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigaddset(&term, SIGINT);
	store_global_init();
	if (FCGX_Init() != 0 || app_open(&app, conf, "gauge.fcgi") != 0)
		return 1;
	FCGX_InitRequest(&fr, listen_fd, 0);
	log_debug("worker ready");
	while (!fcgi_stop && FCGX_Accept_r(&fr) >= 0) {
		/* Held until the answer is sent; the loop then ends. */
		sigprocmask(SIG_BLOCK, &term, NULL);
		fcgi_handle(&app, &fr);
		FCGX_Finish_r(&fr);
		sigprocmask(SIG_UNBLOCK, &term, NULL);
	}
	app_close(&app);
	store_global_cleanup();
	return 0;
}

static int fcgi_changed(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a != NULL && strcmp(a, b) != 0);
}

/*
 * SIGHUP in the supervisor: reads the file again.  A bad file keeps the
 * running configuration.  Everything a worker reads from conf takes effect
 * in the replacement workers (log level, templates, databases, limits,
 * providers); the socket and the pool size belong to the supervisor and
 * need a restart, which is said in the log.
 */
static int fcgi_reload(void *ctx)
{
	struct fcgi_ctx *fc = ctx;
	char err[CONF_ERR_LEN];
	struct conf *next = conf_load(fc->conf->path, err);

	if (next == NULL) {
		log_error("config: %s", err);
		return -1;
	}
	if (fcgi_changed(next->fcgi_listen, fc->conf->fcgi_listen) ||
	    next->fcgi_workers != fc->conf->fcgi_workers ||
	    next->fcgi_socket_mode != fc->conf->fcgi_socket_mode)
		log_warn("fcgi.listen, fcgi.workers and fcgi.socket_mode changes take effect on restart");
	/* Workers are forked from here: they inherit both. */
	log_set_level(next->log_level);
	tmpl_init(next->templates_dir);
	conf_free(fc->conf);
	fc->conf = next;
	log_info("config %s read: new workers take all of it (log.level, paths.templates, "
	    "databases, limits)", next->path);
	return 0;
}

static const char fcgi_help[] =
    "\n"
    "Gauge's FastCGI application.  Started by a web server (lighttpd bin-path) it\n"
    "serves the FastCGI connection on standard input; given a socket (--listen or\n"
    "fcgi.listen) it runs standalone: a supervisor pre-forks workers on that unix\n"
    "socket (Apache mod_proxy_fcgi, lighttpd \"socket\").  SIGTERM drains and exits.\n"
    "\n"
    "  -c, --config FILE    configuration file (default: $GAUGE_CONF)\n"
    "  -l, --listen SOCKET  standalone on this unix socket (default: fcgi.listen)\n"
    "  -w, --workers N      standalone: N workers, 1-256 (default: fcgi.workers)\n"
    "  -h, --help           show this help and exit\n"
    "  -V, --version        show the version and exit\n"
    "\n"
    "See gauge.fcgi(8) and gauge.conf(5).\n";

/* --help asks for the whole text on stdout; a mistake gets the synopsis on stderr. */
static int fcgi_usage(FILE *f, int status)
{
	fprintf(f, "usage: gauge.fcgi -c CONFIG [--listen SOCKET] [--workers N]\n"
	    "       gauge.fcgi --help | --version\n");
	if (status == 0)
		fputs(fcgi_help, f);
	return status;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "workers", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf_path = getenv("GAUGE_CONF"), *listen = NULL;
	char err[CONF_ERR_LEN];
	struct fcgi_ctx fc;
	struct conf *conf;
	long workers = 0;
	int c, rc;

	log_init("gauge.fcgi");
	while ((c = getopt_long(argc, argv, "c:l:w:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': conf_path = optarg; break;
		case 'l': listen = optarg; break;
		case 'w':
			workers = strtol(optarg, NULL, 10);
			if (workers < 1 || workers > 256) {
				fprintf(stderr, "gauge.fcgi: --workers must be 1-256, not '%s'\n", optarg);
				return fcgi_usage(stderr, 2);
			}
			break;
		case 'h': return fcgi_usage(stdout, 0);
		case 'V': printf("gauge.fcgi (Gauge) %s\n", gauge_version); return 0;
		default: return fcgi_usage(stderr, 2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "gauge.fcgi: unexpected argument '%s'\n", argv[optind]);
		return fcgi_usage(stderr, 2);
	}
	if (conf_path == NULL) {
		fprintf(stderr, "gauge.fcgi: no configuration: give -c CONFIG or set GAUGE_CONF\n");
		return fcgi_usage(stderr, 2);
	}
	if ((conf = conf_load(conf_path, err)) == NULL) {
		log_error("config: %s", err);
		return 1;
	}
	log_set_level(conf->log_level);
	tmpl_init(conf->templates_dir);
	/* libcurl's global state must exist before any worker is forked. */
	if (delivery_global_init() != 0) {
		log_error("libcurl could not be initialised");
		conf_free(conf);
		return 1;
	}
	if (listen == NULL)
		listen = conf->fcgi_listen;
	fc.conf = conf;
	if (!FCGX_IsCGI())
		rc = fcgi_worker(0, &fc);
	else if (listen != NULL) {
		log_info("version %s", gauge_version);
		rc = supervisor_run(listen, conf->fcgi_socket_mode,
		    workers > 0 ? (unsigned)workers : conf->fcgi_workers, fcgi_worker, fcgi_reload, &fc);
	} else {
		log_error("not started by a web server: give --listen SOCKET to run standalone");
		rc = 2;
	}
	conf_free(fc.conf);
	return rc;
}
