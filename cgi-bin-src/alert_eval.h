/*
 * alert_eval.h - the alert state machine of one rule on one device, as
 * pure logic: no clock, no database, no I/O.  gauge-alertd feeds it
 * readings (in time order) and ticks; it answers what to send.
 *
 *   ok --condition--> pending --held for min_duration--> alarm (ALARM)
 *   pending --condition gone--> ok
 *   alarm --clear condition--> ok (CLEAR, if the rule wants it)
 *   alarm, not acknowledged, every reminder_s --> REMINDER
 *
 * Hysteresis: an alarm clears at the clear threshold, not the trigger
 * threshold, so a value hovering at the limit does not flap.
 *
 * Every action comes with the facts it reports (struct alert_fact): the
 * value and time of a reading that exists, never the moment of evaluation.
 * An alarm completed by a tick (minimum duration, readings stopped) or a
 * reminder reports the newest reading; a no_data alarm reports no value
 * and the time of the last reading, since which nothing has arrived.
 */
#ifndef GAUGE_ALERT_EVAL_H
#define GAUGE_ALERT_EVAL_H

enum alert_kind { ALERT_ABOVE, ALERT_BELOW, ALERT_OUTSIDE, ALERT_NO_DATA };
enum alert_state { ALERT_OK, ALERT_PENDING, ALERT_ALARM };
enum alert_action { ALERT_NONE, ALERT_FIRE, ALERT_REMIND, ALERT_CLEAR };

struct alert_rule {
	enum alert_kind kind;
	double threshold;           /* above/below limit; low limit for outside */
	double threshold_high;      /* outside: high limit */
	double clear;               /* above/below: clears past this; outside: low clear */
	double clear_high;          /* outside: high clear */
	long long no_data_ms;       /* no_data: silence that raises the alarm */
	long long min_duration_ms;  /* the condition must hold this long */
	long long reminder_ms;      /* 0: no reminders */
	int notify_clear;
};

/* What an action reports.  Set by the machine whenever it returns an
 * action other than ALERT_NONE; not part of the stored state. */
struct alert_fact {
	double value;               /* the reading's value; NaN for no_data */
	long long reading_ms;       /* the reading's own time (no_data: the last one) */
	long long since_ms;         /* alarm condition held since (no_data: silent since) */
};

struct alert_track {
	enum alert_state state;
	long long since_ms;         /* when the current state began; 0: not evaluated yet */
	long long condition_ms;     /* pending/alarm: since when the condition has held */
	long long last_notified_ms;
	int acknowledged;
	long long last_reading_ms;  /* the newest reading; 0: none seen yet */
	double last_value;          /* its value (NaN for no_data rules) */
	struct alert_fact told;     /* what the last action reported */
};

/* Fills clear thresholds left unset (NaN) from the trigger thresholds, and
 * checks the rule makes sense; 0 when valid. */
int alert_rule_normalise(struct alert_rule *r);
/* A reading of the rule's channel at t_ms. */
enum alert_action alert_on_reading(const struct alert_rule *r, struct alert_track *t,
    double value, long long t_ms);
/* Time passing with no new reading: minimum durations, silence, reminders. */
enum alert_action alert_on_tick(const struct alert_rule *r, struct alert_track *t, long long now_ms);
/* The earliest now_ms at which alert_on_tick would act or change the
 * track, LLONG_MAX when only a reading can (gauge-alertd skips a poll's
 * evaluation until then when nothing else happened). */
long long alert_tick_due(const struct alert_rule *r, const struct alert_track *t);
const char *alert_state_name(enum alert_state s);
const char *alert_kind_name(enum alert_kind k);
int alert_kind_parse(const char *s);

#endif
