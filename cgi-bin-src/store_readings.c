/*
 * store_readings.c - readings in MongoDB (see store_readings.h).
 *
 * Only documented, portable operations are used (insert_many, find with
 * filter/sort/limit, getMore, aggregate, delete_many) so the same code runs
 * on any MongoDB >= 5.0 and on the test stand-in.
 *
 * Idempotent resend rests on the unique partial index {d, c}: the insert is
 * unordered, so a resent batch stores its new readings and reports the rest
 * as duplicate-key errors, which are counted, never read-before-written.
 *
 * Bucketing uses epoch arithmetic ($toLong, $mod) rather than $dateTrunc so
 * that any interval in milliseconds works and buckets align to UTC.
 */
#include "store_readings.h"

#include <limits.h>
#include <mongoc/mongoc.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "metrics.h"
#include "store_internal.h"


/* The _id is ours (store_oid_new): libmongoc would otherwise make one and
 * copy the whole document to put it first. */
static void build_doc(bson_t *doc, long long device_id, const struct reading *rd, long long received_ms,
    time_t now)
{
	bson_oid_t oid;
	bson_t v;

	bson_init(doc);
	store_oid_new(&oid, now);
	BSON_APPEND_OID(doc, "_id", &oid);
	BSON_APPEND_INT64(doc, "d", device_id);
	BSON_APPEND_DATE_TIME(doc, "t", rd->ts_ms);
	BSON_APPEND_DATE_TIME(doc, "r", received_ms);
	BSON_APPEND_DOCUMENT_BEGIN(doc, "v", &v);
	for (size_t i = 0; i < rd->n; i++)
		BSON_APPEND_DOUBLE(&v, rd->values[i].name, rd->values[i].v);
	bson_append_document_end(doc, &v);
	if (rd->id != NULL)
		BSON_APPEND_UTF8(doc, "c", rd->id);
}

/* Counts duplicate-key write errors; -1 when any other write error exists. */
static long count_duplicates(const bson_t *reply)
{
	bson_iter_t it, arr, e;
	long dups = 0;

	if (bson_iter_init_find(&it, reply, "writeConcernErrors") && BSON_ITER_HOLDS_ARRAY(&it) &&
	    bson_iter_recurse(&it, &arr) && bson_iter_next(&arr))
		return -1;
	if (!bson_iter_init_find(&it, reply, "writeErrors") || !BSON_ITER_HOLDS_ARRAY(&it) ||
	    !bson_iter_recurse(&it, &arr))
		return 0;
	while (bson_iter_next(&arr)) {
		if (!BSON_ITER_HOLDS_DOCUMENT(&arr) || !bson_iter_recurse(&arr, &e) ||
		    !bson_iter_find(&e, "code") || bson_iter_as_int64(&e) != 11000)
			return -1;
		dups++;
	}
	return dups;
}

int store_readings_insert(struct store *s, long long device_id, const struct batch *b,
    long long received_ms, size_t *stored, size_t *duplicates)
{
	mongoc_collection_t *coll = store_readings_collection(s);
	bson_t *docs = bson_malloc(b->n * sizeof(bson_t));
	const bson_t **ptrs = bson_malloc(b->n * sizeof(bson_t *));
	bson_t opts = BSON_INITIALIZER, reply;
	bson_error_t e;
	bson_iter_t it;
	long dups;
	int rc = STORE_OK;
	time_t now = time(NULL);

	for (size_t i = 0; i < b->n; i++) {
		build_doc(&docs[i], device_id, &b->items[i], received_ms, now);
		ptrs[i] = &docs[i];
	}
	BSON_APPEND_BOOL(&opts, "ordered", false);
	/* libmongoc would walk every document again for keys starting with $
	 * or holding dots and for bad UTF-8: build_doc's keys are fixed or
	 * channel names (letters, digits, _) and the only string is a client
	 * id of printable ASCII, all checked by reading.c. */
	BSON_APPEND_BOOL(&opts, "validate", false);
	if (!mongoc_collection_insert_many(coll, ptrs, b->n, &opts, &reply, &e) &&
	    (e.domain != MONGOC_ERROR_SERVER && e.domain != MONGOC_ERROR_COMMAND &&
	    e.domain != MONGOC_ERROR_WRITE_CONCERN))
		rc = store_error_status(&e);
	dups = rc == STORE_OK ? count_duplicates(&reply) : 0;
	if (rc == STORE_OK && dups < 0) {
		log_error("readings insert: unexpected write error: %s", e.message);
		metrics_add(METRIC_DB_MONGO_ERROR, 1);
		rc = STORE_ERROR;
	}
	*stored = bson_iter_init_find(&it, &reply, "insertedCount") ? (size_t)bson_iter_as_int64(&it) : 0;
	*duplicates = dups > 0 ? (size_t)dups : 0;
	if (rc == STORE_OK && *stored + *duplicates != b->n) {
		log_error("readings insert: %zu stored + %zu duplicates of %zu", *stored, *duplicates, b->n);
		metrics_add(METRIC_DB_MONGO_ERROR, 1);
		rc = STORE_ERROR;
	}
	bson_destroy(&reply);
	bson_destroy(&opts);
	for (size_t i = 0; i < b->n; i++)
		bson_destroy(&docs[i]);
	bson_free(docs);
	bson_free(ptrs);
	return rc;
}

