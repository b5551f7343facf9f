/*
 * reading.c - parsing and validating ingest bodies (see reading.h).
 *
 * JSON is parsed strictly by json-c (no NaN, no trailing garbage, no
 * comments); numbers must be finite.  Channel names are restricted to
 * identifiers so they are safe as MongoDB field names and CSV headers.
 * Unknown fields in a reading are refused rather than ignored, so a typo
 * ("valuse") is an error the device maker sees at once, not lost data.
 */
#include "reading.h"

#include "json_body.h"
#include "ts.h"
#include "valid.h"

#include <ctype.h>
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Fills *err and returns -1, for `return reading_refuse(err, ...)`:
 * field names the offending field for people ("ts", "values"). */
static int reading_refuse(struct reading_error *err, int status, const char *code, long idx,
    const char *field, const char *fmt, ...) __attribute__((cold, format(printf, 6, 7)));

static int reading_refuse(struct reading_error *err, int status, const char *code, long idx,
    const char *field, const char *fmt, ...)
{
	va_list ap;

	err->status = status;
	err->code = code;
	err->index = idx;
	snprintf(err->field, sizeof(err->field), "%.40s", field);
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}

int channel_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > READING_CHANNEL_LEN || !isalpha((unsigned char)s[0]))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

static int id_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > READING_ID_LEN)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

static int check_ts(long long ts, long long now_ms, enum ts_unit unit, long idx, const char *field,
    struct reading_error *err)
{
	if (ts > now_ms + READING_FUTURE_MS)
		return reading_refuse(err, 422, "invalid_reading", idx, field,
		    "%s is more than 5 minutes in the future (server time is authoritative)", field);
	if (ts < READING_EPOCH_MIN_MS)
		return reading_refuse(err, 422, "invalid_reading", idx, field, "%s is before 2000-01-01%s", field,
		    unit == TS_UNIT_MS ? "; epoch seconds need precision=s" : "");
	return 0;
}

/* What ts may be, for the messages: depends on the request's precision. */
static const char *ts_forms(enum ts_unit unit)
{
	return unit == TS_UNIT_S ? "ISO 8601 with a zone (2026-11-24T18:00:00Z) or whole epoch seconds (precision=s)"
	    : "ISO 8601 with a zone (2026-11-24T18:00:00Z) or epoch milliseconds";
}

/* A number is an integer in the request's unit, made ms exactly (a
 * fraction is refused, not rounded); a string is ts_parse_unit()'s. */
static int json_ts(struct json_object *v, long long now_ms, enum ts_unit unit, long idx, long long *ts,
    struct reading_error *err)
{
	if (json_object_is_type(v, json_type_int)) {
		if (ts_epoch_ms(json_object_get_int64(v), unit, ts) != 0)
			return reading_refuse(err, 422, "invalid_reading", idx, "ts", "ts is out of range");
	} else if (!json_object_is_type(v, json_type_string) ||
	    ts_parse_unit(json_object_get_string(v), unit, ts) != 0) {
		return reading_refuse(err, 422, "invalid_reading", idx, "ts", "ts must be %s", ts_forms(unit));
	}
	return check_ts(*ts, now_ms, unit, idx, "ts", err);
}

/* The error's field names a channel: values.<name> (and its pointer). */
static int refuse_channel(struct reading_error *err, long idx, const char *name, const char *what)
    __attribute__((cold));

static int refuse_channel(struct reading_error *err, long idx, const char *name, const char *what)
{
	err->status = 422;
	err->code = "invalid_reading";
	err->index = idx;
	snprintf(err->field, sizeof(err->field), "values.%.40s", name);
	snprintf(err->message, sizeof(err->message), "%s", what);
	snprintf(err->pointer, sizeof(err->pointer), "/values");
	(void)json_pointer_append(err->pointer, sizeof(err->pointer), name, strlen(name));
	return -1;
}

static int json_values(struct arena *a, struct json_object *vals, long idx,
    struct reading *rd, struct reading_error *err)
{
	size_t n;

