/*
 * conf.h - the configuration every Gauge program reads, as typed values.
 *
 * The file is ClearSilver HDF (see etc/gauge.conf.example).  Any key can be
 * overridden from the environment: `mysql.password` is read from
 * GAUGE_MYSQL_PASSWORD when that is set, so secrets need not sit in the
 * file.  conf_load() validates everything once; the rest of the code trusts
 * struct conf and never looks at the HDF again.
 */
#ifndef GAUGE_CONF_H
#define GAUGE_CONF_H

#include <stddef.h>

#include "net.h"

#define CONF_ERR_LEN 256

struct conf_mysql {
	char *host;         /* NULL: use the socket */
	unsigned port;
	char *socket;
	char *user;
	char *password;
	char *database;
	unsigned connect_timeout_s;
	unsigned rw_timeout_s;
};

struct conf_mongo {
	char *uri;
	char *database;
};

struct conf {
	char *path;                 /* the file read, for messages */
	char **unknown;             /* "file:line: unknown key 'x' ..." each, */
	size_t n_unknown;           /* already logged as warnings by conf_load */
	char *templates_dir;
	char *schema_dir;
	char *openapi_file;         /* the assembled OpenAPI document (build/openapi.json) */
	char *base_url;             /* public https URL, for links in messages */
	int log_level;
	struct conf_mysql mysql;
	struct conf_mongo mongo;
	size_t max_body;            /* bytes; larger request bodies get 413 */
	struct net_cidrs trusted_proxies;   /* whose X-Forwarded-For / X-Request-Id count */
	char *fcgi_listen;          /* unix socket path for the supervisor */
	unsigned fcgi_workers;
	unsigned fcgi_socket_mode;  /* octal permissions of that socket */
	unsigned bcrypt_cost;
	char *server_key_hex;       /* encrypts secrets at rest; "" until set */
	unsigned session_idle_min;
	unsigned session_absolute_h;
	unsigned alertd_poll_ms;
	unsigned alertd_fast_poll_ms;       /* after readings arrived: poll this often... */
	unsigned alertd_fast_poll_s;        /* ...for this long (0: never) */
	unsigned alertd_budget_per_hour;    /* messages per recipient, then a digest */
	unsigned alertd_retry_base_ms;      /* first retry delay; doubles per attempt */
	unsigned alertd_max_attempts;
	unsigned alertd_window_s;           /* how late a reading may become visible */
	unsigned alertd_digest_interval_s;  /* over budget: at most one digest this often */
	unsigned alertd_send_lease_s;       /* a claimed message is someone's for this long */
	unsigned alertd_webhook_allow_private; /* 1: webhooks may reach private addresses */
	char *alertd_webhook_ca_file;       /* PEM bundle for webhooks; NULL: the system store */
	char *ses_endpoint;         /* NULL: https://email.<region>.amazonaws.com */
	char *ses_region;
	char *ses_access_key_id;    /* or AWS_ACCESS_KEY_ID */
	char *ses_secret_access_key;
	char *ses_session_token;
	char *ses_sender;
	char *ses_ca_file;          /* NULL: the system trust store */
	char *twilio_endpoint;
	char *twilio_ca_file;
	char *ratelimit_file;               /* shared by the workers of a host */
	unsigned ratelimit_per_minute;      /* per API key */
	unsigned ratelimit_anon_per_minute; /* per client address, without a key */
	char *metrics_file;                 /* request counters, shared by the workers of a host */
	struct net_cidrs metrics_allow;     /* who may GET /metrics */
};

/* Returns a conf owned by the caller (conf_free), or NULL with err set.
 * Keys in the file that no setting reads are not an error: each is logged
 * as a warning and listed in c->unknown (gaugectl check-config fails). */
struct conf *conf_load(const char *path, char err[CONF_ERR_LEN]);
void conf_free(struct conf *c);

/* 1 when some setting reads key ("ratelimit.per_minute"), else 0. */
int conf_key_known(const char *key);
/* The known key within two edits of key, the closest, or NULL. */
const char *conf_key_suggest(const char *key);

#endif
