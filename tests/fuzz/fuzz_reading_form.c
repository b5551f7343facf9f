/*
 * fuzz_reading_form.c - reading_parse_form(): a reading posted as an HTML
 * form (application/x-www-form-urlencoded), decoded by
 * req_parse_urlencoded() first, as req_parse() does for the ingest handler.
 *
 * A form that parses gives exactly one reading obeying reading.h
 * (check_batch), holding every channel field of the form with the value
 * strtod() reads from it, and nothing else.
 */
#include "arena.h"
#include "reading_check.h"
#include "req.h"

static int special(const char *k)
{
	return strcmp(k, "ts") == 0 || strcmp(k, "id") == 0 || strcmp(k, "api_key") == 0;
}

static void check_channels(const struct kvlist *form, const struct batch *b)
{
	const struct reading *rd = &b->items[0];
	size_t channels = 0;

	INVARIANT(b->n == 1, "a form gave %zu readings", b->n);
	for (size_t i = 0; i < form->n; i++) {
		const struct kv *f = &form->items[i];
		size_t j;

		if (special(f->key))
			continue;
		channels++;
		for (j = 0; j < rd->n && strcmp(rd->values[j].name, f->key) != 0; j++)
			;
		INVARIANT(j < rd->n, "form field %s is not in the reading", f->key);
		INVARIANT(rd->values[j].v == strtod(f->val, NULL), "%s=%s read as %.17g", f->key,
		    f->val, rd->values[j].v);
	}
	INVARIANT(channels == rd->n, "%zu channel fields, %zu channels", channels, rd->n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kvlist form = { NULL, 0, 0 };
	struct reading_error err;
	struct batch b;
	struct arena a;

	arena_init(&a);
	memset(&err, 0, sizeof(err));
	if (req_parse_urlencoded(&a, (const char *)data, size, &form) == 0) {
		if (reading_parse_form(&a, &form, FUZZ_NOW_MS, TS_UNIT_MS, &b, &err) == 0) {
			check_batch(&b, FUZZ_NOW_MS);
			check_channels(&form, &b);
		} else {
			check_refusal(&err);
		}
	}
	arena_free(&a);
	return 0;
}