	if (!json_object_is_type(vals, json_type_object))
		return reading_refuse(err, 422, "invalid_reading", idx, "values",
		    "values must be an object of channel: number");
	n = (size_t)json_object_object_length(vals);
	if (n == 0 || n > READING_CHANNELS_MAX)
		return reading_refuse(err, 422, "invalid_reading", idx, "values",
		    "values must hold 1 to %d channels", READING_CHANNELS_MAX);
	if ((rd->values = arena_alloc(a, n * sizeof(*rd->values))) == NULL)
		return reading_refuse(err, 503, "unavailable", idx, "", "out of memory");
	json_object_object_foreach(vals, key, val) {
		double d;

		if (!channel_name_ok(key))
			return refuse_channel(err, idx, key, "is not a channel name: a letter, then "
			    "letters, digits or _ (at most 32)");
		if (!json_object_is_type(val, json_type_int) && !json_object_is_type(val, json_type_double))
			return refuse_channel(err, idx, key, "must be a number");
		/* json_body has refused numbers json-c could not keep as written. */
		d = json_object_get_double(val);
		rd->values[rd->n].name = arena_strdup(a, key);
		rd->values[rd->n].v = d;
		rd->n++;
	}
	return 0;
}

static int json_reading(struct arena *a, struct json_object *o, long idx, long long now_ms,
    enum ts_unit unit, struct reading *rd, struct reading_error *err)
{
	struct json_object *vals = NULL;

	if (!json_object_is_type(o, json_type_object))
		return reading_refuse(err, 422, "invalid_reading", idx, "",
		    "a reading must be an object");
	rd->ts_ms = now_ms;
	json_object_object_foreach(o, key, val) {
		if (strcmp(key, "ts") == 0) {
			if (json_ts(val, now_ms, unit, idx, &rd->ts_ms, err) != 0)
				return -1;
		} else if (strcmp(key, "id") == 0) {
			if (!json_object_is_type(val, json_type_string) || !id_ok(json_object_get_string(val)))
				return reading_refuse(err, 422, "invalid_reading", idx, "id",
				    "id must be 1 to %d printable ASCII characters", READING_ID_LEN);
			rd->id = arena_strdup(a, json_object_get_string(val));
		} else if (strcmp(key, "values") == 0) {
			vals = val;
		} else {
			return reading_refuse(err, 422, "invalid_reading", idx, key,
			    "unknown field '%.40s' (expected ts, id, values)", key);
		}
	}
	if (vals == NULL)
		return reading_refuse(err, 422, "invalid_reading", idx, "values",
		    "values is required");
	return json_values(a, vals, idx, rd, err);
}

/* The error's JSON Pointer: within the reading (a channel's is already
 * set; otherwise the field's), then, in a batch, the reading's place. */
static void point_at(struct reading_error *err, int batch)
{
	char ptr[sizeof(err->pointer)] = "";

	if (err->pointer[0] == '\0' && err->field[0] != '\0')
		(void)json_pointer_append(err->pointer, sizeof(err->pointer), err->field, strlen(err->field));
	if (!batch || err->index < 0)
		return;     /* a batch-level error's field is "readings" itself */
	(void)json_pointer_append(ptr, sizeof(ptr), "readings", 8);
	(void)json_pointer_append_index(ptr, sizeof(ptr), (size_t)err->index);
	if (strlen(ptr) + strlen(err->pointer) < sizeof(ptr)) {
		strcat(ptr, err->pointer);
		memcpy(err->pointer, ptr, sizeof(ptr));
	}
}

static int parse_items(struct arena *a, struct json_object *arr, long long now_ms,
    enum ts_unit unit, struct batch *out, struct reading_error *err)
{
	size_t n = json_object_array_length(arr);

	if (n == 0)
		return reading_refuse(err, 422, "invalid_reading", -1, "readings",
		    "readings must not be empty");
	if (n > READING_BATCH_MAX)
		return reading_refuse(err, 413, "batch_too_large", -1, "readings",
		    "a batch holds at most %d readings", READING_BATCH_MAX);
	if ((out->items = arena_alloc(a, n * sizeof(*out->items))) == NULL)
		return reading_refuse(err, 503, "unavailable", -1, "", "out of memory");
	for (size_t i = 0; i < n; i++)
		if (json_reading(a, json_object_array_get_idx(arr, i), (long)i, now_ms, unit,
		    &out->items[i], err) != 0)
			return -1;
	out->n = n;
	return 0;
}

static int parse_root(struct arena *a, struct json_object *root, long long now_ms,
    enum ts_unit unit, struct batch *out, struct reading_error *err)
{
	struct json_object *arr;

