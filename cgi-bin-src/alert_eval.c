/*
 * alert_eval.c - the alert state machine (see alert_eval.h).
 *
 * The machine is fed readings in time order.  Minimum durations are
 * measured in reading time, so a replayed backlog evaluates the same way
 * as live data; ticks (wall-clock time) only matter for silence and
 * reminders, and to complete a minimum duration when readings stop.
 */
#include "alert_eval.h"

#include <limits.h>
#include <math.h>
#include <string.h>

static const char *const state_names[] = { "ok", "pending", "alarm" };
static const char *const kind_names[] = { "above", "below", "outside", "no_data" };

const char *alert_state_name(enum alert_state s)
{
	return state_names[s];
}

const char *alert_kind_name(enum alert_kind k)
{
	return kind_names[k];
}

int alert_kind_parse(const char *s)
{
	for (int i = 0; s != NULL && i < 4; i++)
		if (strcmp(s, kind_names[i]) == 0)
			return i;
	return -1;
}

int alert_rule_normalise(struct alert_rule *r)
{
	if (r->min_duration_ms < 0 || r->reminder_ms < 0)
		return -1;
	switch (r->kind) {
	case ALERT_ABOVE:
		if (isnan(r->clear))
			r->clear = r->threshold;
		return isfinite(r->threshold) && r->clear <= r->threshold ? 0 : -1;
	case ALERT_BELOW:
		if (isnan(r->clear))
			r->clear = r->threshold;
		return isfinite(r->threshold) && r->clear >= r->threshold ? 0 : -1;
	case ALERT_OUTSIDE:
		if (isnan(r->clear))
			r->clear = r->threshold;
		if (isnan(r->clear_high))
			r->clear_high = r->threshold_high;
		return isfinite(r->threshold) && isfinite(r->threshold_high) &&
		    r->threshold < r->threshold_high && r->clear >= r->threshold &&
		    r->clear_high <= r->threshold_high && r->clear <= r->clear_high ? 0 : -1;
	case ALERT_NO_DATA:
		return r->no_data_ms > 0 ? 0 : -1;
	}
	return -1;
}

/* The alarm condition for a value. */
static int triggers(const struct alert_rule *r, double v)
{
	switch (r->kind) {
	case ALERT_ABOVE: return v > r->threshold;
	case ALERT_BELOW: return v < r->threshold;
	case ALERT_OUTSIDE: return v < r->threshold || v > r->threshold_high;
	case ALERT_NO_DATA: return 0;
	}
	return 0;
}

/* Back to normal: past the clear threshold (hysteresis). */
static int clears(const struct alert_rule *r, double v)
{
	switch (r->kind) {
	case ALERT_ABOVE: return v <= r->clear;
	case ALERT_BELOW: return v >= r->clear;
	case ALERT_OUTSIDE: return v >= r->clear && v <= r->clear_high;
	case ALERT_NO_DATA: return 1;
	}
	return 0;
}

static enum alert_action enter(struct alert_track *t, enum alert_state s, long long at)
{
	t->state = s;
	t->since_ms = at;
	if (s == ALERT_ALARM) {
		t->last_notified_ms = at;
		t->acknowledged = 0;
		return ALERT_FIRE;
	}
	return ALERT_NONE;
}

static enum alert_action alarm_cleared(const struct alert_rule *r, struct alert_track *t, long long at)
{
	enter(t, ALERT_OK, at);
	t->acknowledged = 0;
	return r->notify_clear ? ALERT_CLEAR : ALERT_NONE;
}

static enum alert_action remind(const struct alert_rule *r, struct alert_track *t, long long at)
{
	if (r->reminder_ms > 0 && !t->acknowledged && at - t->last_notified_ms >= r->reminder_ms) {
		t->last_notified_ms = at;
		return ALERT_REMIND;
	}
	return ALERT_NONE;
}

/* Records what an action reports, and passes the action on. */
static enum alert_action tell(struct alert_track *t, enum alert_action a, double value,
    long long reading_ms, long long since_ms)
{
	if (a != ALERT_NONE) {
		t->told.value = value;
		t->told.reading_ms = reading_ms;
		t->told.since_ms = since_ms;
	}
	return a;
}

