/*
 * test_alert_message.c - the words of an alert say what happened: the
 * reading's value and time, "no data since" for a silence, no request to
 * acknowledge once the alarm is over.  alert_message.c is included, as it
 * is linked only into gauge-alertd.
 */
#include "../../cgi-bin-src/alert_message.c"

#include "check.h"

#define URL "https://gauge.example"
#define CODE "0123456789abcdef0123456789abcdef"

static char subject[300], body[4096], sms[1024];

static void compose(const struct alert_event_view *e)
{
	alert_message_email(e, URL, subject, sizeof(subject), body, sizeof(body));
	alert_message_sms(e, URL, sms, sizeof(sms));
}

static void test_alarm_names_the_reading(void)
{
	struct alert_event_view e = { CODE, "alarm", 0, "Kiln hot", "Kiln 7", "temp", "96",
	    "2026-03-01T10:00:31.079Z", "2026-03-01T10:00:29.500Z", 0, NULL };

	compose(&e);
	CHECK(strstr(body, "Value:    96\n") != NULL, "the e-mail says the value");
	CHECK(strstr(body, "Time:     2026-03-01T10:00:31.079Z (when this reading was taken)") != NULL,
	    "and the reading's own time");
	CHECK(strstr(body, "Since:    2026-03-01T10:00:29.500Z") != NULL, "and since when the condition held");
	CHECK(strstr(body, "/verify/" CODE) != NULL, "with the verification link");
	CHECK(strstr(body, "acknowledge the alarm") != NULL, "an alarm may be acknowledged");
	CHECK(strstr(sms, "temp 96 at 2026-03-01T10:00:31.079Z (since 2026-03-01T10:00:29.500Z)") != NULL,
	    "the SMS says the same");
	CHECK_STR(subject, "[Gauge] ALARM: Kiln hot on Kiln 7", "subject");
	e.since = e.reading_at;
	compose(&e);
	CHECK(strstr(body, "Since:") == NULL && strstr(sms, "(since") == NULL,
	    "no separate 'since' when the condition began with this reading");
}

static void test_no_data_says_no_data(void)
{
	struct alert_event_view e = { CODE, "no_data", 1, "Kiln silent", "Kiln 7", "temp", NULL,
	    "2026-03-01T09:58:00.250Z", "2026-03-01T09:58:00.250Z", 0, NULL };

	compose(&e);
	CHECK(strstr(body, "No data has arrived since the last reading, taken at 2026-03-01T09:58:00.250Z.") != NULL,
	    "the e-mail says no data since the last reading's time");
	CHECK(strstr(body, "Value:") == NULL, "and names no value");
	CHECK(strstr(sms, "no data since 2026-03-01T09:58:00.250Z") != NULL, "the SMS too");
	CHECK(strstr(sms, " 0") == NULL, "never 'Value: 0'");
	CHECK_STR(subject, "[Gauge] No data: Kiln silent on Kiln 7", "subject");
	e.kind = "reminder";
	compose(&e);
	CHECK_STR(subject, "[Gauge] Still no data: Kiln silent on Kiln 7", "a reminder of a silence");
	CHECK(strstr(body, "No data has arrived since") != NULL, "says no data, too");
	e.kind = "clear";
	e.reading_at = "2026-03-01T10:05:00.000Z";
	e.since = "2026-03-01T09:58:00.250Z";
	compose(&e);
	CHECK(strstr(body, "Data arrives again: a reading taken at 2026-03-01T10:05:00.000Z. "
	    "No data had arrived since 2026-03-01T09:58:00.250Z.") != NULL, "data again, and since when it was silent");
	CHECK(strstr(sms, "data again at 2026-03-01T10:05:00.000Z (none since 2026-03-01T09:58:00.250Z)") != NULL,
	    "the SMS too");
}

static void test_back_to_normal_asks_nothing(void)
{
	struct alert_event_view e = { CODE, "clear", 0, "Kiln hot", "Kiln 7", "temp", "70",
	    "2026-03-01T10:10:00.000Z", "2026-03-01T10:10:00.000Z", 0, NULL };

	compose(&e);
	CHECK_STR(subject, "[Gauge] Back to normal: Kiln hot on Kiln 7", "subject");
	CHECK(strstr(body, "Acknowledge") == NULL && strstr(body, "acknowledge the") == NULL,
	    "back to normal does not ask to acknowledge");
	CHECK(strstr(body, "reminders") == NULL, "nor talks of reminders");
	CHECK(strstr(body, "nothing to acknowledge") != NULL, "it says there is nothing to do");
	CHECK(strstr(body, "Value:    70\n") != NULL, "and names the reading that cleared it");
}