/* {d: id, t: {$gte: from, $lt: to}} */
static void append_range(bson_t *filter, const struct store_range *r)
{
	bson_t t;

	BSON_APPEND_INT64(filter, "d", r->device_id);
	if (r->from_ms == LLONG_MIN && r->to_ms == LLONG_MAX)
		return;
	BSON_APPEND_DOCUMENT_BEGIN(filter, "t", &t);
	if (r->from_ms != LLONG_MIN)
		BSON_APPEND_DATE_TIME(&t, "$gte", r->from_ms);
	if (r->to_ms != LLONG_MAX)
		BSON_APPEND_DATE_TIME(&t, "$lt", r->to_ms);
	bson_append_document_end(filter, &t);
}

/* $or: [{t: {$gt: ts}}, {t: ts, _id: {$gt: oid}}] ($lt when descending) */
static void append_after(bson_t *filter, const struct store_after *a, int desc)
{
	const char *op = desc ? "$lt" : "$gt";
	bson_t or, first, second, cmp;

	BSON_APPEND_ARRAY_BEGIN(filter, "$or", &or);
	BSON_APPEND_DOCUMENT_BEGIN(&or, "0", &first);
	BSON_APPEND_DOCUMENT_BEGIN(&first, "t", &cmp);
	BSON_APPEND_DATE_TIME(&cmp, op, a->ts_ms);
	bson_append_document_end(&first, &cmp);
	bson_append_document_end(&or, &first);
	BSON_APPEND_DOCUMENT_BEGIN(&or, "1", &second);
	BSON_APPEND_DATE_TIME(&second, "t", a->ts_ms);
	BSON_APPEND_DOCUMENT_BEGIN(&second, "_id", &cmp);
	BSON_APPEND_OID(&cmp, op, &a->oid);
	bson_append_document_end(&second, &cmp);
	bson_append_document_end(&or, &second);
	bson_append_array_end(filter, &or);
}

static void append_projection(bson_t *opts, const struct store_range *r)
{
	bson_t proj;
	char key[64];

	if (r->channels == NULL)
		return;
	BSON_APPEND_DOCUMENT_BEGIN(opts, "projection", &proj);
	BSON_APPEND_INT32(&proj, "t", 1);
	BSON_APPEND_INT32(&proj, "r", 1);
	BSON_APPEND_INT32(&proj, "c", 1);
	for (size_t i = 0; i < r->nchannels; i++) {
		snprintf(key, sizeof(key), "v.%s", r->channels[i]);
		BSON_APPEND_INT32(&proj, key, 1);
	}
	bson_append_document_end(opts, &proj);
}

/* Drains a cursor into fn; classifies a failure. */
static int drain(mongoc_cursor_t *cur, store_doc_fn fn, void *ctx)
{
	const bson_t *doc;
	bson_error_t e;
	int stop = 0;

	while (!stop && mongoc_cursor_next(cur, &doc))
		stop = fn(ctx, doc);
	if (!stop && mongoc_cursor_error(cur, &e)) {
		log_warn("readings query: %s", e.message);
		return store_error_status(&e);
	}
	return STORE_OK;
}

/* Runs a find on the readings and feeds every document to fn; the filter
 * and options stay the caller's. */
