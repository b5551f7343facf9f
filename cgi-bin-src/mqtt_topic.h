/*
 * mqtt_topic.h - the MQTT topics Gauge answers, as a table, parsed once.
 *
 *   gauge/v1/devices/{device id}/readings   a device publishes readings here
 *   gauge/v1/devices/{device id}/errors     Gauge publishes refusals here
 *
 * Nothing else exists: any other topic, any wildcard ('+', '#') and any
 * malformed device id parse as MQTT_TOPIC_NONE, so an ACL built on this
 * can only ever allow one exact topic of one device.
 */
#ifndef GAUGE_MQTT_TOPIC_H
#define GAUGE_MQTT_TOPIC_H

#include <stddef.h>

#include "auth_key.h"

enum mqtt_topic_kind { MQTT_TOPIC_NONE, MQTT_TOPIC_READINGS, MQTT_TOPIC_ERRORS };

#define MQTT_TOPIC_PREFIX "gauge/v1/devices/"
/* The longest topic we make: prefix, id, "/readings". */
#define MQTT_TOPIC_MAX (sizeof(MQTT_TOPIC_PREFIX) + PUBLIC_ID_LEN + 16)

/* Which topic this is; uid gets the device id when it is one of ours. */
enum mqtt_topic_kind mqtt_topic_parse(const char *topic, char uid[PUBLIC_ID_LEN + 1]);
/* Writes the topic of kind for a device; -1 when uid is not a device id. */
int mqtt_topic_make(enum mqtt_topic_kind kind, const char *uid, char out[MQTT_TOPIC_MAX]);

#endif
