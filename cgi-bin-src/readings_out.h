/*
 * readings_out.h - writing reading query results: a JSON page with its
 * next link, downsampled buckets as JSON, and CSV exports streamed in
 * constant memory whatever the range.
 */
#ifndef GAUGE_READINGS_OUT_H
#define GAUGE_READINGS_OUT_H

#include "readings_query.h"

struct resp;
struct store;
struct json_object;

/* Each returns the HTTP status it sent. */
int readings_out_page(struct store *s, struct resp *rs, const char *uid,
    const struct readings_query *q);
int readings_out_buckets(struct store *s, struct resp *rs, const char *uid,
    const struct readings_query *q);
int readings_out_csv(struct store *s, struct resp *rs, const char *uid,
    const struct readings_query *q);

/* A reading document as the API shows it: {ts, received_at, id, values}. */
struct json_object *readings_json(const bson_t *doc);
/* The same reading appended to pb as the JSON text json-c would write for
 * readings_json(doc), byte for byte.  0, or -1 when out of memory. */
struct printbuf;
int readings_json_write(struct printbuf *pb, const bson_t *doc);

#endif
