/*
 * store_readings.h - readings in MongoDB: append, page, bucket, export,
 * delete.  There is deliberately no update here or anywhere: a stored
 * reading can only ever be read or deleted.
 *
 * A reading document: { _id: ObjectId, d: int64 device id, t: date (the
 * reading's time), r: date (received), v: { channel: double }, c: client id }.
 */
#ifndef GAUGE_STORE_READINGS_H
#define GAUGE_STORE_READINGS_H

#include <bson/bson.h>
#include <stddef.h>

#include "reading.h"
#include "store.h"

/* Appends a validated batch; duplicates (same client id on the device) are
 * counted, not stored.  STORE_OK only when every reading is either stored
 * durably (journaled, majority write concern) or a duplicate. */
int store_readings_insert(struct store *s, long long device_id, const struct batch *b,
    long long received_ms, size_t *stored, size_t *duplicates);

struct store_range {
	long long device_id;
	long long from_ms, to_ms;   /* [from, to); LLONG_MIN / LLONG_MAX when open */
	const char *const *channels; /* NULL: all */
	size_t nchannels;
};

/* Paging position: the last (t, _id) returned. */
struct store_after {
	int set;
	long long ts_ms;
	bson_oid_t oid;
};

typedef int (*store_doc_fn)(void *ctx, const bson_t *doc);

/* Calls fn for each reading in range, by (t, _id), after `after`;
 * limit 0 means all of them, streamed in batches. */
int store_readings_find(struct store *s, const struct store_range *r, int desc,
    const struct store_after *after, size_t limit, store_doc_fn fn, void *ctx);

/* The device's newest reading (by its time), if any: fn is called at most once. */
int store_readings_latest(struct store *s, long long device_id, store_doc_fn fn, void *ctx);


enum store_agg { AGG_AVG, AGG_MIN, AGG_MAX, AGG_SUM, AGG_COUNT, AGG_FIRST, AGG_LAST };

/* One result of a downsampling query. */
typedef int (*store_bucket_fn)(void *ctx, long long bucket_ms, const char *channel, double value);

/* Buckets readings in range by interval_ms (UTC-aligned), computing agg per
 * channel inside MongoDB; results come sorted by bucket, then channel. */
int store_readings_buckets(struct store *s, const struct store_range *r,
    long long interval_ms, enum store_agg agg, size_t max_rows, store_bucket_fn fn, void *ctx);

/* The channel names present in range, sorted; at most max. */
typedef int (*store_name_fn)(void *ctx, const char *name);
int store_readings_channels(struct store *s, const struct store_range *r, size_t max,
    store_name_fn fn, void *ctx);

int store_readings_delete(struct store *s, const struct store_range *r, long long *deleted);
/* Deletes at most limit of the device's oldest readings whose time is
 * before before_ms: one bounded batch, so that pruning a long backlog is
 * many short writes the database interleaves with everything else, never
 * one that holds it.  *deleted < limit: nothing older is left. */
int store_readings_delete_batch(struct store *s, long long device_id, long long before_ms,
    size_t limit, long long *deleted);

/* Reads d, t, r, c, _id and v of a reading document. */
struct store_reading_view {
	long long device_id;
	long long ts_ms, received_ms;
	const char *id;
	bson_oid_t oid;
	bson_iter_t values;         /* iterator positioned inside v */
	int has_values;
};
void store_reading_view(const bson_t *doc, struct store_reading_view *v);
/* The numeric value of one channel: 0 and *out set, or -1 when the reading
 * has no number under that name. */
int  store_reading_value(const struct store_reading_view *v, const char *channel, double *out);

/* Readings of these devices received at or after since_ms, by (r, _id):
 * gauge-alertd's view of what arrived, handed over already read (the view
 * lives for the call only).  fn returns 0 to go on; anything else stops the
 * fetch and is returned as it is, so a caller's error reaches the caller. */
typedef int (*store_view_fn)(void *ctx, const struct store_reading_view *v);
int store_readings_received_since(struct store *s, const long long *devices, size_t n,
    long long since_ms, size_t limit, store_view_fn fn, void *ctx);
/* The same readings with only oid and received_ms set in the view: what
 * gauge-alertd asks before it opens a MySQL transaction. */
int store_readings_received_ids(struct store *s, const long long *devices, size_t n,
    long long since_ms, size_t limit, store_view_fn fn, void *ctx);

#endif