static int run_find(struct store *s, const bson_t *filter, const bson_t *opts, store_doc_fn fn, void *ctx)
{
	mongoc_collection_t *coll = store_readings_collection(s);
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(coll, filter, opts, NULL);
	int rc = drain(cur, fn, ctx);

	mongoc_cursor_destroy(cur);
	return rc;
}

int store_readings_find(struct store *s, const struct store_range *r, int desc,
    const struct store_after *after, size_t limit, store_doc_fn fn, void *ctx)
{
	bson_t filter = BSON_INITIALIZER, opts = BSON_INITIALIZER, sort;
	int rc;

	append_range(&filter, r);
	if (after != NULL && after->set)
		append_after(&filter, after, desc);
	BSON_APPEND_DOCUMENT_BEGIN(&opts, "sort", &sort);
	BSON_APPEND_INT32(&sort, "t", desc ? -1 : 1);
	BSON_APPEND_INT32(&sort, "_id", desc ? -1 : 1);
	bson_append_document_end(&opts, &sort);
	if (limit > 0)
		BSON_APPEND_INT64(&opts, "limit", (int64_t)limit);
	BSON_APPEND_INT32(&opts, "batchSize", limit > 0 && limit < 1000 ? (int32_t)limit : 1000);
	append_projection(&opts, r);
	rc = run_find(s, &filter, &opts, fn, ctx);
	bson_destroy(&filter);
	bson_destroy(&opts);
	return rc;
}

int store_readings_latest(struct store *s, long long device_id, store_doc_fn fn, void *ctx)
{
	struct store_range r = { device_id, LLONG_MIN, LLONG_MAX, NULL, 0 };

	return store_readings_find(s, &r, 1, NULL, 1, fn, ctx);
}

struct view_ctx {
	store_view_fn fn;
	void *ctx;
	int rc;                     /* what fn returned when it stopped the fetch */
};

static int view_doc(void *ctx, const bson_t *doc)
{
	struct view_ctx *c = ctx;
	struct store_reading_view v;

	store_reading_view(doc, &v);
	return c->rc = c->fn(c->ctx, &v);
}

/* ids_only: the documents carry _id and r alone (gauge-alertd's question
 * "anything not evaluated yet?" needs no values). */
static int received_since(struct store *s, const long long *devices, size_t n,
    long long since_ms, size_t limit, int ids_only, store_view_fn fn, void *ctx)
{
	struct view_ctx vc = { fn, ctx, 0 };
	bson_t filter = BSON_INITIALIZER, opts = BSON_INITIALIZER, d, in, r;
	char idx[24];
	int rc;

	BSON_APPEND_DOCUMENT_BEGIN(&filter, "d", &d);
	BSON_APPEND_ARRAY_BEGIN(&d, "$in", &in);
	for (size_t i = 0; i < n; i++) {
		snprintf(idx, sizeof(idx), "%zu", i);
		BSON_APPEND_INT64(&in, idx, devices[i]);
	}
	bson_append_array_end(&d, &in);
	bson_append_document_end(&filter, &d);
	BSON_APPEND_DOCUMENT_BEGIN(&filter, "r", &r);
	BSON_APPEND_DATE_TIME(&r, "$gte", since_ms);
	bson_append_document_end(&filter, &r);
	BCON_APPEND(&opts, "sort", "{", "r", BCON_INT32(1), "_id", BCON_INT32(1), "}");
	BSON_APPEND_INT64(&opts, "limit", (int64_t)limit);
	if (ids_only)
		BCON_APPEND(&opts, "projection", "{", "_id", BCON_INT32(1), "r", BCON_INT32(1), "}");
	rc = run_find(s, &filter, &opts, view_doc, &vc);
	bson_destroy(&filter);
	bson_destroy(&opts);
	return vc.rc != 0 ? vc.rc : rc;
}

int store_readings_received_since(struct store *s, const long long *devices, size_t n,
    long long since_ms, size_t limit, store_view_fn fn, void *ctx)
{
	return received_since(s, devices, n, since_ms, limit, 0, fn, ctx);
}

int store_readings_received_ids(struct store *s, const long long *devices, size_t n,
    long long since_ms, size_t limit, store_view_fn fn, void *ctx)
{
	return received_since(s, devices, n, since_ms, limit, 1, fn, ctx);
}

static const char *const agg_ops[] = { "$avg", "$min", "$max", "$sum", "$sum", "$first", "$last" };

