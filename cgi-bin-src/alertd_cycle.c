/*
 * alertd_cycle.c - gauge-alertd's evaluation cycle: new readings against the rules.
 *
 * Never missing a reading: workers insert concurrently, so a reading can
 * become visible after readings received later.  Each cycle therefore
 * re-reads a look-back window (alertd.window_s) of received time and
 * skips the readings already evaluated, which alertd_seen records.
 *
 * Exactly once: a cycle runs in one MySQL transaction holding the lease
 * row, and writes state changes, alert events, their outbox rows, the seen
 * set and the cursor together.  A crash before the commit leaves nothing
 * behind and the next cycle redoes the work; after it, nothing is redone.
 * Two instances cannot both commit a cycle: the second waits on the lease
 * row and then finds it is not the leader.
 *
 * Skipping a cycle that would do nothing: after a commit the leader keeps
 * what the cycle ended with (struct alertd_memo: the cursor, the seen set,
 * the devices with rules, the rule set's fingerprint and the earliest time a
 * tick would act).  A poll then evaluates only when MongoDB holds a reading
 * in the window that is not in that seen set (the same window and the same
 * test a cycle applies, so a reading that becomes visible late is still
 * found), when a tick is due (no_data silence, minimum duration, reminder),
 * when the rule set changed, or when the memo may be stale: none yet, a
 * cycle failed, or the lease was not held without a break since it was
 * written (another instance may have evaluated meanwhile).  The cursor is
 * not moved by a skipped poll, so the window only widens.  A skipped poll
 * writes nothing to MySQL; the lease is renewed on its own, every quarter
 * of its length.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alertd.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "db_alert.h"
#include "log.h"
#include "store_readings.h"
#include "ts.h"

#define LEASE_S     ALERTD_LEASE_S
#define CYCLE_LIMIT 5000
/* The leader renews every quarter lease; a standby asks this often whether
 * the lease is free (a stopped holder gives it up at once). */
#define LEASE_RENEW_MS  (LEASE_S * 1000 / 4)
#define STANDBY_TRY_MS  2000

struct oidset {
	unsigned char (*keys)[12];
	size_t cap, n;
};

static size_t oid_hash(const unsigned char *k)
{
	size_t h = 1469598103934665603ULL;

	for (int i = 0; i < 12; i++)
		h = (h ^ k[i]) * 1099511628211ULL;
	return h;
}

static int oidset_add(struct oidset *s, const unsigned char *k);

static int oidset_grow(struct oidset *s)
{
	struct oidset bigger = { calloc(s->cap ? s->cap * 2 : 1024, 12), s->cap ? s->cap * 2 : 1024, 0 };

	if (bigger.keys == NULL)
		return -1;
	for (size_t i = 0; i < s->cap; i++)
		if (memcmp(s->keys[i], "\0\0\0\0\0\0\0\0\0\0\0\0", 12) != 0)
			oidset_add(&bigger, s->keys[i]);
	free(s->keys);
	*s = bigger;
	return 0;
}

/* Open addressing over 12-byte ObjectIds; all-zero marks an empty slot
 * (no real ObjectId is all zeros). */
static int oidset_add(struct oidset *s, const unsigned char *k)
{
	if ((s->n + 1) * 2 > s->cap && oidset_grow(s) != 0)
		return -1;
	for (size_t i = oid_hash(k) % s->cap;; i = (i + 1) % s->cap) {
		if (memcmp(s->keys[i], k, 12) == 0)
			return 0;
		if (memcmp(s->keys[i], "\0\0\0\0\0\0\0\0\0\0\0\0", 12) == 0) {
			memcpy(s->keys[i], k, 12);
			s->n++;
			return 0;
		}
	}
}

static int oidset_has(const struct oidset *s, const unsigned char *k)
{
	if (s->cap == 0)
		return 0;
	for (size_t i = oid_hash(k) % s->cap;; i = (i + 1) % s->cap) {
		if (memcmp(s->keys[i], k, 12) == 0)
			return 1;
		if (memcmp(s->keys[i], "\0\0\0\0\0\0\0\0\0\0\0\0", 12) == 0)
			return 0;
	}
}

