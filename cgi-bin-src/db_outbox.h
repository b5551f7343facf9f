/*
 * db_outbox.h - gauge-alertd's outbox in MySQL: claiming due rows with a
 * lease, marking them sending before the provider is called, recording the
 * provider's answer, recovering rows a dead process left "sending", and
 * folding held alerts into digests.
 *
 * Every query fills a struct declared here; the column order of a SELECT
 * is known to db_outbox.c alone.
 */
#ifndef GAUGE_DB_OUTBOX_H
#define GAUGE_DB_OUTBOX_H

#include <stddef.h>

#include "alert_rule.h"
#include "auth_key.h"
#include "db.h"
#include "reading.h"
#include "secretbox.h"

#define OUTBOX_DIGEST_MAX 50    /* events one digest message lists */

/* What an alert event reports, as stored. */
struct outbox_event {
	char code[33];              /* the verification code */
	char kind[16];              /* "alarm", "clear", "reminder", "no_data" */
	char rule[101];
	char device[101];
	char channel[READING_CHANNEL_LEN + 1];
	char value[32];             /* as MySQL prints the DOUBLE; "" when NULL */
	long long at_ms;            /* the reading's time; 0 when NULL */
	long long since_ms;         /* the condition held since; 0 when NULL */
	int no_data;                /* the rule is a no-data rule */
	long long rule_id;          /* 0 when the rule is gone */
	char device_uid[PUBLIC_ID_LEN + 1];  /* "" when the device is gone */
};

#define OUTBOX_WEBHOOK_SECRET_MAX 64    /* bytes of a webhook secret, unsealed */

/* One claimed outbox row, its event and the account's Twilio settings and
 * webhook secret. */
struct outbox_row {
	long long id, account_id;
	enum recipient_kind transport;  /* e-mail, SMS or webhook */
	int digest;                 /* a digest of held alerts (see digest_events) */
	unsigned attempts;          /* attempts made before this one */
	char recipient[ALERT_ADDRESS_MAX + 1];
	struct outbox_event event;
	char tw_sid[64], tw_from[24];   /* "" when the account has none */
	unsigned char tw_token[SECRETBOX_SEALED_LEN(128)];  /* sealed */
	size_t tw_token_len;        /* 0 when none */
	unsigned char wh_secret[SECRETBOX_SEALED_LEN(OUTBOX_WEBHOOK_SECRET_MAX)];  /* sealed */
	size_t wh_secret_len;       /* 0 when the account has none */
};

/* A recipient whose held alerts are due to be folded into one digest. */
struct outbox_held {
	char recipient[ALERT_ADDRESS_MAX + 1];
	char transport[8];          /* "email", "sms" or "webhook" */
	long long first_event;      /* the oldest held event */
};

/* Rows left "sending" past their lease by a process that died mid-request
 * become "unknown" (never resent); *n says how many. */
int db_outbox_recover(struct db *db, unsigned long long *n);

/* Leases up to max due rows to me for lease_s seconds and reads them back
 * (with their events) into rows, *n of them; DB_OK with *n 0 when none. */
int db_outbox_claim(struct db *db, const char *me, unsigned lease_s,
    struct outbox_row *rows, size_t max, size_t *n);

/* Marks a leased row "sending" and counts the attempt, committed before the
 * provider is called.  DB_NOTFOUND when the row is no longer ours. */
int db_outbox_sending(struct db *db, long long id, const char *me);

/* The provider's answer: sent (with its message id), failed for good, or
 * due again after delay_us (last_error kept). */
int db_outbox_sent(struct db *db, long long id, const char *provider_id);
int db_outbox_failed(struct db *db, long long id, const char *error);
int db_outbox_retry(struct db *db, long long id, const char *error, long long delay_us);

/* The events a digest row stands for, oldest first, at most
 * OUTBOX_DIGEST_MAX; DB_NOTFOUND when there are none. */
int db_outbox_digest_events(struct db *db, long long digest_id,
    struct outbox_event *events, size_t *n);

/* Recipients with held alerts whose hourly budget has room again, or whose
 * oldest held alert waited interval_s; at most max, DB_OK with *n 0 when none. */
int db_outbox_held(struct db *db, unsigned interval_s, unsigned budget_per_hour,
    struct outbox_held *held, size_t max, size_t *n);

/* In one transaction: a pending digest row for h, and its held rows marked
 * digested into it. */
int db_outbox_fold(struct db *db, const struct outbox_held *h);

#endif
