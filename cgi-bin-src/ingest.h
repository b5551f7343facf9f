/*
 * ingest.h - readings in, whichever way they come: the one path from a body
 * to MongoDB, shared by the HTTPS edge (api_readings.c) and the MQTT edge
 * (mqtt_plugin.c), so that a reading is validated, refused and stored the
 * same way on both, with the same error codes and messages.
 *
 * The edges keep only what is theirs: where the body and the device come
 * from, and how an answer goes back (an HTTP response, a PUBACK and a
 * message on the device's errors topic).
 */
#ifndef GAUGE_INGEST_H
#define GAUGE_INGEST_H

#include <stddef.h>

#include "arena.h"
#include "reading.h"
#include "req.h"
#include "ts.h"

struct json_object;
struct store;

struct ingest_error {
	int status;                 /* what HTTPS answers: 400, 413, 422, 503 */
	const char *code;           /* the API's stable error code */
	const char *pointer;        /* RFC 6901 into the body, or NULL */
	char pointer_buf[128];
	char message[300];
};

struct ingest_result {
	size_t stored;
	size_t duplicates;
};

/* A JSON body (one reading or {"readings": [...]}) or form fields into b,
 * allocated from a.  0, or -1 with e filled and nothing else done. */
int ingest_parse_json(struct arena *a, const char *body, size_t len, long long now_ms,
    enum ts_unit unit, struct batch *b, struct ingest_error *e);
int ingest_parse_form(struct arena *a, const struct kvlist *form, long long now_ms,
    enum ts_unit unit, struct batch *b, struct ingest_error *e);

/* A body over max_body bytes, refused as HTTPS refuses it (413). */
void ingest_too_large(struct ingest_error *e);

/* Stores a parsed batch for device_id, received at received_ms, and counts
 * it in the metrics.  0 only when every reading is durably stored or a
 * duplicate (store_readings_insert); else -1 with e filled (503): nothing
 * may be acknowledged and the sender should send the batch again. */
int ingest_store(struct store *s, long long device_id, const struct batch *b,
    long long received_ms, struct ingest_result *res, struct ingest_error *e);

/* The API's error object for e: {"code", "message", "pointer"?}.  The
 * caller owns it (json_object_put). */
struct json_object *ingest_error_json(const struct ingest_error *e);

#endif