static int seen_fn(void *ctx, const unsigned char oid[12])
{
	return oidset_add(ctx, oid) != 0;
}

struct cycle {
	struct alertd *ad;
	struct alert_set set;
	struct oidset seen;             /* evaluated in an earlier cycle or this one */
	struct alertd_seen_row *fresh;  /* evaluated in this cycle, written at its end */
	size_t nfresh, capfresh;
	long long cursor_ms;
	long long *devices;             /* of the set's pairs */
	size_t ndevices;
	char rules[ALERTD_FINGERPRINT_LEN];
};

/* What the leader's last committed cycle ended with (see the top). */
struct alertd_memo {
	long long cursor_ms;
	long long *devices;
	size_t ndevices;
	struct oidset seen;
	long long tick_ms;              /* wall clock: the earliest alert_tick_due */
	char rules[ALERTD_FINGERPRINT_LEN];
};

void alertd_memo_free(struct alertd *ad)
{
	if (ad->memo == NULL)
		return;
	free(ad->memo->devices);
	free(ad->memo->seen.keys);
	free(ad->memo);
	ad->memo = NULL;
}

/* Takes over what a committed cycle leaves behind; c gives up its seen set
 * and device list. */
static void memo_keep(struct cycle *c)
{
	struct alertd_memo *m;

	alertd_memo_free(c->ad);
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return;
	m->cursor_ms = c->cursor_ms;
	m->devices = c->devices;
	m->ndevices = c->ndevices;
	m->seen = c->seen;
	m->tick_ms = LLONG_MAX;
	for (size_t i = 0; i < c->set.npairs; i++) {
		long long due = alert_tick_due(&c->set.rules[c->set.pairs[i].rule].rule, &c->set.pairs[i].track);

		if (due < m->tick_ms)
			m->tick_ms = due;
	}
	memcpy(m->rules, c->rules, sizeof(m->rules));
	c->devices = NULL;
	c->seen = (struct oidset){ 0 };
	c->ad->memo = m;
}

/* Records what an action means: an alert event with its outbox rows.  The
 * event names what the machine says the action reports (track.told): the
 * value and time of a real reading, not the moment of this cycle.  0, or
 * negative when the event could not be written. */
static int act(struct cycle *c, struct alert_pair *p, enum alert_action a)
{
	const struct alert_rule_row *rule = &c->set.rules[p->rule];
	const struct alert_fact *f = &p->track.told;
	unsigned char raw[16];
	char code[33];
	const char *kind;
	int rc;

	if (a == ALERT_NONE)
		return 0;
	p->dirty = 1;
	kind = a == ALERT_REMIND ? "reminder" : a == ALERT_CLEAR ? "clear"
	    : rule->rule.kind == ALERT_NO_DATA ? "no_data" : "alarm";
	if (crypto_random(raw, sizeof(raw)) != 0)
		return -1;
	crypto_hex(raw, sizeof(raw), code);
	if ((rc = db_alert_event(c->ad->db, rule, p, kind, f, code, c->ad->conf->alertd_budget_per_hour)) != DB_OK)
		return rc;
	log_info("alert %s: rule %lld (%s) device %lld (%s) value %g at %lld code %s", kind, rule->id,
	    rule->name, p->device_id, p->device_name, f->value, f->reading_ms, code);
	return 0;
}

/* Remembers a reading as evaluated: in memory now, in MySQL at the end of
 * the cycle (db_alertd_mark_seen), in the same transaction. */
static int mark_seen(struct cycle *c, const struct store_reading_view *v)
{
	if (c->nfresh == c->capfresh) {
		size_t cap = c->capfresh ? c->capfresh * 2 : 256;
		struct alertd_seen_row *grown = realloc(c->fresh, cap * sizeof(*grown));

		if (grown == NULL)
			return -1;
		c->fresh = grown;
		c->capfresh = cap;
	}
	memcpy(c->fresh[c->nfresh].oid, v->oid.bytes, sizeof(c->fresh[0].oid));
	c->fresh[c->nfresh++].received_ms = v->received_ms;
	return oidset_add(&c->seen, v->oid.bytes);
}