	if (!json_object_is_type(root, json_type_object))
		return reading_refuse(err, 400, "malformed_json", -1, "",
		    "the body must be a JSON object");
	if (!json_object_object_get_ex(root, "readings", &arr)) {
		if ((out->items = arena_alloc(a, sizeof(*out->items))) == NULL)
			return reading_refuse(err, 503, "unavailable", -1, "", "out of memory");
		out->n = 1;
		if (json_reading(a, root, -1, now_ms, unit, &out->items[0], err) != 0)
			return -1;
		return 0;
	}
	if (json_object_object_length(root) != 1 || !json_object_is_type(arr, json_type_array))
		return reading_refuse(err, 400, "malformed_json", -1, "readings",
		    "a batch is {\"readings\": [...]} and nothing else");
	return parse_items(a, arr, now_ms, unit, out, err);
}

int reading_parse_json_tree(struct arena *a, const char *body, size_t len,
    long long now_ms, enum ts_unit unit, struct batch *out, struct reading_error *err)
{
	struct json_body_error jerr;
	struct json_object *root;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	err->index = -1;
	if (json_body_parse(body, len, &root, &jerr) != 0) {
		err->status = jerr.status;
		err->code = jerr.status == 422 ? "invalid_reading" : "malformed_json";
		snprintf(err->pointer, sizeof(err->pointer), "%s", jerr.pointer);
		snprintf(err->message, sizeof(err->message), "%s", jerr.message);
		return -1;
	}
	rc = parse_root(a, root, now_ms, unit, out, err);
	if (rc != 0)
		point_at(err, json_object_object_get_ex(root, "readings", NULL));
	json_object_put(root);
	return rc;
}

int reading_parse_form(struct arena *a, const struct kvlist *form,
    long long now_ms, enum ts_unit unit, struct batch *out, struct reading_error *err)
{
	struct reading *rd;

	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	if ((rd = arena_alloc(a, sizeof(*rd))) == NULL ||
	    (rd->values = arena_alloc(a, READING_CHANNELS_MAX * sizeof(*rd->values))) == NULL)
		return reading_refuse(err, 503, "unavailable", -1, "", "out of memory");
	rd->ts_ms = now_ms;
	for (size_t i = 0; i < form->n; i++) {
		const char *k = form->items[i].key, *v = form->items[i].val;
		double d;

		if (strcmp(k, "api_key") == 0)
			continue;
		if (strcmp(k, "ts") == 0) {
			if (ts_parse_unit(v, unit, &rd->ts_ms) != 0)
				return reading_refuse(err, 422, "invalid_reading", -1, "ts", "ts must be %s",
				    ts_forms(unit));
			if (check_ts(rd->ts_ms, now_ms, unit, -1, "ts", err) != 0)
				return -1;
			continue;
		}
		if (strcmp(k, "id") == 0) {
			if (!id_ok(v))
				return reading_refuse(err, 422, "invalid_reading", -1, "id",
				    "id must be 1 to %d printable ASCII characters", READING_ID_LEN);
			rd->id = v;
			continue;
		}
		if (!channel_name_ok(k))
			return reading_refuse(err, 422, "invalid_reading", -1, k,
			    "'%.40s' is not a channel name: a letter, then letters, digits or _ (at most %d)",
			    k, READING_CHANNEL_LEN);
		if (!valid_decimal(v, &d))
			return reading_refuse(err, 422, "invalid_reading", -1, k,
			    "%.40s must be a decimal number such as 21.5 or -3e2", k);
		for (size_t j = 0; j < rd->n; j++)
			if (strcmp(rd->values[j].name, k) == 0)
				return reading_refuse(err, 422, "invalid_reading", -1, "values",
				    "%.40s is given twice", k);
		if (rd->n == READING_CHANNELS_MAX)
			return reading_refuse(err, 422, "invalid_reading", -1, "values",
			    "a reading holds at most %d channels", READING_CHANNELS_MAX);
		rd->values[rd->n].name = k;
		rd->values[rd->n].v = d;
		rd->n++;
	}
	if (rd->n == 0)
		return reading_refuse(err, 422, "invalid_reading", -1, "values",
		    "no channel values in the form");
	out->items = rd;
	out->n = 1;
	return 0;
}
