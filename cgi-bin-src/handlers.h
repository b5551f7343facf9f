/*
 * handlers.h - every request handler, one per route (see app.c).
 * api_*.c answer JSON; page_*.c render HTML.
 */
#ifndef GAUGE_HANDLERS_H
#define GAUGE_HANDLERS_H

#include "route.h"

int api_healthz(struct app *app, struct req *r, struct resp *rs, const struct route_match *m);
int page_home(struct app *app, struct req *r, struct resp *rs, const struct route_match *m);

#define API_HANDLER(name) \
	int name(struct app *app, struct req *r, struct resp *rs, const struct route_match *m)
API_HANDLER(api_readings_ingest);
API_HANDLER(api_readings_query);
API_HANDLER(api_readings_delete);
API_HANDLER(api_readings_latest);
API_HANDLER(api_keys_list);
API_HANDLER(api_keys_rotate);
API_HANDLER(api_keys_revoke);
API_HANDLER(api_account_devices);
API_HANDLER(api_account_groups);
API_HANDLER(api_account_group_latest);
API_HANDLER(api_account_get);
API_HANDLER(api_alert_rules_list);
API_HANDLER(api_alert_rules_create);
API_HANDLER(api_alert_rules_delete);
API_HANDLER(page_verify);
API_HANDLER(page_login);
API_HANDLER(page_login_post);
API_HANDLER(page_login_2fa);
API_HANDLER(page_login_2fa_post);
API_HANDLER(page_logout);
API_HANDLER(page_devices);
API_HANDLER(page_devices_post);
API_HANDLER(page_device_show);
API_HANDLER(page_device_data);
API_HANDLER(page_device_settings);
API_HANDLER(page_device_settings_post);
API_HANDLER(page_profile);
API_HANDLER(page_profile_post);
API_HANDLER(page_2fa);
API_HANDLER(page_2fa_post);
API_HANDLER(page_alerts);
API_HANDLER(page_alerts_post);
API_HANDLER(page_alert_log);
API_HANDLER(page_alert_log_post);
API_HANDLER(page_groups);
API_HANDLER(page_groups_post);
API_HANDLER(page_audit_log);
API_HANDLER(page_account);
API_HANDLER(page_account_post);
API_HANDLER(page_reset);
API_HANDLER(page_reset_post);
API_HANDLER(page_reset_link);
API_HANDLER(page_reset_link_post);
API_HANDLER(page_set_password);
API_HANDLER(page_set_password_post);

#endif
