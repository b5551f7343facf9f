/*
 * fuzz_mqtt_topic.c - mqtt_topic_parse(): the topic of every publish and
 * subscription a client sends the broker, which decides what the plugin's
 * ACL allows.
 *
 * Input: the topic.  Whatever it says, a topic that parses names a
 * well-formed device id with no wildcard in it, and making the topic of
 * that kind for that device gives back exactly the input: the ACL can only
 * ever allow one exact topic of one device.
 */
#include "fuzz.h"
#include "mqtt_topic.h"
#include "valid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	char uid[PUBLIC_ID_LEN + 1], again[MQTT_TOPIC_MAX];
	enum mqtt_topic_kind kind = mqtt_topic_parse(s, uid);

	if (kind == MQTT_TOPIC_NONE) {
		INVARIANT(uid[0] == '\0', "'%s' refused but named '%s'", s, uid);
	} else {
		INVARIANT(valid_public_id(uid, "dev_"), "'%s' named '%s'", s, uid);
		INVARIANT(strpbrk(uid, "+#/") == NULL, "'%s' named '%s'", s, uid);
		INVARIANT(mqtt_topic_make(kind, uid, again) == 0, "'%s': no topic made for '%s'", s, uid);
		INVARIANT(strcmp(again, s) == 0, "'%s' parsed, made back as '%s'", s, again);
	}
	free(s);
	return 0;
}
