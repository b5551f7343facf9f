/*
 * readings_out.c - reading query results (see readings_out.h).
 *
 * JSON pages are bounded (at most QUERY_LIMIT_MAX readings) and built in
 * memory, as text: a json-c tree of a thousand readings cost seven times
 * what writing the same bytes into one reused printbuf does, so pages are
 * written straight from the BSON (readings_json_write, held byte for byte
 * to readings_json's output by tests/unit/test_readings_out.c).  CSV is never bounded: rows are written as the MongoDB cursor
 * yields them, so an export of years of data uses the same memory as an
 * export of an hour.  Because a CSV header must name every column first,
 * the channels present in the range are found by one aggregation before
 * the rows are streamed (or taken from channels=).
 */
#include "readings_out.h"

#include <json-c/json.h>
#include <json-c/printbuf.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "api_json.h"
#include "log.h"
#include "resp.h"
#include "ts.h"

#define CSV_CHANNELS_MAX 256

struct json_object *readings_json(const bson_t *doc)
{
	struct json_object *o = json_object_new_object(), *vals = json_object_new_object();
	struct store_reading_view v;

	store_reading_view(doc, &v);
	json_object_object_add(o, "ts", api_time(v.ts_ms));
	json_object_object_add(o, "received_at", api_time(v.received_ms));
	if (v.id != NULL)
		json_object_object_add(o, "id", json_object_new_string(v.id));
	while (v.has_values && bson_iter_next(&v.values))
		if (BSON_ITER_HOLDS_NUMBER(&v.values))
			json_object_object_add(vals, bson_iter_key(&v.values),
			    api_number(bson_iter_as_double(&v.values)));
	json_object_object_add(o, "values", vals);
	return o;
}

/* Appends a string constant. */
#define PB_LIT(pb, lit) printbuf_memappend((pb), (lit), (int)sizeof(lit) - 1)

/*
 * One reading is assembled in a local line and appended to the page in one
 * piece (a printbuf_memappend per field cost more than the field).  Keys
 * and the client id go in as they are when nothing in them needs escaping,
 * which is always for what ingest admits; otherwise the line is flushed
 * and api_json_put_string() escapes them.
 */
struct line {
	struct printbuf *pb;
	char buf[1024];
	size_t n;
	int rc;
};

static void line_flush(struct line *l)
{
	if (l->n > 0 && printbuf_memappend(l->pb, l->buf, (int)l->n) < 0)
		l->rc = -1;
	l->n = 0;
}

static void line_put(struct line *l, const char *s, size_t n)
{
	if (l->n + n > sizeof(l->buf)) {
		line_flush(l);
		if (n > sizeof(l->buf)) {
			if (printbuf_memappend(l->pb, s, (int)n) < 0)
				l->rc = -1;
			return;
		}
	}
	memcpy(l->buf + l->n, s, n);
	l->n += n;
}

#define LINE_LIT(l, lit) line_put((l), (lit), sizeof(lit) - 1)

static void line_time(struct line *l, long long ms)
{
	char ts[TS_LEN + 2];
	size_t n;

	ts[0] = '"';
	ts_format(ms, ts + 1);
	n = strlen(ts);
	ts[n] = '"';
	line_put(l, ts, n + 1);
}

static void line_string(struct line *l, const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if ((unsigned char)s[n] < 0x20 || s[n] == '"' || s[n] == '\\')
			break;
	if (s[n] == '\0' && n < 256) {
		line_put(l, "\"", 1);
		line_put(l, s, n);
		line_put(l, "\"", 1);
		return;
	}
	line_flush(l);
	if (api_json_put_string(l->pb, s) != 0)
		l->rc = -1;
}

