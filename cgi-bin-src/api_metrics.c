/*
 * api_metrics.c - GET /metrics: Prometheus text format (version 0.0.4).
 *
 * Who may ask: clients whose address is in metrics.allow (default loopback
 * only); everyone else gets 403 with a one-line reason.  403, not 404: the
 * route is documented, so hiding it hides nothing, and an admin whose
 * scraper is refused should see why.  No key is asked for.
 *
 * The address is the client as req.c settled it: the web server's peer, or,
 * when that peer is a trusted proxy (http.trusted_proxies), the client the
 * proxy names in X-Forwarded-For.  So a scrape through the load balancer
 * counts as its real sender, never as the balancer, and a remote client
 * cannot borrow an allowed address: an X-Forwarded-For it writes itself is
 * read only when it arrives from a trusted proxy, and then only the entries
 * the trusted proxies appended.  (Prometheus should scrape each web host
 * directly anyway: the request counters are per host.)
 *
 * What is said:
 *  - this host's counters (metrics.h): requests by route pattern and
 *    status, a duration histogram by route, readings stored and duplicate,
 *    rate-limited requests, database errors by store;
 *  - global alert figures read from MySQL now (db_metrics.h), the same on
 *    every host: outbox depth by status, the oldest undelivered message,
 *    deliveries by channel and outcome (outbox rows in a final status: the
 *    outbox is the record of every delivery, so the figure survives restarts
 *    and is the same whichever host is asked), the evaluator's lease holder.
 * When MySQL does not answer, gauge_alert_metrics_up is 0 and the alert
 * families are left out; the per-host counters are still served.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "conf.h"
#include "db_alert.h"
#include "db_metrics.h"
#include "handlers.h"
#include "metrics.h"
#include "net.h"
#include "prom.h"
#include "req.h"
#include "resp.h"
#include "route.h"

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

static const struct {
	const char *family, *type, *help;   /* type NULL: the family above goes on */
	const char *labels[5];              /* name/value pairs, NULL-terminated */
} metric_lines[METRIC__MAX] = {
	[METRIC_READINGS_STORED] = { "gauge_readings_stored_total", "counter",
	    "Readings stored in MongoDB by this host.", { NULL } },
	[METRIC_READINGS_DUPLICATE] = { "gauge_readings_duplicate_total", "counter",
	    "Resent readings (same id) acknowledged without storing them again.", { NULL } },
	[METRIC_RATELIMITED_KEY] = { "gauge_ratelimited_total", "counter",
	    "Requests refused with 429, by the limit they hit.", { "limit", "key", NULL } },
	[METRIC_RATELIMITED_ADDRESS] = { "gauge_ratelimited_total", NULL, NULL, { "limit", "address", NULL } },
	[METRIC_RATELIMITED_LOGIN] = { "gauge_ratelimited_total", NULL, NULL, { "limit", "login", NULL } },
	[METRIC_DB_MYSQL_DOWN] = { "gauge_db_errors_total", "counter",
	    "Database calls that failed, by store and kind (down: unreachable; error: refused).",
	    { "store", "mysql", "kind", "down", NULL } },
	[METRIC_DB_MYSQL_ERROR] = { "gauge_db_errors_total", NULL, NULL, { "store", "mysql", "kind", "error", NULL } },
	[METRIC_DB_MONGO_DOWN] = { "gauge_db_errors_total", NULL, NULL, { "store", "mongo", "kind", "down", NULL } },
	[METRIC_DB_MONGO_ERROR] = { "gauge_db_errors_total", NULL, NULL, { "store", "mongo", "kind", "error", NULL } },
};

static void metrics_counters(struct prom *p)
{
	for (size_t i = 0; i < METRIC__MAX; i++) {
		if (metric_lines[i].type != NULL)
			prom_family(p, metric_lines[i].family, metric_lines[i].type, metric_lines[i].help);
		prom_uint(p, metric_lines[i].family, metric_lines[i].labels, metrics_value((enum metric)i));
	}
}

/* A route's method and pattern; "" and "unmatched" for the spare slot. */
static void metrics_route_labels(size_t slot, char *method, size_t len, const char **pattern)
{
	const struct route *rt = app_route(slot);

	method[0] = '\0';
	*pattern = "unmatched";
	if (rt == NULL)
		return;
	route_allow_header(rt->methods, method, len);
	*pattern = rt->pattern;
}

static void metrics_requests_by_status(struct prom *p)
{
	prom_family(p, "gauge_http_requests_total", "counter",
	    "Requests answered by this host, by route pattern (unmatched: no route) and status.");
	for (size_t slot = 0; slot <= app_route_count(); slot++) {
		char method[32], status[16];
		const char *pattern;
		const char *lab[] = { "method", method, "route", NULL, "status", status, NULL };

		metrics_route_labels(slot, method, sizeof(method), &pattern);
		lab[3] = pattern;
		for (int s = METRICS_STATUS_MIN; s <= METRICS_STATUS_MAX; s++) {
			uint64_t n = metrics_requests(slot, s);

			if (n == 0)
				continue;
			snprintf(status, sizeof(status), "%d", s);
			prom_uint(p, "gauge_http_requests_total", lab, n);
		}
	}
}

