/*
 * test_alert_eval.c - the alert state machine, rule type by rule type:
 * crossings, hysteresis, minimum duration, reminders, acknowledgement,
 * back to normal, silence.  Actions are written as a string, one letter a
 * reading: "." nothing, "A" alarm, "R" reminder, "C" back to normal.
 */
#include <limits.h>
#include <math.h>
#include <string.h>

#include "alert_eval.h"
#include "check.h"

#define S 1000LL        /* one second in ms */
#define T0 (1800000000LL * S)

static const char codes[] = ".ARC";

static struct alert_rule rule(enum alert_kind k, double lo, double hi, double clo, double chi)
{
	struct alert_rule r = { k, lo, hi, clo, chi, 0, 0, 0, 1 };

	CHECK(alert_rule_normalise(&r) == 0, "the test's rule is valid");
	return r;
}

/* Feeds values one second apart from T0 into a fresh track. */
static const char *feed(const struct alert_rule *r, struct alert_track *t, const double *v, int n)
{
	static char out[64];

	for (int i = 0; i < n; i++)
		out[i] = codes[alert_on_reading(r, t, v[i], T0 + i * S)];
	out[n] = '\0';
	return out;
}

#define FEED(r, t, ...) feed(&(r), &(t), (const double[]){ __VA_ARGS__ }, \
    (int)(sizeof((const double[]){ __VA_ARGS__ }) / sizeof(double)))

static void test_above(void)
{
	struct alert_rule r = rule(ALERT_ABOVE, 80, NAN, 75, NAN);
	struct alert_track t = { 0 };

	CHECK_STR(FEED(r, t, 70, 81, 82, 79, 80.5, 76, 75, 81), ".A....CA",
	    "above 80: fires on crossing, stays until 75 (hysteresis), fires again");
	t = (struct alert_track){ 0 };
	CHECK_STR(FEED(r, t, 79.9, 80.1, 79.9, 80.1, 79.9, 80.1, 79.9, 80.1), ".A......",
	    "a value hovering at the limit fires once, not on every crossing");
	t = (struct alert_track){ 0 };
	CHECK_STR(FEED(r, t, 80, 80, 80), "...", "exactly at the threshold is not above it");
}

static void test_below(void)
{
	struct alert_rule r = rule(ALERT_BELOW, 10, NAN, 12, NAN);
	struct alert_track t = { 0 };

	CHECK_STR(FEED(r, t, 15, 9, 11, 12, 9), ".A.CA", "below 10, clear at 12");
}

static void test_outside(void)
{
	struct alert_rule r = rule(ALERT_OUTSIDE, 10, 20, 12, 18);
	struct alert_track t = { 0 };

	CHECK_STR(FEED(r, t, 15, 21, 19, 18, 9, 11, 12, 25), ".A.CA.CA",
	    "outside 10..20 fires both ways and clears inside 12..18");
}

static void test_min_duration(void)
{
	struct alert_rule r = rule(ALERT_ABOVE, 80, NAN, 75, NAN);
	struct alert_track t = { 0 };

	r.min_duration_ms = 3 * S;
	CHECK_STR(FEED(r, t, 81, 82, 70, 81, 82, 83, 84, 85), "......A.",
	    "a blip shorter than the minimum duration does not fire; a condition held 3 s does");
	CHECK(t.state == ALERT_ALARM, "held for 3 s, it fires");
	t = (struct alert_track){ 0 };
	CHECK_STR(FEED(r, t, 81), ".", "pending at first");
	CHECK(t.state == ALERT_PENDING, "the state is pending");
	CHECK(alert_on_tick(&r, &t, T0 + 2 * S) == ALERT_NONE, "a tick before the duration does nothing");
	CHECK(alert_on_tick(&r, &t, T0 + 3 * S) == ALERT_FIRE, "readings stopped, the duration elapsed: it fires");
}

