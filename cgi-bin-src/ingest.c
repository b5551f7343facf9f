/*
 * ingest.c - the shared reading path (see ingest.h).
 *
 * The wording of a refusal is made here once, from reading.c's typed
 * error, so a device sees the same message whether it posted over HTTPS or
 * published over MQTT.
 */
#include "ingest.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "metrics.h"
#include "store.h"
#include "store_readings.h"

/* "reading 3: values.temp: must be a number", the index and field when known. */
static void ingest_refusal(const struct reading_error *re, int json, struct ingest_error *e)
{
	const char *sep = re->field[0] != '\0' ? ": " : "";

	e->status = re->status;
	e->code = re->code;
	e->pointer = NULL;
	if (json) {     /* a form has no JSON Pointer */
		snprintf(e->pointer_buf, sizeof(e->pointer_buf), "%s", re->pointer);
		e->pointer = e->pointer_buf;
	}
	if (re->index >= 0)
		snprintf(e->message, sizeof(e->message), "reading %ld: %s%s%s", re->index,
		    re->field, sep, re->message);
	else
		snprintf(e->message, sizeof(e->message), "%s%s%s", re->field, sep, re->message);
}

int ingest_parse_json(struct arena *a, const char *body, size_t len, long long now_ms,
    enum ts_unit unit, struct batch *b, struct ingest_error *e)
{
	struct reading_error re;

	if (reading_parse_json(a, body, len, now_ms, unit, b, &re) == 0)
		return 0;
	ingest_refusal(&re, 1, e);
	return -1;
}

int ingest_parse_form(struct arena *a, const struct kvlist *form, long long now_ms,
    enum ts_unit unit, struct batch *b, struct ingest_error *e)
{
	struct reading_error re;

	if (reading_parse_form(a, form, now_ms, unit, b, &re) == 0)
		return 0;
	ingest_refusal(&re, 0, e);
	return -1;
}

void ingest_too_large(struct ingest_error *e)
{
	e->status = 413;
	e->code = "body_too_large";
	e->pointer = NULL;
	snprintf(e->message, sizeof(e->message), "The request body is too large.");
}

int ingest_store(struct store *s, long long device_id, const struct batch *b,
    long long received_ms, struct ingest_result *res, struct ingest_error *e)
{
	if (store_readings_insert(s, device_id, b, received_ms, &res->stored, &res->duplicates)
	    != STORE_OK) {
		e->status = 503;
		e->code = "unavailable";
		e->pointer = NULL;
		snprintf(e->message, sizeof(e->message),
		    "Readings could not be stored; send them again (readings with an id are stored once).");
		return -1;
	}
	metrics_add(METRIC_READINGS_STORED, res->stored);
	metrics_add(METRIC_READINGS_DUPLICATE, res->duplicates);
	return 0;
}

struct json_object *ingest_error_json(const struct ingest_error *e)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "code", json_object_new_string(e->code));
	json_object_object_add(o, "message", json_object_new_string(e->message));
	if (e->pointer != NULL)
		json_object_object_add(o, "pointer", json_object_new_string(e->pointer));
	return o;
}