static void test_reminder_asks_to_acknowledge(void)
{
	struct alert_event_view e = { CODE, "reminder", 0, "Kiln hot", "Kiln 7", "temp", "93",
	    "2026-03-01T10:00:40.000Z", "2026-03-01T10:00:29.500Z", 0, NULL };

	compose(&e);
	CHECK_STR(subject, "[Gauge] Still in alarm: Kiln hot on Kiln 7", "subject");
	CHECK(strstr(body, "Acknowledge the alarm in the dashboard to stop these reminders") != NULL,
	    "a reminder says how to stop reminders");
}

static void test_digest_lines(void)
{
	struct alert_event_view e[2] = {
		{ CODE, "alarm", 0, "Kiln hot", "Kiln 7", "temp", "96", "2026-03-01T10:00:31.079Z", NULL, 0, NULL },
		{ CODE, "no_data", 1, "Kiln silent", "Kiln 8", "temp", NULL, "2026-03-01T09:58:00.250Z", NULL, 0, NULL },
	};

	alert_message_digest(e, 2, URL, 0, subject, sizeof(subject), body, sizeof(body));
	CHECK(strstr(body, "ALARM: Kiln hot on Kiln 7, temp 96 at 2026-03-01T10:00:31.079Z (code " CODE ")") != NULL,
	    "a digest line names the reading");
	CHECK(strstr(body, "No data: Kiln silent on Kiln 8, no data since 2026-03-01T09:58:00.250Z") != NULL,
	    "and a silence as a silence");
	alert_message_digest(e, 2, URL, 1, subject, sizeof(subject), sms, sizeof(sms));
	CHECK(strstr(sms, " No data Kiln 8 no data;") != NULL, "the SMS digest too");
}

static void test_webhook_json(void)
{
	struct alert_event_view e[2] = {
		{ CODE, "alarm", 0, "Kiln \"hot\"", "Kiln 7", "temp", "96.5", "2026-03-01T10:00:31.079Z", NULL, 12,
		  "dev_AAAAAAAAAAAAAAAA" },
		{ CODE, "no_data", 1, "Kiln silent", "Kiln 8", "temp", NULL, "2026-03-01T09:58:00.250Z", NULL, 0, NULL },
	};
	char out[4096];

	CHECK(alert_message_webhook(e, 1, 0, 77, "https://g.example", out, sizeof(out)) > 0, "one event fits");
	CHECK(strstr(out, "\"event\":\"alarm\"") != NULL && strstr(out, "\"delivery_id\":77") != NULL,
	    "the event kind and the delivery id");
	CHECK(strstr(out, "\"rule\":{\"id\":12,\"name\":\"Kiln \\\"hot\\\"\"}") != NULL, "rule id and name, escaped");
	CHECK(strstr(out, "\"device\":{\"id\":\"dev_AAAAAAAAAAAAAAAA\",\"name\":\"Kiln 7\"}") != NULL, "device id and name");
	CHECK(strstr(out, "\"value\":96.5,") != NULL, "the value as a number, digit for digit");
	CHECK(strstr(out, "\"url\":\"https://g.example/verify/" CODE "\"") != NULL, "the verification link");
	CHECK(alert_message_webhook(e, 2, 1, 78, "https://g.example", out, sizeof(out)) > 0 &&
	    strstr(out, "{\"event\":\"digest\",\"events\":[") == out && strstr(out, "\"value\":null") != NULL &&
	    strstr(out, "\"rule\":{\"id\":null") != NULL, "a digest lists its events; gone rules and no values are null");
	CHECK(alert_message_webhook(e, 1, 0, 77, "https://g.example", out, 64) == 0, "too small a buffer says so");
}

int main(void)
{
	test_webhook_json();
	test_alarm_names_the_reading();
	test_no_data_says_no_data();
	test_back_to_normal_asks_nothing();
	test_reminder_asks_to_acknowledge();
	test_digest_lines();
	return check_done("test_alert_message");
}