static void test_reminders_and_ack(void)
{
	struct alert_rule r = rule(ALERT_ABOVE, 80, NAN, 75, NAN);
	struct alert_track t = { 0 };

	r.reminder_ms = 60 * S;
	CHECK_STR(FEED(r, t, 90), "A", "fires");
	CHECK(alert_on_tick(&r, &t, T0 + 59 * S) == ALERT_NONE, "no reminder before the interval");
	CHECK(alert_on_tick(&r, &t, T0 + 60 * S) == ALERT_REMIND, "a reminder after it");
	CHECK(alert_on_tick(&r, &t, T0 + 61 * S) == ALERT_NONE, "not again at once");
	CHECK(alert_on_reading(&r, &t, 91, T0 + 120 * S) == ALERT_REMIND, "readings in alarm also remind when due");
	t.acknowledged = 1;
	CHECK(alert_on_tick(&r, &t, T0 + 600 * S) == ALERT_NONE, "an acknowledged alarm stops reminding");
	CHECK(alert_on_reading(&r, &t, 70, T0 + 601 * S) == ALERT_CLEAR, "and still reports back to normal");
	CHECK(alert_on_reading(&r, &t, 95, T0 + 602 * S) == ALERT_FIRE && !t.acknowledged,
	    "a new alarm is not acknowledged");
}

static void test_no_clear_message(void)
{
	struct alert_rule r = rule(ALERT_ABOVE, 80, NAN, 75, NAN);
	struct alert_track t = { 0 };

	r.notify_clear = 0;
	CHECK_STR(FEED(r, t, 90, 70), "A.", "back to normal is silent when the rule says so");
	CHECK(t.state == ALERT_OK, "but the state is ok again");
}

static void test_no_data(void)
{
	struct alert_rule r = { ALERT_NO_DATA, NAN, NAN, NAN, NAN, 60 * S, 0, 0, 1 };
	struct alert_track t = { 0 };

	CHECK(alert_rule_normalise(&r) == 0, "no_data needs only its silence");
	CHECK(alert_on_tick(&r, &t, T0) == ALERT_NONE, "a device never heard from raises nothing yet");
	CHECK(alert_on_reading(&r, &t, 1, T0) == ALERT_NONE, "a reading is normal");
	CHECK(alert_on_tick(&r, &t, T0 + 59 * S) == ALERT_NONE, "59 s of silence is fine");
	CHECK(alert_on_tick(&r, &t, T0 + 60 * S) == ALERT_FIRE, "60 s of silence fires");
	CHECK(alert_on_tick(&r, &t, T0 + 600 * S) == ALERT_NONE, "once");
	CHECK(alert_on_reading(&r, &t, 1, T0 + 601 * S) == ALERT_CLEAR, "a reading ends the silence");
	CHECK(alert_on_tick(&r, &t, T0 + 650 * S) == ALERT_NONE, "and the clock restarts");
}

/* What an action reports: a reading that exists, never the tick's moment. */
static void test_facts_min_duration(void)
{
	struct alert_rule r = rule(ALERT_ABOVE, 80, NAN, 75, NAN);
	struct alert_track t = { 0 };

	r.min_duration_ms = 3 * S;
	CHECK(alert_on_reading(&r, &t, 91, T0 + 79) == ALERT_NONE, "pending");
	CHECK(alert_on_reading(&r, &t, 96, T0 + 1079) == ALERT_NONE, "still pending");
	CHECK(alert_on_tick(&r, &t, T0 + 3744) == ALERT_FIRE, "the duration completes between readings");
	CHECK(t.told.value == 96, "the alarm names the newest reading's value");
	CHECK(t.told.reading_ms == T0 + 1079, "and that reading's own time, not the tick's");
	CHECK(t.told.since_ms == T0 + 79, "and since when the condition has held");
	CHECK(t.since_ms == T0 + 3744, "the alarm state itself began at the tick");

	t = (struct alert_track){ 0 };
	CHECK(alert_on_reading(&r, &t, 85, T0) == ALERT_NONE, "pending");
	CHECK(alert_on_reading(&r, &t, 87, T0 + 3 * S) == ALERT_FIRE, "a reading completes the duration");
	CHECK(t.told.value == 87 && t.told.reading_ms == T0 + 3 * S && t.told.since_ms == T0,
	    "an alarm raised by a reading names that reading");
}

