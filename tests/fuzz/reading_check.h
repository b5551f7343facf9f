/*
 * reading_check.h - what a parsed batch and a refusal promise (reading.h),
 * shared by the JSON and form ingest harnesses.
 */
#ifndef GAUGE_FUZZ_READING_CHECK_H
#define GAUGE_FUZZ_READING_CHECK_H

#include <math.h>

#include "fuzz.h"
#include "reading.h"

/* 1..READING_BATCH_MAX readings, each at a time the server accepts, with a
 * valid client id if any and 1..READING_CHANNELS_MAX distinct, well-named
 * channels of finite values. */
static void check_batch(const struct batch *b, long long now_ms)
{
	INVARIANT(b->n >= 1 && b->n <= READING_BATCH_MAX && b->items != NULL, "%zu readings", b->n);
	for (size_t i = 0; i < b->n; i++) {
		const struct reading *rd = &b->items[i];

		INVARIANT(rd->ts_ms >= READING_EPOCH_MIN_MS && rd->ts_ms <= now_ms + READING_FUTURE_MS,
		    "reading %zu at %lld", i, rd->ts_ms);
		if (rd->id != NULL) {
			size_t n = strlen(rd->id);

			INVARIANT(n >= 1 && n <= READING_ID_LEN, "reading %zu id of %zu bytes", i, n);
			for (size_t j = 0; j < n; j++)
				INVARIANT(rd->id[j] > 0x20 && rd->id[j] < 0x7f, "reading %zu id byte %zu", i, j);
		}
		INVARIANT(rd->n >= 1 && rd->n <= READING_CHANNELS_MAX, "reading %zu has %zu channels", i, rd->n);
		for (size_t j = 0; j < rd->n; j++) {
			INVARIANT(rd->values[j].name != NULL && channel_name_ok(rd->values[j].name),
			    "reading %zu channel %zu name", i, j);
			INVARIANT(isfinite(rd->values[j].v), "reading %zu %s not finite", i, rd->values[j].name);
			for (size_t k = 0; k < j; k++)
				INVARIANT(strcmp(rd->values[k].name, rd->values[j].name) != 0,
				    "reading %zu has channel %s twice", i, rd->values[j].name);
		}
	}
}

/* A refusal is a client error with a code, a message and, when it names
 * a reading, that reading's index. */
static void check_refusal(const struct reading_error *err)
{
	INVARIANT(err->status == 400 || err->status == 413 || err->status == 422,
	    "refused with status %d", err->status);
	INVARIANT(err->code != NULL && err->message[0] != '\0', "refusal without code or message");
	INVARIANT(err->index >= -1 && err->index < READING_BATCH_MAX, "index %ld", err->index);
}

#endif
