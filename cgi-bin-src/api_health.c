/*
 * api_health.c - GET /healthz: can this worker reach MySQL and MongoDB?
 *
 * Load balancers and the dev stack poll it.  It answers 200 only when both
 * databases answer, 503 otherwise, and always says which one failed, so the
 * admin on call sees the cause in one curl.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <time.h>

#include "app.h"
#include "db.h"
#include "handlers.h"
#include "resp.h"
#include "store.h"

static double health_ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static struct json_object *health_check(int ok, const struct timespec *t0)
{
	struct json_object *o = json_object_new_object();
	double ms = health_ms_since(t0);
	char text[32];

	/* One decimal is all an operator needs; json-c would print 17 digits. */
	snprintf(text, sizeof(text), "%.1f", ms);
	json_object_object_add(o, "ok", json_object_new_boolean(ok));
	json_object_object_add(o, "latency_ms", json_object_new_double_s(ms, text));
	return o;
}

int api_healthz(struct app *app, struct req *r, struct resp *rs, const struct route_match *m)
{
	struct json_object *o = json_object_new_object();
	struct timespec t0;
	int mysql_ok, mongo_ok, status;

	(void)r;
	(void)m;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	mysql_ok = db_ping(app->db) == DB_OK;
	json_object_object_add(o, "mysql", health_check(mysql_ok, &t0));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	mongo_ok = store_ping(app->store) == STORE_OK;
	json_object_object_add(o, "mongodb", health_check(mongo_ok, &t0));
	status = mysql_ok && mongo_ok ? 200 : 503;
	json_object_object_add(o, "status",
	    json_object_new_string(status == 200 ? "ok" : "unavailable"));
	resp_json(rs, status, o);
	json_object_put(o);
	return status;
}
