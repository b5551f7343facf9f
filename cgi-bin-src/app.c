/*
 * app.c - the route table of gauge.fcgi and request dispatch.
 *
 * Every URL the application answers is listed here, once.  Static files
 * under /static/ never reach us: the web server serves them from htdocs/.
 */
#include "app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "db.h"
#include "handlers.h"
#include "key_cache.h"
#include "log.h"
#include "metrics.h"
#include "ratelimit.h"
#include "secretbox.h"
#include "req.h"
#include "resp.h"
#include "route.h"
#include "store.h"

static const struct route app_routes[] = {
	{ METHOD_GET, "/", page_home },
	{ METHOD_GET, "/healthz", api_healthz },
	{ METHOD_GET, "/metrics", api_metrics },
	{ METHOD_GET, "/api/v1/openapi.json", api_openapi },
	{ METHOD_GET, "/docs/api", page_docs_api },
	{ METHOD_POST, "/api/v1/devices/{device}/readings", api_readings_ingest },
	{ METHOD_GET, "/api/v1/devices/{device}/readings", api_readings_query },
	{ METHOD_DELETE, "/api/v1/devices/{device}/readings", api_readings_delete },
	{ METHOD_GET, "/api/v1/devices/{device}/latest", api_readings_latest },
	{ METHOD_GET, "/api/v1/devices/{device}/keys", api_keys_list },
	{ METHOD_POST, "/api/v1/devices/{device}/keys/rotate", api_keys_rotate },
	{ METHOD_DELETE, "/api/v1/devices/{device}/keys/{key}", api_keys_revoke },
	{ METHOD_GET, "/api/v1/devices", api_account_devices },
	{ METHOD_POST, "/api/v1/devices", api_devices_create },
	{ METHOD_GET, "/api/v1/devices/{device}", api_devices_get },
	{ METHOD_PATCH, "/api/v1/devices/{device}", api_devices_patch },
	{ METHOD_DELETE, "/api/v1/devices/{device}", api_devices_delete },
	{ METHOD_GET, "/api/v1/groups", api_account_groups },
	{ METHOD_POST, "/api/v1/groups", api_groups_create },
	{ METHOD_PATCH, "/api/v1/groups/{group}", api_groups_patch },
	{ METHOD_DELETE, "/api/v1/groups/{group}", api_groups_delete },
	{ METHOD_GET, "/api/v1/groups/{group}/latest", api_account_group_latest },
	{ METHOD_GET, "/api/v1/account", api_account_get },
	{ METHOD_PATCH, "/api/v1/account", api_account_patch },
	{ METHOD_GET, "/api/v1/account/keys", api_account_keys_list },
	{ METHOD_POST, "/api/v1/account/key/rotate", api_account_key_rotate },
	{ METHOD_POST, "/api/v1/account/webhook-secret", api_account_webhook_secret },
	{ METHOD_GET, "/api/v1/alert-rules", api_alert_rules_list },
	{ METHOD_POST, "/api/v1/alert-rules", api_alert_rules_create },
	{ METHOD_DELETE, "/api/v1/alert-rules/{rule}", api_alert_rules_delete },
	{ METHOD_GET, "/api/v1/alert-rules/{rule}", api_alert_rules_get },
	{ METHOD_PATCH, "/api/v1/alert-rules/{rule}", api_alert_rules_patch },
	{ METHOD_GET, "/api/v1/alert-events", api_alert_events_list },
	{ METHOD_POST, "/api/v1/alert-events/{event}/ack", api_alert_events_ack },
	{ METHOD_GET, "/verify/{code}", page_verify },
	{ METHOD_GET, "/login", page_login },
	{ METHOD_POST, "/login", page_login_post },
	{ METHOD_GET, "/login/2fa", page_login_2fa },
	{ METHOD_POST, "/login/2fa", page_login_2fa_post },
	{ METHOD_POST, "/logout", page_logout },
	{ METHOD_GET, "/devices", page_devices },
	{ METHOD_POST, "/devices", page_devices_post },
	{ METHOD_GET, "/devices/{device}", page_device_show },
	{ METHOD_GET, "/devices/{device}/data", page_device_data },
	{ METHOD_GET, "/devices/{device}/settings", page_device_settings },
	{ METHOD_POST, "/devices/{device}/settings", page_device_settings_post },
	{ METHOD_GET, "/profile", page_profile },
	{ METHOD_POST, "/profile", page_profile_post },
	{ METHOD_GET, "/profile/2fa", page_2fa },
	{ METHOD_POST, "/profile/2fa", page_2fa_post },
	{ METHOD_GET, "/alerts", page_alerts },
	{ METHOD_POST, "/alerts", page_alerts_post },
	{ METHOD_GET, "/alerts/log", page_alert_log },
	{ METHOD_POST, "/alerts/log", page_alert_log_post },
	{ METHOD_GET, "/groups", page_groups },
	{ METHOD_POST, "/groups", page_groups_post },
	{ METHOD_GET, "/audit", page_audit_log },
	{ METHOD_GET, "/account", page_account },
	{ METHOD_POST, "/account", page_account_post },
	{ METHOD_GET, "/reset", page_reset },
	{ METHOD_POST, "/reset", page_reset_post },
	{ METHOD_GET, "/reset/{token}", page_reset_link },
	{ METHOD_POST, "/reset/{token}", page_reset_link_post },
	{ METHOD_GET, "/set-password/{token}", page_set_password },
	{ METHOD_POST, "/set-password/{token}", page_set_password_post },
};

