/*
 * fuzz.h - what every libFuzzer harness under tests/fuzz/ shares.
 *
 * A harness feeds one parser the bytes a client could send and then checks
 * what the parser promised, not only that it did not crash: a parsed value
 * is in range, a refusal says why, a formatted value parses back to itself.
 * A broken promise aborts, which libFuzzer reports like a crash and saves
 * the input under build/fuzz/crash/ (see README.md).
 */
#ifndef GAUGE_FUZZ_H
#define GAUGE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stops the run when a parser breaks a promise; says which, and where. */
#define INVARIANT(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: invariant broken: %s: ", __FILE__, __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
		abort(); \
	} \
} while (0)

/* The input as a C string of its own (malloc'd; the caller frees), as the
 * web server hands text to the application: it stops at a NUL byte. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* The same instant for every run, so a failure reproduces: 2026-11-24T18:00:00Z. */
#define FUZZ_NOW_MS 1795543200000LL

#endif
