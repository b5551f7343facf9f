/*
 * handlers.h - every request handler, one per route (see app.c).
 * api_*.c answer JSON; page_*.c render HTML.
 */
#ifndef GAUGE_HANDLERS_H
#define GAUGE_HANDLERS_H

#include "route.h"

/* Every handler has this type; a route names one (see app.c).  It returns
 * the HTTP status it sent. */
typedef int handler_fn(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m);

handler_fn api_healthz;
handler_fn api_metrics;
handler_fn api_openapi;
handler_fn page_docs_api;
handler_fn page_home;

handler_fn api_readings_ingest;
handler_fn api_readings_query;
handler_fn api_readings_delete;
handler_fn api_readings_latest;
handler_fn api_keys_list;
handler_fn api_keys_rotate;
handler_fn api_keys_revoke;
handler_fn api_account_devices;
handler_fn api_devices_create;
handler_fn api_devices_get;
handler_fn api_devices_patch;
handler_fn api_devices_delete;
handler_fn api_groups_create;
handler_fn api_groups_patch;
handler_fn api_groups_delete;
handler_fn api_account_keys_list;
handler_fn api_account_key_rotate;
handler_fn api_account_groups;
handler_fn api_account_group_latest;
handler_fn api_account_get;
handler_fn api_account_patch;
handler_fn api_account_webhook_secret;
handler_fn api_alert_rules_list;
handler_fn api_alert_rules_create;
handler_fn api_alert_rules_delete;
handler_fn api_alert_rules_get;
handler_fn api_alert_rules_patch;
handler_fn api_alert_events_list;
handler_fn api_alert_events_ack;
handler_fn page_verify;
handler_fn page_login;
handler_fn page_login_post;
handler_fn page_login_2fa;
handler_fn page_login_2fa_post;
handler_fn page_logout;
handler_fn page_devices;
handler_fn page_devices_post;
handler_fn page_device_show;
handler_fn page_device_data;
handler_fn page_device_settings;
handler_fn page_device_settings_post;
handler_fn page_profile;
handler_fn page_profile_post;
handler_fn page_2fa;
handler_fn page_2fa_post;
handler_fn page_alerts;
handler_fn page_alerts_post;
handler_fn page_alert_log;
handler_fn page_alert_log_post;
handler_fn page_groups;
handler_fn page_groups_post;
handler_fn page_audit_log;
handler_fn page_account;
handler_fn page_account_post;
handler_fn page_reset;
handler_fn page_reset_post;
handler_fn page_reset_link;
handler_fn page_reset_link_post;
handler_fn page_set_password;
handler_fn page_set_password_post;

#endif