/* Appends the next stage of a pipeline array; the caller fills and ends it. */
static void stage_begin(bson_t *pipeline, int *n, bson_t *stage)
{
	char key[16];

	snprintf(key, sizeof(key), "%d", (*n)++);
	bson_append_document_begin(pipeline, key, -1, stage);
}

static void append_channel_filter(bson_t *pipeline, int *n, const struct store_range *r)
{
	bson_t stage, match, in, arr;
	char idx[24];

	stage_begin(pipeline, n, &stage);
	BSON_APPEND_DOCUMENT_BEGIN(&stage, "$match", &match);
	BSON_APPEND_DOCUMENT_BEGIN(&match, "kv.k", &in);
	BSON_APPEND_ARRAY_BEGIN(&in, "$in", &arr);
	for (size_t i = 0; i < r->nchannels; i++) {
		snprintf(idx, sizeof(idx), "%zu", i);
		BSON_APPEND_UTF8(&arr, idx, r->channels[i]);
	}
	bson_append_array_end(&in, &arr);
	bson_append_document_end(&match, &in);
	bson_append_document_end(&stage, &match);
	bson_append_document_end(pipeline, &stage);
}

/* The stages shared by bucketing and channel discovery: $match the range,
 * $sort by time (so $first/$last mean earliest/latest), then one row per
 * channel value {b: bucket start, kv: {k, v}}. */
static void append_unwound(bson_t *pipeline, int *n, const struct store_range *r, long long interval_ms)
{
	bson_t stage, inner;

	stage_begin(pipeline, n, &stage);
	BSON_APPEND_DOCUMENT_BEGIN(&stage, "$match", &inner);
	append_range(&inner, r);
	bson_append_document_end(&stage, &inner);
	bson_append_document_end(pipeline, &stage);
	stage_begin(pipeline, n, &stage);
	BCON_APPEND(&stage, "$sort", "{", "t", BCON_INT32(1), "_id", BCON_INT32(1), "}");
	bson_append_document_end(pipeline, &stage);
	stage_begin(pipeline, n, &stage);
	BSON_APPEND_DOCUMENT_BEGIN(&stage, "$project", &inner);
	BSON_APPEND_INT32(&inner, "_id", 0);
	BCON_APPEND(&inner, "b", "{", "$subtract", "[",
	    "{", "$toLong", BCON_UTF8("$t"), "}",
	    "{", "$mod", "[", "{", "$toLong", BCON_UTF8("$t"), "}", BCON_INT64(interval_ms), "]", "}",
	    "]", "}");
	BCON_APPEND(&inner, "kv", "{", "$objectToArray", BCON_UTF8("$v"), "}");
	bson_append_document_end(&stage, &inner);
	bson_append_document_end(pipeline, &stage);
	stage_begin(pipeline, n, &stage);
	BSON_APPEND_UTF8(&stage, "$unwind", "$kv");
	bson_append_document_end(pipeline, &stage);
	if (r->channels != NULL)
		append_channel_filter(pipeline, n, r);
}

static int run_pipeline(struct store *s, const bson_t *pipeline, store_doc_fn fn, void *ctx)
{
	mongoc_collection_t *coll = store_readings_collection(s);
	bson_t opts = BSON_INITIALIZER;
	mongoc_cursor_t *cur;
	int rc;

	/* Large ranges may need to spill a $group to disk on a real server. */
	BSON_APPEND_BOOL(&opts, "allowDiskUse", true);
	cur = mongoc_collection_aggregate(coll, MONGOC_QUERY_NONE, pipeline, &opts, NULL);
	rc = drain(cur, fn, ctx);
	mongoc_cursor_destroy(cur);
	bson_destroy(&opts);
	return rc;
}

struct bucket_ctx {
	store_bucket_fn fn;
	void *ctx;
};

static int bucket_row(void *ctx, const bson_t *doc)
{
	struct bucket_ctx *c = ctx;
	bson_iter_t it, id;
	long long b = 0;
	const char *k = NULL;
	double x = 0;

	if (bson_iter_init_find(&it, doc, "_id") && BSON_ITER_HOLDS_DOCUMENT(&it) &&
	    bson_iter_recurse(&it, &id)) {
		while (bson_iter_next(&id)) {
			if (strcmp(bson_iter_key(&id), "b") == 0)
				b = bson_iter_as_int64(&id);
			else if (strcmp(bson_iter_key(&id), "k") == 0 && BSON_ITER_HOLDS_UTF8(&id))
				k = bson_iter_utf8(&id, NULL);
		}
	}
	if (bson_iter_init_find(&it, doc, "x"))
		x = BSON_ITER_HOLDS_DOUBLE(&it) ? bson_iter_double(&it) : (double)bson_iter_as_int64(&it);
	if (k == NULL)
		return 0;
	return c->fn(c->ctx, b, k, x);
}