/* One reading against every rule of its device; non-zero stops the fetch
 * and fails the cycle. */
static int reading_fn(void *ctx, const struct store_reading_view *v)
{
	struct cycle *c = ctx;
	int rc;

	if (oidset_has(&c->seen, v->oid.bytes))
		return 0;
	for (size_t i = 0; i < c->set.npairs; i++) {
		struct alert_pair *p = &c->set.pairs[i];
		const struct alert_rule_row *r = &c->set.rules[p->rule];
		double x;

		/* A crossing while the rule was disabled sends nothing, ever. */
		if (p->device_id != v->device_id || v->received_ms < r->enabled_ms)
			continue;
		/* Every reading is evaluated once, in the order it became visible,
		 * even one older than readings already seen: a crossing that
		 * arrives late is still a crossing, and must not be missed. */
		p->dirty = 1;
		if (r->rule.kind == ALERT_NO_DATA)
			rc = act(c, p, alert_on_reading(&r->rule, &p->track, NAN, v->ts_ms));
		else if (store_reading_value(v, r->channel, &x) == 0)
			rc = act(c, p, alert_on_reading(&r->rule, &p->track, x, v->ts_ms));
		else
			rc = 0;
		if (rc != 0)
			return rc;
	}
	if ((rc = mark_seen(c, v)) != 0)
		return rc;
	if (v->received_ms > c->cursor_ms)
		c->cursor_ms = v->received_ms;
	return 0;
}

/* The readings that arrived in the window, each evaluated once.  0, or
 * the negative status of the step that failed (MySQL, MongoDB or act()). */
static int evaluate_readings(struct cycle *c, long long window_ms)
{
	int rc;

	if ((c->devices = calloc(c->set.npairs ? c->set.npairs : 1, sizeof(*c->devices))) == NULL)
		return -1;
	for (size_t i = 0; i < c->set.npairs; i++)
		c->devices[c->ndevices++] = c->set.pairs[i].device_id;
	if ((rc = db_alertd_seen(c->ad->db, c->cursor_ms - window_ms, seen_fn, &c->seen)) != DB_OK)
		return rc;
	if (c->ndevices > 0 && (rc = store_readings_received_since(c->ad->store, c->devices, c->ndevices,
	    c->cursor_ms - window_ms, CYCLE_LIMIT, reading_fn, c)) != STORE_OK)
		return rc;
	return db_alertd_mark_seen(c->ad->db, c->fresh, c->nfresh);
}

static int finish_cycle(struct cycle *c, long long now_ms, long long window_ms)
{
	int rc;

	for (size_t i = 0; i < c->set.npairs; i++) {
		struct alert_pair *p = &c->set.pairs[i];
		enum alert_state before = p->track.state;

		if ((rc = act(c, p, alert_on_tick(&c->set.rules[p->rule].rule, &p->track, now_ms))) != 0)
			return rc;
		if (p->track.state != before)
			p->dirty = 1;
	}
	for (size_t i = 0; i < c->set.npairs; i++)
		if (c->set.pairs[i].dirty &&
		    (rc = db_alert_save_track(c->ad->db, c->set.rules[c->set.pairs[i].rule].id, &c->set.pairs[i])) != DB_OK)
			return rc;
	/* Idle or not, the cursor keeps up with the clock (less the window), so
	 * a rule created later starts from recent readings, not old ones. */
	if (c->cursor_ms < now_ms - window_ms)
		c->cursor_ms = now_ms - window_ms;
	if ((rc = db_alertd_prune_seen(c->ad->db, c->cursor_ms - window_ms)) != DB_OK)
		return rc;
	return db_alertd_set(c->ad->db, "cursor_ms", c->cursor_ms);
}

/* Takes or renews the lease.  The memo stays only while the lease has
 * been held without a break: renewals (timed from before each request)
 * less than a lease apart. */