static void test_facts_reminder_and_clear(void)
{
	struct alert_rule r = rule(ALERT_ABOVE, 80, NAN, 75, NAN);
	struct alert_track t = { 0 };

	r.reminder_ms = 60 * S;
	CHECK(alert_on_reading(&r, &t, 90, T0 + 250) == ALERT_FIRE, "fires");
	CHECK(t.told.value == 90 && t.told.reading_ms == T0 + 250 && t.told.since_ms == T0 + 250,
	    "without a minimum duration the alarm names its reading, held since then");
	CHECK(alert_on_reading(&r, &t, 93, T0 + 10 * S) == ALERT_NONE, "a later reading in alarm");
	CHECK(alert_on_tick(&r, &t, T0 + 70 * S) == ALERT_REMIND, "a reminder from a tick");
	CHECK(t.told.value == 93 && t.told.reading_ms == T0 + 10 * S, "names the newest reading and its time");
	CHECK(t.told.since_ms == T0 + 250, "and the condition's start");
	CHECK(alert_on_reading(&r, &t, 70, T0 + 71 * S) == ALERT_CLEAR, "back to normal");
	CHECK(t.told.value == 70 && t.told.reading_ms == T0 + 71 * S, "names the reading that cleared it");
}

static void test_facts_no_data(void)
{
	struct alert_rule r = { ALERT_NO_DATA, NAN, NAN, NAN, NAN, 60 * S, 0, 30 * S, 1 };
	struct alert_track t = { 0 };

	CHECK(alert_rule_normalise(&r) == 0, "valid");
	CHECK(alert_on_reading(&r, &t, NAN, T0 + 5 * S) == ALERT_NONE, "the newest reading");
	CHECK(alert_on_reading(&r, &t, NAN, T0 + 2 * S) == ALERT_NONE, "a late, older one");
	CHECK(alert_on_tick(&r, &t, T0 + 64 * S) == ALERT_NONE, "silence counts from the newest reading");
	CHECK(alert_on_tick(&r, &t, T0 + 65 * S) == ALERT_FIRE, "60 s of silence fires");
	CHECK(isnan(t.told.value), "a silence has no value (never 0)");
	CHECK(t.told.reading_ms == T0 + 5 * S && t.told.since_ms == T0 + 5 * S,
	    "it names the last reading's time, since which nothing arrived");
	CHECK(alert_on_tick(&r, &t, T0 + 95 * S) == ALERT_REMIND, "a reminder");
	CHECK(isnan(t.told.value) && t.told.reading_ms == T0 + 5 * S, "still no data since the same reading");
	CHECK(alert_on_reading(&r, &t, NAN, T0 + 100 * S) == ALERT_CLEAR, "data again");
	CHECK(t.told.reading_ms == T0 + 100 * S && t.told.since_ms == T0 + 5 * S,
	    "back to normal names the new reading and when the silence began");
}

static void test_first_evaluation_sets_since(void)
{
	struct alert_rule r = rule(ALERT_ABOVE, 80, NAN, 75, NAN);
	struct alert_track t = { 0 };

	CHECK(alert_on_reading(&r, &t, 20, T0) == ALERT_NONE && t.state == ALERT_OK, "ok");
	CHECK(t.since_ms == T0, "a rule that never fired is ok since its first reading, not since 1970");
}

static void test_invalid_rules(void)
{
	struct alert_rule r = { ALERT_ABOVE, 80, NAN, 85, NAN, 0, 0, 0, 1 };

	CHECK(alert_rule_normalise(&r) != 0, "above: a clear threshold above the trigger is refused");
	r = (struct alert_rule){ ALERT_BELOW, 10, NAN, 5, NAN, 0, 0, 0, 1 };
	CHECK(alert_rule_normalise(&r) != 0, "below: a clear threshold below the trigger is refused");
	r = (struct alert_rule){ ALERT_OUTSIDE, 20, 10, NAN, NAN, 0, 0, 0, 1 };
	CHECK(alert_rule_normalise(&r) != 0, "outside: low must be under high");
	r = (struct alert_rule){ ALERT_OUTSIDE, 10, 20, 9, 18, 0, 0, 0, 1 };
	CHECK(alert_rule_normalise(&r) != 0, "outside: the clear band lies within the limits");
	r = (struct alert_rule){ ALERT_NO_DATA, NAN, NAN, NAN, NAN, 0, 0, 0, 1 };
	CHECK(alert_rule_normalise(&r) != 0, "no_data needs a silence");
	r = (struct alert_rule){ ALERT_ABOVE, NAN, NAN, NAN, NAN, 0, 0, 0, 1 };
	CHECK(alert_rule_normalise(&r) != 0, "a threshold is required");
	CHECK(alert_kind_parse("outside") == ALERT_OUTSIDE && alert_kind_parse("sideways") == -1, "kinds parse");
}