static int readings_json_view(struct printbuf *pb, struct store_reading_view *v)
{
	struct line l;
	char num[32];
	int first = 1;

	l.pb = pb;
	l.n = 0;
	l.rc = 0;
	LINE_LIT(&l, "{\"ts\":");
	line_time(&l, v->ts_ms);
	LINE_LIT(&l, ",\"received_at\":");
	line_time(&l, v->received_ms);
	if (v->id != NULL) {
		LINE_LIT(&l, ",\"id\":");
		line_string(&l, v->id);
	}
	LINE_LIT(&l, ",\"values\":{");
	while (v->has_values && bson_iter_next(&v->values)) {
		if (!BSON_ITER_HOLDS_NUMBER(&v->values))
			continue;
		if (!first)
			LINE_LIT(&l, ",");
		first = 0;
		line_string(&l, bson_iter_key(&v->values));
		LINE_LIT(&l, ":");
		api_fmt_double(bson_iter_as_double(&v->values), num);
		line_put(&l, num, strlen(num));
	}
	LINE_LIT(&l, "}}");
	line_flush(&l);
	return l.rc;
}

int readings_json_write(struct printbuf *pb, const bson_t *doc)
{
	struct store_reading_view v;

	store_reading_view(doc, &v);
	return readings_json_view(pb, &v);
}

static int unavailable(struct resp *rs)
{
	return api_error(rs, 503, "unavailable", "Readings are temporarily unavailable. Try again.");
}

struct page_ctx {
	struct printbuf *pb;
	size_t n;
	long long last_ts;
	bson_oid_t last_oid;
	int oom;
};

static int page_doc(void *ctx, const bson_t *doc)
{
	struct page_ctx *c = ctx;
	struct store_reading_view v;

	store_reading_view(doc, &v);
	/* The view is read before it is written: writing walks its values. */
	c->last_ts = v.ts_ms;
	bson_oid_copy(&v.oid, &c->last_oid);
	if ((c->n > 0 && PB_LIT(c->pb, ",") < 0) || readings_json_view(c->pb, &v) != 0) {
		c->oom = 1;
		return 1;
	}
	c->n++;
	return 0;
}

/* The link to the next page: the same query, continuing after the last
 * (t, _id) seen; null after the last page.  Only digits and identifiers go
 * into it, escaped all the same. */
static int page_next(struct printbuf *pb, const char *uid, const struct readings_query *q,
    const struct page_ctx *c)
{
	char link[1024], cursor[48];
	int n;

	if (c->n < q->limit)
		return PB_LIT(pb, "null") < 0 ? -1 : 0;
	readings_cursor_format(c->last_ts, &c->last_oid, cursor);
	n = snprintf(link, sizeof(link), "/api/v1/devices/%s/readings?limit=%zu&order=%s&cursor=%s",
	    uid, q->limit, q->desc ? "desc" : "asc", cursor);
	if (q->has_from)
		n += snprintf(link + n, sizeof(link) - (size_t)n, "&from=%lld", q->range.from_ms);
	if (q->has_to)
		n += snprintf(link + n, sizeof(link) - (size_t)n, "&to=%lld", q->range.to_ms);
	for (size_t i = 0; i < q->range.nchannels; i++)
		n += snprintf(link + n, sizeof(link) - (size_t)n, "%s%s",
		    i == 0 ? "&channels=" : ",", q->channels[i]);
	return api_json_put_string(pb, link);
}

/* The worker's page buffer, kept between requests so a page costs no
 * allocation once the first has grown it; one that grew past a megabyte
 * is given back rather than kept for the worker's life. */
static struct printbuf *page_buf;

static struct printbuf *page_buf_get(void)
{
	if (page_buf == NULL)
		page_buf = printbuf_new();
	else
		printbuf_reset(page_buf);
	return page_buf;
}

static void page_buf_done(void)
{
	if (page_buf != NULL && page_buf->size > (1 << 20)) {
		printbuf_free(page_buf);
		page_buf = NULL;
	}
}

int readings_out_page(struct store *s, struct resp *rs, const char *uid,
    const struct readings_query *q)
{
	struct page_ctx c = { page_buf_get(), 0, 0, { { 0 } }, 0 };
	int rc;

	if (c.pb == NULL)
		return unavailable(rs);
	if (PB_LIT(c.pb, "{\"device\":") < 0 || api_json_put_string(c.pb, uid) != 0 ||
	    PB_LIT(c.pb, ",\"readings\":[") < 0)
		c.oom = 1;
	rc = c.oom ? STORE_OK : store_readings_find(s, &q->range, q->desc, &q->after, q->limit, page_doc, &c);
	if (rc == STORE_OK && !c.oom &&
	    (PB_LIT(c.pb, "],\"next\":") < 0 || page_next(c.pb, uid, q, &c) != 0 || PB_LIT(c.pb, "}") < 0))
		c.oom = 1;
	if (rc != STORE_OK || c.oom) {
		page_buf_done();
		if (c.oom)
			log_error("readings page: out of memory");
		return unavailable(rs);
	}
	resp_json_text(rs, 200, c.pb->buf, (size_t)printbuf_length(c.pb));
	page_buf_done();
	return 200;
}