static int lease(struct alertd *ad, long long mono_ms, int *leader)
{
	int rc = db_alertd_lease(ad->db, ad->me, LEASE_S, leader);

	ad->lease_tried_ms = mono_ms;
	if (rc != DB_OK || !*leader || ad->lease_ms == 0 ||
	    ts_mono_ms() - ad->lease_ms >= LEASE_S * 1000 - 1000)
		alertd_memo_free(ad);
	ad->lease_ms = rc == DB_OK && *leader ? mono_ms : 0;
	return rc;
}

int alertd_keep_lease(struct alertd *ad)
{
	long long now = ts_mono_ms();
	int leader = 0;

	if (ad->lease_ms != 0 ? now - ad->lease_ms < LEASE_RENEW_MS : now - ad->lease_tried_ms < STANDBY_TRY_MS)
		return 0;
	return lease(ad, now, &leader) == DB_OK ? 0 : -1;
}

int alertd_evaluate(struct alertd *ad, long long now_ms, size_t *fresh)
{
	long long window_ms = (long long)ad->conf->alertd_window_s * 1000;
	struct cycle c = { .ad = ad };
	int leader = 0, rc = DB_ERROR;

	if (fresh != NULL)
		*fresh = 0;
	if (lease(ad, ts_mono_ms(), &leader) != DB_OK || !leader)
		return leader ? -1 : 0;
	if (db_begin(ad->db) != DB_OK)
		return -1;
	if (db_alertd_still_leader(ad->db, ad->me, &leader) != DB_OK || !leader)
		goto out;
	if (db_alertd_get(ad->db, "cursor_ms", &c.cursor_ms) == DB_NOTFOUND)
		c.cursor_ms = now_ms;   /* first start: from now on, not the whole history */
	if (db_alert_load(ad->db, &c.set) != DB_OK)
		goto out;
	/* Without a fingerprint no poll skips (alertd_idle): the old pace. */
	if (db_alert_fingerprint(ad->db, c.rules) != DB_OK)
		c.rules[0] = '\0';
	if (evaluate_readings(&c, window_ms) != 0 || finish_cycle(&c, now_ms, window_ms) != 0)
		goto out;
	rc = db_commit(ad->db);
out:
	if (rc != DB_OK) {
		db_rollback(ad->db);
		alertd_memo_free(ad);
		if (leader)
			log_warn("evaluation cycle rolled back; it will be redone");
	} else {
		memo_keep(&c);
		if (fresh != NULL)
			*fresh = c.nfresh;
	}
	alert_set_free(&c.set);
	free(c.seen.keys);
	free(c.fresh);
	free(c.devices);
	return !leader || rc == DB_OK ? 0 : -1;
}

struct news {
	const struct oidset *seen;
	size_t n;
};

static int news_fn(void *ctx, const struct store_reading_view *v)
{
	struct news *nw = ctx;

	nw->n++;
	return !oidset_has(nw->seen, v->oid.bytes);
}

int alertd_has_news(struct alertd *ad)
{
	const struct alertd_memo *m = ad->memo;
	struct news nw = { m != NULL ? &m->seen : NULL, 0 };

	if (m == NULL)
		return 1;
	if (m->ndevices == 0)
		return 0;
	/* The window a cycle would read; a full page cannot be judged here. */
	return store_readings_received_ids(ad->store, m->devices, m->ndevices,
	    m->cursor_ms - (long long)ad->conf->alertd_window_s * 1000, CYCLE_LIMIT, news_fn, &nw) != STORE_OK ||
	    nw.n >= CYCLE_LIMIT;
}

int alertd_idle(struct alertd *ad, long long now_ms, const char *rules)
{
	const struct alertd_memo *m = ad->memo;

	/* A standby only asks for the lease now and then. */
	if (ad->lease_ms == 0)
		return ts_mono_ms() - ad->lease_tried_ms < STANDBY_TRY_MS;
	if (m == NULL || ts_mono_ms() - ad->lease_ms >= LEASE_S * 1000 - 1000 ||
	    now_ms >= m->tick_ms || rules[0] == '\0' || strcmp(rules, m->rules) != 0)
		return 0;
	return !alertd_has_news(ad);
}