int store_readings_buckets(struct store *s, const struct store_range *r,
    long long interval_ms, enum store_agg agg, size_t max_rows, store_bucket_fn fn, void *ctx)
{
	bson_t pipeline = BSON_INITIALIZER, stage;
	struct bucket_ctx c = { fn, ctx };
	int n = 0, rc;

	append_unwound(&pipeline, &n, r, interval_ms);
	stage_begin(&pipeline, &n, &stage);
	if (agg == AGG_COUNT)
		BCON_APPEND(&stage, "$group", "{", "_id", "{", "b", BCON_UTF8("$b"), "k", BCON_UTF8("$kv.k"), "}",
		    "x", "{", "$sum", BCON_INT32(1), "}", "}");
	else
		BCON_APPEND(&stage, "$group", "{", "_id", "{", "b", BCON_UTF8("$b"), "k", BCON_UTF8("$kv.k"), "}",
		    "x", "{", agg_ops[agg], BCON_UTF8("$kv.v"), "}", "}");
	bson_append_document_end(&pipeline, &stage);
	stage_begin(&pipeline, &n, &stage);
	BCON_APPEND(&stage, "$sort", "{", "_id.b", BCON_INT32(1), "_id.k", BCON_INT32(1), "}");
	bson_append_document_end(&pipeline, &stage);
	stage_begin(&pipeline, &n, &stage);
	BSON_APPEND_INT64(&stage, "$limit", (int64_t)max_rows);
	bson_append_document_end(&pipeline, &stage);
	rc = run_pipeline(s, &pipeline, bucket_row, &c);
	bson_destroy(&pipeline);
	return rc;
}

struct name_ctx {
	store_name_fn fn;
	void *ctx;
};

static int name_row(void *ctx, const bson_t *doc)
{
	struct name_ctx *c = ctx;
	bson_iter_t it;

	if (bson_iter_init_find(&it, doc, "_id") && BSON_ITER_HOLDS_UTF8(&it))
		return c->fn(c->ctx, bson_iter_utf8(&it, NULL));
	return 0;
}

int store_readings_channels(struct store *s, const struct store_range *r, size_t max,
    store_name_fn fn, void *ctx)
{
	bson_t pipeline = BSON_INITIALIZER, stage;
	struct name_ctx c = { fn, ctx };
	int n = 0, rc;

	append_unwound(&pipeline, &n, r, 1);
	stage_begin(&pipeline, &n, &stage);
	BCON_APPEND(&stage, "$group", "{", "_id", BCON_UTF8("$kv.k"), "}");
	bson_append_document_end(&pipeline, &stage);
	stage_begin(&pipeline, &n, &stage);
	BCON_APPEND(&stage, "$sort", "{", "_id", BCON_INT32(1), "}");
	bson_append_document_end(&pipeline, &stage);
	stage_begin(&pipeline, &n, &stage);
	BSON_APPEND_INT64(&stage, "$limit", (int64_t)max);
	bson_append_document_end(&pipeline, &stage);
	rc = run_pipeline(s, &pipeline, name_row, &c);
	bson_destroy(&pipeline);
	return rc;
}

/* One delete_many; *deleted: how many went. */
static int delete_matching(struct store *s, const bson_t *filter, long long *deleted)
{
	mongoc_collection_t *coll = store_readings_collection(s);
	bson_t reply;
	bson_error_t e;
	bson_iter_t it;
	int rc = STORE_OK;

	if (!mongoc_collection_delete_many(coll, filter, NULL, &reply, &e)) {
		log_warn("readings delete: %s", e.message);
		rc = store_error_status(&e);
	}
	*deleted = bson_iter_init_find(&it, &reply, "deletedCount") ? bson_iter_as_int64(&it) : 0;
	bson_destroy(&reply);
	return rc;
}

int store_readings_delete(struct store *s, const struct store_range *r, long long *deleted)
{
	bson_t filter = BSON_INITIALIZER;
	int rc;

	append_range(&filter, r);
	rc = delete_matching(s, &filter, deleted);
	bson_destroy(&filter);
	return rc;
}

