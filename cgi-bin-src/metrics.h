/*
 * metrics.h - this host's request counters, shared by every worker.
 *
 * Like the rate-limit table (ratelimit.h), the counters live in a small file
 * mapped into every gauge.fcgi worker of a host (MAP_SHARED) and change by
 * atomic adds only: no locks, no round trip, and a worker killed mid-request
 * can never leave them wedged.  GET /metrics (api_metrics.c) reads them.
 * Each host counts on its own: Prometheus scrapes every web host.
 *
 * The module is process-wide (one mapping per process), not a field of
 * struct app, because the database layers (db.c, store.c) count their own
 * errors and know nothing of the app.  Until metrics_open() succeeds every
 * add is a no-op: gauge-alertd and gaugectl never open it.
 *
 * One request costs three relaxed atomic adds (route x status, duration
 * bucket, duration sum); the file is fixed-size, so a scrape is a walk over
 * a known layout.  The layout carries a fingerprint of the route table: a
 * new build with other routes starts from zero instead of mislabelling.
 */
#ifndef GAUGE_METRICS_H
#define GAUGE_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* Plain counters, each one line of /metrics (names in api_metrics.c). */
enum metric {
	METRIC_READINGS_STORED,         /* readings written to MongoDB */
	METRIC_READINGS_DUPLICATE,      /* resent readings (same id) not stored again */
	METRIC_RATELIMITED_KEY,         /* 429: an API key over ratelimit.per_minute */
	METRIC_RATELIMITED_ADDRESS,     /* 429: a keyless caller over anonymous_per_minute */
	METRIC_RATELIMITED_LOGIN,       /* 429: sign-in throttled after failed attempts */
	METRIC_DB_MYSQL_DOWN,           /* MySQL unreachable or connection lost */
	METRIC_DB_MYSQL_ERROR,          /* MySQL refused a statement */
	METRIC_DB_MONGO_DOWN,           /* no MongoDB server could be selected */
	METRIC_DB_MONGO_ERROR,          /* MongoDB refused a command */
	METRIC__MAX
};

/* Route slots: the app's routes 0..n-1, then one for requests no route took
 * (404, 405, and requests refused before routing, such as 413). */
#define METRICS_ROUTES_MAX  128
#define METRICS_STATUS_MIN  100
#define METRICS_STATUS_MAX  599
/* Request duration buckets (upper bounds, microseconds), then +Inf. */
#define METRICS_BUCKETS     12
extern const uint64_t metrics_bucket_us[METRICS_BUCKETS];

/* Maps (creating, or resetting when its layout differs) the table at path
 * for this process; layout_id names the route table (metrics_layout_id).
 * 0, or -1 with err: counting is then off and every add a no-op. */
int  metrics_open(const char *path, uint64_t layout_id, char *err, size_t errlen);
void metrics_close(void);
/* Folds s into a layout id (FNV-1a); start from 0. */
uint64_t metrics_layout_id(uint64_t h, const char *s);

void metrics_add(enum metric m, uint64_t n);
/* One answered request: route slot (< METRICS_ROUTES_MAX), status, duration. */
void metrics_request(size_t route, int status, uint64_t us);

/* Readers for /metrics; all 0 while nothing is mapped. */
int      metrics_ready(void);
uint64_t metrics_value(enum metric m);
uint64_t metrics_requests(size_t route, int status);
/* Requests of route in bucket b (not cumulative; b == METRICS_BUCKETS: +Inf). */
uint64_t metrics_bucket(size_t route, size_t b);
uint64_t metrics_duration_sum_us(size_t route);

#endif