/* no_data: a reading ends the silence (or the pending silence). */
static enum alert_action no_data_reading(const struct alert_rule *r, struct alert_track *t, long long t_ms)
{
	long long silent_since = t->last_reading_ms;
	int was_silent = t->state == ALERT_ALARM;

	/* Silence counts from the newest reading, whatever order they came in. */
	if (t_ms > t->last_reading_ms)
		t->last_reading_ms = t_ms;
	t->last_value = NAN;
	if (t->state == ALERT_PENDING)
		enter(t, ALERT_OK, t_ms);
	if (!was_silent)
		return ALERT_NONE;
	return tell(t, alarm_cleared(r, t, t_ms), NAN, t_ms, silent_since);
}

enum alert_action alert_on_reading(const struct alert_rule *r, struct alert_track *t,
    double value, long long t_ms)
{
	enum alert_action a = ALERT_NONE;

	if (t->since_ms == 0)
		t->since_ms = t_ms;     /* ok since the first reading evaluated */
	if (r->kind == ALERT_NO_DATA)
		return no_data_reading(r, t, t_ms);
	/* The reading that decided the state, in the order readings were fed:
	 * in pending every one of them met the condition. */
	t->last_reading_ms = t_ms;
	t->last_value = value;
	switch (t->state) {
	case ALERT_OK:
		if (!triggers(r, value))
			return ALERT_NONE;
		t->condition_ms = t_ms;
		a = enter(t, r->min_duration_ms == 0 ? ALERT_ALARM : ALERT_PENDING, t_ms);
		break;
	case ALERT_PENDING:
		if (!triggers(r, value))
			return enter(t, ALERT_OK, t_ms);
		/* A late, older reading cannot complete the duration (negative span). */
		if (t_ms - t->since_ms >= r->min_duration_ms)
			a = enter(t, ALERT_ALARM, t_ms);
		break;
	case ALERT_ALARM:
		if (clears(r, value))
			return tell(t, alarm_cleared(r, t, t_ms), value, t_ms, t_ms);
		a = remind(r, t, t_ms);
		break;
	}
	return tell(t, a, value, t_ms, t->condition_ms);
}

enum alert_action alert_on_tick(const struct alert_rule *r, struct alert_track *t, long long now_ms)
{
	enum alert_action a = ALERT_NONE;

	switch (t->state) {
	case ALERT_OK:
		/* Silence counts from the last reading (none yet: nothing to miss). */
		if (r->kind == ALERT_NO_DATA && t->last_reading_ms > 0 &&
		    now_ms - t->last_reading_ms >= r->no_data_ms) {
			t->condition_ms = t->last_reading_ms;
			a = enter(t, r->min_duration_ms == 0 ? ALERT_ALARM : ALERT_PENDING, now_ms);
		}
		break;
	case ALERT_PENDING:
		if (now_ms - t->since_ms >= r->min_duration_ms)
			a = enter(t, ALERT_ALARM, now_ms);
		break;
	case ALERT_ALARM:
		a = remind(r, t, now_ms);
		break;
	}
	/* Raised now, but about the newest reading: no reading exists at now_ms. */
	return tell(t, a, r->kind == ALERT_NO_DATA ? NAN : t->last_value, t->last_reading_ms, t->condition_ms);
}

/* alert_on_tick's conditions, solved for now_ms; kept beside it, and the unit
 * test checks each case one millisecond before and at the answer. */
long long alert_tick_due(const struct alert_rule *r, const struct alert_track *t)
{
	switch (t->state) {
	case ALERT_OK:
		return r->kind == ALERT_NO_DATA && t->last_reading_ms > 0 ? t->last_reading_ms + r->no_data_ms : LLONG_MAX;
	case ALERT_PENDING:
		return t->since_ms + r->min_duration_ms;
	case ALERT_ALARM:
		return r->reminder_ms > 0 && !t->acknowledged ? t->last_notified_ms + r->reminder_ms : LLONG_MAX;
	}
	return LLONG_MIN;
}
