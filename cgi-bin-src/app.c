/*
 * app.c - the route table of gauge.fcgi and request dispatch.
 *
 * Every URL the application answers is listed here, once.  Static files
 * under /static/ never reach us: the web server serves them from htdocs/.
 */
#include "app.h"

#include <stdio.h>

#include "conf.h"
#include "db.h"
#include "handlers.h"
#include "log.h"
#include "ratelimit.h"
#include "req.h"
#include "resp.h"
#include "route.h"
#include "store.h"

static const struct route app_routes[] = {
	{ METHOD_GET, "/", page_home },
	{ METHOD_GET, "/healthz", api_healthz },
	{ METHOD_POST, "/api/v1/devices/{device}/readings", api_readings_ingest },
	{ METHOD_GET, "/api/v1/devices/{device}/readings", api_readings_query },
	{ METHOD_DELETE, "/api/v1/devices/{device}/readings", api_readings_delete },
	{ METHOD_GET, "/api/v1/devices/{device}/latest", api_readings_latest },
	{ METHOD_GET, "/api/v1/devices/{device}/keys", api_keys_list },
	{ METHOD_POST, "/api/v1/devices/{device}/keys/rotate", api_keys_rotate },
	{ METHOD_DELETE, "/api/v1/devices/{device}/keys/{key}", api_keys_revoke },
	{ METHOD_GET, "/api/v1/devices", api_account_devices },
	{ METHOD_GET, "/api/v1/groups", api_account_groups },
	{ METHOD_GET, "/api/v1/groups/{group}/latest", api_account_group_latest },
	{ METHOD_GET, "/api/v1/account", api_account_get },
};

int app_open(struct app *app, const struct conf *conf, const char *progname)
{
	char err[256];

	app->conf = conf;
	app->db = db_new(&conf->mysql);
	app->store = store_new(&conf->mongo, progname, err, sizeof(err));
	if (app->db == NULL || app->store == NULL) {
		log_error("cannot set up database clients: %s",
		    app->store == NULL ? err : "out of memory");
		app_close(app);
		return -1;
	}
	/* Without the shared table the API still works, unlimited: say so loudly. */
	if ((app->ratelimit = ratelimit_open(conf->ratelimit_file, err, sizeof(err))) == NULL)
		log_error("rate limits NOT enforced: %s", err);
	return 0;
}

void app_close(struct app *app)
{
	db_free(app->db);
	store_free(app->store);
	ratelimit_close(app->ratelimit);
	app->db = NULL;
	app->store = NULL;
	app->ratelimit = NULL;
}

int app_dispatch(struct app *app, struct req *r, struct resp *rs)
{
	struct route_match m;
	unsigned allowed;
	const struct route *rt = route_find(app_routes,
	    sizeof(app_routes) / sizeof(app_routes[0]), r, &m, &allowed);
	char allow[128];

	if (rt != NULL)
		return rt->fn(app, r, rs, &m);
	if (allowed == 0)
		return resp_error(rs, 404, "not_found", "There is nothing at this address."), 404;
	route_allow_header(allowed, allow, sizeof(allow));
	resp_header(rs, "Allow", allow);
	return resp_error(rs, 405, "method_not_allowed",
	    "This address does not accept that method."), 405;
}