struct oids_ctx {
	bson_t ids;                 /* an array: "0", "1", ... */
	size_t n;
};

static int oid_add(void *ctx, const bson_t *doc)
{
	struct oids_ctx *c = ctx;
	bson_iter_t it;
	char key[24];

	if (bson_iter_init_find(&it, doc, "_id") && BSON_ITER_HOLDS_OID(&it)) {
		snprintf(key, sizeof(key), "%zu", c->n++);
		BSON_APPEND_OID(&c->ids, key, bson_iter_oid(&it));
	}
	return 0;
}

/* MongoDB's delete has no limit beyond "one", so a batch is the ids of the
 * oldest readings (an indexed, sorted, limited find on {d, t, _id}), then
 * one delete of those ids that repeats the device and time condition, so
 * it can never reach a reading that is not due. */
int store_readings_delete_batch(struct store *s, long long device_id, long long before_ms,
    size_t limit, long long *deleted)
{
	struct store_range r = { device_id, LLONG_MIN, before_ms, NULL, 0 };
	bson_t find = BSON_INITIALIZER, opts = BSON_INITIALIZER, filter = BSON_INITIALIZER, sort, proj, id;
	struct oids_ctx c = { BSON_INITIALIZER, 0 };
	int rc;

	*deleted = 0;
	append_range(&find, &r);
	BSON_APPEND_DOCUMENT_BEGIN(&opts, "sort", &sort);
	BSON_APPEND_INT32(&sort, "t", 1);
	BSON_APPEND_INT32(&sort, "_id", 1);
	bson_append_document_end(&opts, &sort);
	BSON_APPEND_DOCUMENT_BEGIN(&opts, "projection", &proj);
	BSON_APPEND_INT32(&proj, "_id", 1);
	bson_append_document_end(&opts, &proj);
	BSON_APPEND_INT64(&opts, "limit", (int64_t)limit);
	BSON_APPEND_INT32(&opts, "batchSize", limit < 1000 ? (int32_t)limit : 1000);
	rc = run_find(s, &find, &opts, oid_add, &c);
	if (rc == STORE_OK && c.n > 0) {
		append_range(&filter, &r);
		BSON_APPEND_DOCUMENT_BEGIN(&filter, "_id", &id);
		BSON_APPEND_ARRAY(&id, "$in", &c.ids);
		bson_append_document_end(&filter, &id);
		rc = delete_matching(s, &filter, deleted);
	}
	bson_destroy(&find);
	bson_destroy(&opts);
	bson_destroy(&filter);
	bson_destroy(&c.ids);
	return rc;
}

void store_reading_view(const bson_t *doc, struct store_reading_view *v)
{
	bson_iter_t it;

	memset(v, 0, sizeof(*v));
	if (!bson_iter_init(&it, doc))
		return;
	while (bson_iter_next(&it)) {
		const char *k = bson_iter_key(&it);

		if (strcmp(k, "d") == 0 && BSON_ITER_HOLDS_NUMBER(&it))
			v->device_id = bson_iter_as_int64(&it);
		else if (strcmp(k, "t") == 0 && BSON_ITER_HOLDS_DATE_TIME(&it))
			v->ts_ms = bson_iter_date_time(&it);
		else if (strcmp(k, "r") == 0 && BSON_ITER_HOLDS_DATE_TIME(&it))
			v->received_ms = bson_iter_date_time(&it);
		else if (strcmp(k, "c") == 0 && BSON_ITER_HOLDS_UTF8(&it))
			v->id = bson_iter_utf8(&it, NULL);
		else if (strcmp(k, "_id") == 0 && BSON_ITER_HOLDS_OID(&it))
			bson_oid_copy(bson_iter_oid(&it), &v->oid);
		else if (strcmp(k, "v") == 0 && BSON_ITER_HOLDS_DOCUMENT(&it))
			v->has_values = bson_iter_recurse(&it, &v->values);
	}
}

int store_reading_value(const struct store_reading_view *v, const char *channel, double *out)
{
	bson_iter_t val = v->values;

	if (!v->has_values || !bson_iter_find(&val, channel) || !BSON_ITER_HOLDS_NUMBER(&val))
		return -1;
	*out = bson_iter_as_double(&val);
	return 0;
}
