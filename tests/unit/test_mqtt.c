/*
 * test_mqtt.c - the MQTT edge's pure parts: which topics exist (mqtt_topic.c)
 * and the refusals ingest.c words for both edges.
 */
#include <json-c/json.h>
#include <stdlib.h>

#include "check.h"
#include "ingest.h"
#include "mqtt_topic.h"

#define DEV "dev_AAAAAAAAAAAAAAAA"

static void topics(void)
{
	/* Every topic but the two per device is none, and so is every wildcard:
	 * an ACL built on this can only allow one exact topic. */
	static const struct { const char *topic; enum mqtt_topic_kind kind; const char *uid; } cases[] = {
		{ "gauge/v1/devices/" DEV "/readings", MQTT_TOPIC_READINGS, DEV },
		{ "gauge/v1/devices/" DEV "/errors", MQTT_TOPIC_ERRORS, DEV },
		{ "gauge/v1/devices/" DEV "/readings/", MQTT_TOPIC_NONE, "" },
		{ "gauge/v1/devices/" DEV "/readings/x", MQTT_TOPIC_NONE, "" },
		{ "gauge/v1/devices/" DEV "/#", MQTT_TOPIC_NONE, "" },
		{ "gauge/v1/devices/" DEV "/+", MQTT_TOPIC_NONE, "" },
		{ "gauge/v1/devices/+/readings", MQTT_TOPIC_NONE, "" },
		{ "gauge/v1/devices/#", MQTT_TOPIC_NONE, "" },
		{ "gauge/v1/devices/" DEV, MQTT_TOPIC_NONE, "" },
		{ "gauge/v1/devices/dev_AAAAAAAAAAAAAAA+/readings", MQTT_TOPIC_NONE, "" },
		{ "gauge/v1/devices/dev_AAAAAAAAAAAAAAAAA/readings", MQTT_TOPIC_NONE, "" },
		{ "gauge/v1/devices/grp_AAAAAAAAAAAAAAAA/readings", MQTT_TOPIC_NONE, "" },
		{ "gauge/v2/devices/" DEV "/readings", MQTT_TOPIC_NONE, "" },
		{ "/gauge/v1/devices/" DEV "/readings", MQTT_TOPIC_NONE, "" },
		{ "gauge/v1/devices//readings", MQTT_TOPIC_NONE, "" },
		{ "#", MQTT_TOPIC_NONE, "" },
		{ "", MQTT_TOPIC_NONE, "" },
	};
	char uid[PUBLIC_ID_LEN + 1], topic[MQTT_TOPIC_MAX];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK(mqtt_topic_parse(cases[i].topic, uid) == cases[i].kind, cases[i].topic);
		CHECK_STR(uid, cases[i].uid, cases[i].topic);
	}
	CHECK(mqtt_topic_make(MQTT_TOPIC_ERRORS, DEV, topic) == 0, "errors topic made");
	CHECK_STR(topic, "gauge/v1/devices/" DEV "/errors", "errors topic");
	CHECK(mqtt_topic_make(MQTT_TOPIC_READINGS, DEV, topic) == 0, "readings topic made");
	CHECK(mqtt_topic_parse(topic, uid) == MQTT_TOPIC_READINGS, "a made topic parses back");
	CHECK(mqtt_topic_make(MQTT_TOPIC_ERRORS, "+", topic) != 0, "no topic for a wildcard");
	CHECK(mqtt_topic_make(MQTT_TOPIC_NONE, DEV, topic) != 0, "no topic of kind none");
}

/* The error body both edges send: the same words as the HTTPS API always had. */
static void refusals(void)
{
	static const struct { const char *body; int status; const char *code, *pointer, *message; } cases[] = {
		{ "{\"values\":{\"temp\":\"hot\"}}", 422, "invalid_reading", "/values/temp",
		  "values.temp: must be a number" },
		{ "not json", 400, "malformed_json", "", NULL },
		{ "{\"readings\":[{\"values\":{\"t\":1}},{\"values\":{}}]}", 422, "invalid_reading", "/readings/1/values",
		  NULL },
	};
	struct ingest_error e;
	struct arena a;
	struct batch b;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct json_object *o, *v;

		arena_init(&a);
		CHECK(ingest_parse_json(&a, cases[i].body, strlen(cases[i].body), 1796593293000LL, TS_UNIT_MS, &b, &e) != 0,
		    cases[i].body);
		CHECK(e.status == cases[i].status, cases[i].body);
		CHECK_STR(e.code, cases[i].code, cases[i].body);
		CHECK_STR(e.pointer, cases[i].pointer, cases[i].body);
		if (cases[i].message != NULL)
			CHECK_STR(e.message, cases[i].message, cases[i].body);
		o = ingest_error_json(&e);
		CHECK(json_object_object_get_ex(o, "code", &v) && strcmp(json_object_get_string(v), e.code) == 0,
		    "body carries the code");
		CHECK(json_object_object_get_ex(o, "message", &v), "body carries the message");
		CHECK(json_object_object_length(o) == 3, "code, message and pointer, nothing else");
		json_object_put(o);
		arena_free(&a);
	}
	ingest_too_large(&e);
	CHECK(e.status == 413 && strcmp(e.code, "body_too_large") == 0, "too large is the API's 413");
	CHECK(e.pointer == NULL, "too large points nowhere");
	arena_init(&a);
	{
		static const char good[] = "{\"values\":{\"t\":1},\"id\":\"a\"}";

		CHECK(ingest_parse_json(&a, good, sizeof(good) - 1, 1796593293000LL, TS_UNIT_MS, &b, &e) == 0,
		    "a good reading parses");
	}
	CHECK(b.n == 1 && strcmp(b.items[0].id, "a") == 0, "one reading with its id");
	arena_free(&a);
}

int main(void)
{
	topics();
	refusals();
	return check_done("mqtt");
}