/* The key that encrypts secrets at rest; without it 2FA enrolment and
 * Twilio settings are refused with a clear message, nothing else breaks. */
static struct secretbox_key *app_server_key(const struct conf *conf)
{
	struct secretbox_key *k;

	if (conf->server_key_hex[0] == '\0') {
		log_warn("security.server_key is not set: 2FA enrolment and Twilio settings are disabled");
		return NULL;
	}
	if ((k = malloc(sizeof(*k))) == NULL || secretbox_key_parse(conf->server_key_hex, 1, k) != 0) {
		log_error("security.server_key is not usable");
		free(k);
		return NULL;
	}
	return k;
}

#define APP_NROUTES (sizeof(app_routes) / sizeof(app_routes[0]))
/* Each route has its counters in the metrics file, plus one for "none". */
_Static_assert(APP_NROUTES < METRICS_ROUTES_MAX, "raise METRICS_ROUTES_MAX (metrics.h)");

/* The route table, as the metrics file's layout names it. */
static uint64_t app_layout_id(void)
{
	uint64_t h = 0;
	char m[64];

	for (size_t i = 0; i < APP_NROUTES; i++) {
		route_allow_header(app_routes[i].methods, m, sizeof(m));
		h = metrics_layout_id(metrics_layout_id(h, m), app_routes[i].pattern);
	}
	return h;
}

size_t app_route_count(void)
{
	return APP_NROUTES;
}

const struct route *app_route(size_t i)
{
	return i < APP_NROUTES ? &app_routes[i] : NULL;
}

int app_open(struct app *app, const struct conf *conf, const char *progname)
{
	char err[256];

	memset(app, 0, sizeof(*app));   /* app_close() below may see any field */
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
	/* Without the counters /metrics shows the database figures only. */
	if (metrics_open(conf->metrics_file, app_layout_id(), err, sizeof(err)) != 0)
		log_error("request metrics NOT counted: %s", err);
	app->box = app_server_key(conf);
	app->keys = key_cache_new();
	/* One connection for the worker's life: mails reuse its TLS session. */
	if ((app->conn = delivery_conn_new()) == NULL)
		log_error("no outbound HTTPS connection (out of memory): mail cannot be sent");
	mailer_init(&app->mail, conf, app->conn);
	return 0;
}

void app_close(struct app *app)
{
	db_free(app->db);
	store_free(app->store);
	ratelimit_close(app->ratelimit);
	metrics_close();
	key_cache_free(app->keys);
	app->keys = NULL;
	delivery_conn_free(app->conn);
	app->conn = NULL;
	if (app->box != NULL) {
		secretbox_key_clear(app->box);
		free(app->box);
	}
	app->box = NULL;
	app->db = NULL;
	app->store = NULL;
	app->ratelimit = NULL;
}

int app_dispatch(struct app *app, struct req *r, struct resp *rs, size_t *slot)
{
	struct route_match m;
	unsigned allowed;
	const struct route *rt = route_find(app_routes, APP_NROUTES, r, &m, &allowed);
	char allow[128];

	*slot = rt != NULL ? (size_t)(rt - app_routes) : APP_NROUTES;
	if (rt != NULL)
		return rt->fn(app, r, rs, &m);
	if (allowed == 0)
		return resp_error(rs, 404, "not_found", "There is nothing at this address."), 404;
	route_allow_header(allowed, allow, sizeof(allow));
	resp_header(rs, "Allow", allow);
	return resp_error(rs, 405, "method_not_allowed",
	    "This address does not accept that method."), 405;
}