struct bucket_json_ctx {
	struct json_object *arr, *cur_vals;
	long long cur;
};

static int bucket_json(void *ctx, long long b, const char *ch, double x)
{
	struct bucket_json_ctx *c = ctx;

	if (c->cur_vals == NULL || b != c->cur) {
		struct json_object *row = json_object_new_object();

		c->cur_vals = json_object_new_object();
		c->cur = b;
		json_object_object_add(row, "ts", api_time(b));
		json_object_object_add(row, "values", c->cur_vals);
		json_object_array_add(c->arr, row);
	}
	json_object_object_add(c->cur_vals, ch, api_number(x));
	return 0;
}

static const char *const agg_names[] = { "avg", "min", "max", "sum", "count", "first", "last" };

int readings_out_buckets(struct store *s, struct resp *rs, const char *uid,
    const struct readings_query *q)
{
	struct bucket_json_ctx c = { json_object_new_array(), NULL, 0 };
	struct json_object *o;

	if (q->csv)
		return readings_out_csv(s, rs, uid, q);
	if (store_readings_buckets(s, &q->range, q->interval_ms, q->agg,
	    (size_t)QUERY_BUCKETS_MAX * READING_CHANNELS_MAX, bucket_json, &c) != STORE_OK) {
		json_object_put(c.arr);
		return unavailable(rs);
	}
	o = json_object_new_object();
	json_object_object_add(o, "device", json_object_new_string(uid));
	json_object_object_add(o, "interval", json_object_new_string(q->interval_text));
	json_object_object_add(o, "agg", json_object_new_string(agg_names[q->agg]));
	json_object_object_add(o, "from", api_time(q->range.from_ms));
	json_object_object_add(o, "to", api_time(q->range.to_ms));
	json_object_object_add(o, "buckets", c.arr);
	return api_send(rs, 200, o);
}

/* ---- CSV ---------------------------------------------------------------- */

struct csv_ctx {
	struct resp *rs;
	const char *cols[CSV_CHANNELS_MAX];
	char names[CSV_CHANNELS_MAX][READING_CHANNEL_LEN + 1];
	size_t ncols;
	int failed;
	/* downsampled rows are assembled one bucket at a time */
	long long cur;
	int have_cur;
	double vals[CSV_CHANNELS_MAX];
	unsigned char set[CSV_CHANNELS_MAX];
};

static int csv_add_col(void *ctx, const char *name)
{
	struct csv_ctx *c = ctx;

	if (c->ncols == CSV_CHANNELS_MAX)
		return 1;
	snprintf(c->names[c->ncols], sizeof(c->names[0]), "%s", name);
	c->cols[c->ncols] = c->names[c->ncols];
	c->ncols++;
	return 0;
}

static void csv_put(struct csv_ctx *c, const char *s, size_t n)
{
	if (!c->failed && resp_write(c->rs, s, n) != 0)
		c->failed = 1;
}

static void csv_header(struct csv_ctx *c, int raw)
{
	csv_put(c, raw ? "ts,received_at,id" : "ts", raw ? 17 : 2);
	for (size_t i = 0; i < c->ncols; i++) {
		csv_put(c, ",", 1);
		csv_put(c, c->cols[i], strlen(c->cols[i]));
	}
	csv_put(c, "\r\n", 2);
}

/* RFC 4180: quote a field holding a comma or a quote, doubling quotes. */
static size_t csv_field(char *out, size_t room, const char *s)
{
	size_t o = 0;

	if (strpbrk(s, ",\"") == NULL)
		return (size_t)snprintf(out, room, "%s", s);
	out[o++] = '"';
	for (; *s != '\0' && o + 3 < room; s++) {
		if (*s == '"')
			out[o++] = '"';
		out[o++] = *s;
	}
	out[o++] = '"';
	out[o] = '\0';
	return o;
}

