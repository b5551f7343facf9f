/*
 * mqtt_topic.c - Gauge's MQTT topics (see mqtt_topic.h).
 */
#include "mqtt_topic.h"

#include <stdio.h>
#include <string.h>

#include "valid.h"

static const char *const mqtt_topic_leaf[] = {
	[MQTT_TOPIC_READINGS] = "readings",
	[MQTT_TOPIC_ERRORS] = "errors",
};

enum mqtt_topic_kind mqtt_topic_parse(const char *topic, char uid[PUBLIC_ID_LEN + 1])
{
	const char *p, *slash;
	size_t n;

	uid[0] = '\0';
	if (strncmp(topic, MQTT_TOPIC_PREFIX, sizeof(MQTT_TOPIC_PREFIX) - 1) != 0)
		return MQTT_TOPIC_NONE;
	p = topic + sizeof(MQTT_TOPIC_PREFIX) - 1;
	if ((slash = strchr(p, '/')) == NULL || (n = (size_t)(slash - p)) > PUBLIC_ID_LEN)
		return MQTT_TOPIC_NONE;
	memcpy(uid, p, n);
	uid[n] = '\0';
	/* the id format has no '+' or '#': a wildcard is never a device */
	if (!valid_public_id(uid, "dev_")) {
		uid[0] = '\0';
		return MQTT_TOPIC_NONE;
	}
	for (size_t k = MQTT_TOPIC_READINGS; k <= MQTT_TOPIC_ERRORS; k++)
		if (strcmp(slash + 1, mqtt_topic_leaf[k]) == 0)
			return (enum mqtt_topic_kind)k;
	uid[0] = '\0';
	return MQTT_TOPIC_NONE;
}

int mqtt_topic_make(enum mqtt_topic_kind kind, const char *uid, char out[MQTT_TOPIC_MAX])
{
	if (kind == MQTT_TOPIC_NONE || !valid_public_id(uid, "dev_"))
		return -1;
	snprintf(out, MQTT_TOPIC_MAX, "%s%s/%s", MQTT_TOPIC_PREFIX, uid, mqtt_topic_leaf[kind]);
	return 0;
}