/* A tick one millisecond before the due time changes nothing; a tick at it
 * acts or moves the state (gauge-alertd skips polls in between). */
static void tick_due_case(const struct alert_rule *r, struct alert_track t, long long want, const char *what)
{
	struct alert_track before = t, at = t;
	long long due = alert_tick_due(r, &t);

	CHECK(due == want, what);
	if (due == LLONG_MAX) {
		CHECK(alert_on_tick(r, &t, T0 + 1000000 * S) == ALERT_NONE && t.state == before.state, what);
		return;
	}
	CHECK(alert_on_tick(r, &t, due - 1) == ALERT_NONE && memcmp(&t, &before, sizeof(t)) == 0, what);
	CHECK(alert_on_tick(r, &at, due) != ALERT_NONE || at.state != before.state, what);
}

static void test_tick_due(void)
{
	struct alert_rule above = rule(ALERT_ABOVE, 80, NAN, 75, NAN);
	struct alert_rule silent = { ALERT_NO_DATA, NAN, NAN, NAN, NAN, 600 * S, 0, 0, 1 };
	struct alert_rule silent_pending = silent;
	struct alert_rule held = above, nagging = above;

	held.min_duration_ms = 30 * S;
	nagging.reminder_ms = 300 * S;
	silent_pending.min_duration_ms = 60 * S;
	tick_due_case(&above, (struct alert_track){ .state = ALERT_OK, .since_ms = T0, .last_reading_ms = T0 },
	    LLONG_MAX, "a threshold rule that is ok waits for a reading");
	tick_due_case(&silent, (struct alert_track){ .state = ALERT_OK }, LLONG_MAX,
	    "no_data before any reading: nothing to miss");
	tick_due_case(&silent, (struct alert_track){ .state = ALERT_OK, .since_ms = T0, .last_reading_ms = T0, .last_value = NAN },
	    T0 + 600 * S, "no_data: the silence after the last reading");
	tick_due_case(&silent_pending, (struct alert_track){ .state = ALERT_OK, .since_ms = T0, .last_reading_ms = T0, .last_value = NAN },
	    T0 + 600 * S, "no_data with a minimum duration: first pending, at the silence");
	tick_due_case(&silent_pending, (struct alert_track){ .state = ALERT_PENDING, .since_ms = T0 + 600 * S,
	    .condition_ms = T0, .last_reading_ms = T0, .last_value = NAN }, T0 + 660 * S,
	    "no_data pending: alarm after the minimum duration");
	tick_due_case(&held, (struct alert_track){ .state = ALERT_PENDING, .since_ms = T0, .condition_ms = T0,
	    .last_reading_ms = T0, .last_value = 90 }, T0 + 30 * S, "pending: the minimum duration, completed by time");
	tick_due_case(&nagging, (struct alert_track){ .state = ALERT_ALARM, .since_ms = T0, .condition_ms = T0,
	    .last_notified_ms = T0 + 5 * S, .last_reading_ms = T0, .last_value = 90 }, T0 + 305 * S,
	    "alarm: the next reminder after the last message");
	tick_due_case(&nagging, (struct alert_track){ .state = ALERT_ALARM, .since_ms = T0, .condition_ms = T0,
	    .last_notified_ms = T0, .acknowledged = 1, .last_reading_ms = T0, .last_value = 90 }, LLONG_MAX,
	    "an acknowledged alarm sends no reminder");
	tick_due_case(&above, (struct alert_track){ .state = ALERT_ALARM, .since_ms = T0, .condition_ms = T0,
	    .last_notified_ms = T0, .last_reading_ms = T0, .last_value = 90 }, LLONG_MAX,
	    "an alarm without reminders waits for a reading");
}

int main(void)
{
	test_above();
	test_below();
	test_outside();
	test_min_duration();
	test_reminders_and_ack();
	test_no_clear_message();
	test_no_data();
	test_facts_min_duration();
	test_facts_reminder_and_clear();
	test_facts_no_data();
	test_first_evaluation_sets_since();
	test_invalid_rules();
	test_tick_due();
	return check_done("test_alert_eval");
}
