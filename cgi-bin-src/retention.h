/*
 * retention.h - data retention: readings older than a window of days are
 * deleted.  An account has a default window, a device may have its own
 * (which beats the default); with neither, readings are kept forever.
 *
 * Two halves, one rule each:
 *  - the window's rule, the one check the dashboard (page_account.c,
 *    page_device_settings.c) and the API (api_account.c, api_devices.c)
 *    apply, with the one message that refuses it;
 *  - one prune pass (retention_prune), which `gaugectl prune` runs and the
 *    shipped gauge-prune.timer runs hourly.  It holds MySQL's named lock
 *    'gauge.retention' while it works, so only one pass runs at a time on
 *    any number of hosts, deletes in bounded batches, and writes one audit
 *    record per device it prunes, before the first delete.
 */
#ifndef GAUGE_RETENTION_H
#define GAUGE_RETENTION_H

#include <stddef.h>

struct db;
struct json_object;
struct retention_device;
struct store;

#define RETENTION_DAYS_MIN 1
#define RETENTION_DAYS_MAX 36500        /* a hundred years */

/* What a refusal says, on a page and in an API error alike. */
extern const char RETENTION_DAYS_RULE[];

/* A window from a form field: "" is "none" (*days 0); otherwise decimal
 * digits only, RETENTION_DAYS_MIN..MAX.  1 when valid; a missing field
 * (NULL) is not. */
int retention_days_parse(const char *s, int *days);
/* A window from a JSON member: null is "none" (*days 0); otherwise an
 * integer RETENTION_DAYS_MIN..MAX (not a string, not 30.0).  1 when valid. */
int retention_days_json(struct json_object *v, int *days);

/* The audit detail of a change: {"retention_days":N} or {"retention_days":null}. */
#define RETENTION_DETAIL_LEN 40
const char *retention_detail(int days, char out[RETENTION_DETAIL_LEN]);

enum retention_status {
	RETENTION_OK = 0,
	RETENTION_BUSY = -1,        /* another pass holds the lock: nothing was done */
	RETENTION_DB = -2,          /* MySQL failed (its audit log included) */
	RETENTION_STORE = -3,       /* MongoDB failed */
};

/* What the pass did to one device, for the caller to print. */
struct retention_pruned {
	const struct retention_device *dev;
	long long from_ms;          /* the oldest reading that was due */
	long long to_ms;            /* the cutoff: readings before it were due */
	long long deleted;
	long long batches;
	int status;                 /* enum retention_status: RETENTION_OK, or why it stopped */
};

typedef void (*retention_report_fn)(void *ctx, const struct retention_pruned *p);

struct retention_pass {
	long long now_ms;           /* cutoffs are now_ms less each window */
	size_t batch;               /* readings per delete, at least 1 */
	retention_report_fn report; /* NULL: none; called for each device pruned */
	void *ctx;
	/* Filled by the pass: */
	long long devices;          /* devices with a window */
	long long pruned;           /* of which had readings due */
	long long deleted;          /* readings deleted in all */
};

/* One pass over every device with a window.  A MongoDB failure stops the
 * pass (what was deleted so far is in the audit log); a device whose audit
 * record cannot be written is left alone.  Returns enum retention_status. */
int retention_prune(struct db *db, struct store *store, struct retention_pass *pass);

#endif