static int csv_raw_row(void *ctx, const bson_t *doc)
{
	struct csv_ctx *c = ctx;
	struct store_reading_view v;
	char line[CSV_CHANNELS_MAX * 28 + 256], num[32], ts[TS_LEN];
	size_t n;

	store_reading_view(doc, &v);
	ts_format(v.ts_ms, ts);
	n = (size_t)snprintf(line, sizeof(line), "%s,", ts);
	ts_format(v.received_ms, ts);
	n += (size_t)snprintf(line + n, sizeof(line) - n, "%s,", ts);
	if (v.id != NULL)
		n += csv_field(line + n, sizeof(line) - n, v.id);
	for (size_t i = 0; i < c->ncols; i++) {
		bson_iter_t it;

		line[n++] = ',';
		it = v.values;  /* a fresh copy: positioned before the first channel */
		if (v.has_values && bson_iter_find(&it, c->cols[i]) && BSON_ITER_HOLDS_NUMBER(&it))
			n += (size_t)snprintf(line + n, sizeof(line) - n, "%s",
			    api_fmt_double(bson_iter_as_double(&it), num));
	}
	line[n++] = '\r';
	line[n++] = '\n';
	csv_put(c, line, n);
	return c->failed;
}

static void csv_flush_bucket(struct csv_ctx *c)
{
	char line[CSV_CHANNELS_MAX * 28 + 64], num[32], ts[TS_LEN];
	size_t n;

	if (!c->have_cur)
		return;
	ts_format(c->cur, ts);
	n = (size_t)snprintf(line, sizeof(line), "%s", ts);
	for (size_t i = 0; i < c->ncols; i++) {
		line[n++] = ',';
		if (c->set[i])
			n += (size_t)snprintf(line + n, sizeof(line) - n, "%s", api_fmt_double(c->vals[i], num));
	}
	line[n++] = '\r';
	line[n++] = '\n';
	csv_put(c, line, n);
	memset(c->set, 0, sizeof(c->set));
}

static int csv_bucket(void *ctx, long long b, const char *ch, double x)
{
	struct csv_ctx *c = ctx;

	if (!c->have_cur || b != c->cur) {
		csv_flush_bucket(c);
		c->cur = b;
		c->have_cur = 1;
	}
	for (size_t i = 0; i < c->ncols; i++)
		if (strcmp(c->cols[i], ch) == 0) {
			c->vals[i] = x;
			c->set[i] = 1;
		}
	return c->failed;
}

int readings_out_csv(struct store *s, struct resp *rs, const char *uid,
    const struct readings_query *q)
{
	struct csv_ctx c;
	char disposition[96];
	int rc;

	memset(&c, 0, sizeof(c));
	c.rs = rs;
	if (q->range.channels != NULL) {
		for (size_t i = 0; i < q->range.nchannels; i++)
			csv_add_col(&c, q->channels[i]);
	} else if (store_readings_channels(s, &q->range, CSV_CHANNELS_MAX, csv_add_col, &c) != STORE_OK) {
		return unavailable(rs);
	}
	snprintf(disposition, sizeof(disposition), "attachment; filename=\"%s.csv\"", uid);
	resp_header(rs, "Content-Disposition", disposition);
	resp_start(rs, 200, "text/csv; charset=utf-8");
	csv_header(&c, q->interval_ms == 0);
	if (q->interval_ms == 0)
		rc = store_readings_find(s, &q->range, q->desc, NULL, 0, csv_raw_row, &c);
	else
		rc = store_readings_buckets(s, &q->range, q->interval_ms, q->agg,
		    (size_t)QUERY_BUCKETS_MAX * READING_CHANNELS_MAX, csv_bucket, &c);
	csv_flush_bucket(&c);
	/* The status is already sent: a failure can only cut the file short. */
	if (rc != STORE_OK || c.failed)
		log_warn("csv export of %s ended early", uid);
	return 200;
}