static void metrics_durations(struct prom *p)
{
	prom_family(p, "gauge_http_request_duration_seconds", "histogram",
	    "Time from request parsed to response sent on this host, by route pattern.");
	for (size_t slot = 0; slot <= app_route_count(); slot++) {
		char method[32], le[16];
		const char *pattern;
		const char *lab[] = { "method", method, "route", NULL, "le", le, NULL };
		uint64_t total = 0;

		metrics_route_labels(slot, method, sizeof(method), &pattern);
		lab[3] = pattern;
		for (size_t b = 0; b <= METRICS_BUCKETS; b++)
			total += metrics_bucket(slot, b);
		if (total == 0)
			continue;
		total = 0;
		for (size_t b = 0; b <= METRICS_BUCKETS; b++) {
			total += metrics_bucket(slot, b);
			if (b < METRICS_BUCKETS)
				snprintf(le, sizeof(le), "%g", (double)metrics_bucket_us[b] / 1e6);
			else
				snprintf(le, sizeof(le), "+Inf");
			prom_uint(p, "gauge_http_request_duration_seconds_bucket", lab, total);
		}
		lab[4] = NULL;
		prom_double(p, "gauge_http_request_duration_seconds_sum", lab,
		    (double)metrics_duration_sum_us(slot) / 1e6);
		prom_uint(p, "gauge_http_request_duration_seconds_count", lab, total);
	}
}

/* Outbox statuses that still wait for delivery: their depth is the queue. */
static const char *const outbox_waiting[] = { "pending", "sending", "held" };
/* Final statuses: what became of each message, by channel. */
static const char *const outbox_outcomes[] = { "sent", "failed", "unknown", "digested" };

static int metrics_in(const char *s, const char *const *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, set[i]) == 0)
			return 1;
	return 0;
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void metrics_outbox(struct prom *p, const struct metrics_outbox *o)
{
	double oldest = 0;

	prom_family(p, "gauge_alert_outbox_depth", "gauge",
	    "Alert messages waiting in the outbox, by status (all hosts: read from MySQL).");
	for (size_t i = 0; i < NELEM(outbox_waiting); i++) {
		const char *lab[] = { "status", outbox_waiting[i], NULL };
		long long n = 0;

		for (size_t j = 0; j < o->n; j++)
			if (strcmp(o->g[j].status, outbox_waiting[i]) == 0) {
				n += o->g[j].n;
				if (o->g[j].oldest_s > oldest)
					oldest = o->g[j].oldest_s;
			}
		prom_uint(p, "gauge_alert_outbox_depth", lab, (uint64_t)n);
	}
	prom_family(p, "gauge_alert_outbox_oldest_undelivered_seconds", "gauge",
	    "Age of the oldest message not yet delivered (pending, sending or held); 0 when none waits.");
	prom_double(p, "gauge_alert_outbox_oldest_undelivered_seconds", NULL, oldest);
	prom_family(p, "gauge_alert_deliveries_total", "counter",
	    "Alert messages that reached a final status, by channel and outcome (outbox rows).");
	for (size_t j = 0; j < o->n; j++) {
		const char *lab[] = { "channel", o->g[j].transport, "outcome", o->g[j].status, NULL };

		if (metrics_in(o->g[j].status, outbox_outcomes, NELEM(outbox_outcomes)))
			prom_uint(p, "gauge_alert_deliveries_total", lab, (uint64_t)o->g[j].n);
	}
}

static void metrics_leader(struct prom *p, const struct metrics_leader *l, int found)
{
	const char *lab[] = { "instance", l->instance, NULL };

	prom_family(p, "gauge_alertd_leader", "gauge",
	    "1 for the gauge-alertd instance holding the evaluator lease; 0 when its lease has lapsed.");
	if (found)
		prom_uint(p, "gauge_alertd_leader", lab, l->age_s <= ALERTD_LEASE_S);
	prom_family(p, "gauge_alertd_lease_age_seconds", "gauge",
	    "Seconds since the evaluator last renewed its lease.");
	if (found)
		prom_double(p, "gauge_alertd_lease_age_seconds", NULL, l->age_s);
}

static void metrics_alerts(struct app *app, struct prom *p)
{
	struct metrics_outbox o;
	struct metrics_leader l;
	int rc = db_metrics_outbox(app->db, &o), lrc = DB_NOTFOUND, up;

	if (rc == DB_OK)
		lrc = db_metrics_leader(app->db, &l);
	up = rc == DB_OK && (lrc == DB_OK || lrc == DB_NOTFOUND);
	prom_family(p, "gauge_alert_metrics_up", "gauge",
	    "1 when MySQL answered the alert queries of this scrape, else 0 (alert figures left out).");
	prom_uint(p, "gauge_alert_metrics_up", NULL, (uint64_t)up);
	if (!up)
		return;
	metrics_outbox(p, &o);
	metrics_leader(p, &l, lrc == DB_OK);
}

static int metrics_refuse(struct resp *rs, const char *addr)
{
	char msg[160];
	int n = snprintf(msg, sizeof(msg), "403 Forbidden: %s is not in metrics.allow\n", addr);

	if (resp_start(rs, 403, "text/plain; charset=utf-8") == 0)
		resp_write(rs, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
	return 403;
}

int api_metrics(struct app *app, struct req *r, struct resp *rs, const struct route_match *m)
{
	struct net_addr a;
	struct prom p = { 0 };

	(void)m;
	if (net_addr_parse(r->remote_addr, strlen(r->remote_addr), &a) != 0 ||
	    !net_cidrs_match(&app->conf->metrics_allow, &a))
		return metrics_refuse(rs, r->remote_addr);
	metrics_counters(&p);
	metrics_requests_by_status(&p);
	metrics_durations(&p);
	metrics_alerts(app, &p);
	if (prom_failed(&p)) {
		prom_free(&p);
		return resp_error(rs, 500, "out_of_memory", "The metrics could not be written."), 500;
	}
	if (resp_start(rs, 200, METRICS_CONTENT_TYPE) == 0)
		resp_write(rs, p.buf, p.len);
	prom_free(&p);
	return 200;
}
