/*
 * arena.h - per-request memory: many small allocations, one owner, one free.
 *
 * Every string derived from a request (decoded path, query values, headers,
 * cookies, body) lives in the request's arena, so handlers never free
 * anything they read from a request and nothing leaks when a request fails
 * half-way through parsing.
 */
#ifndef GAUGE_ARENA_H
#define GAUGE_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
};

void  arena_init(struct arena *a);
void  arena_free(struct arena *a);
/* Returns zeroed memory owned by the arena; NULL only when out of memory. */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
/* Formats into the arena, whatever the length: nothing is cut to fit. */
char *arena_sprintf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
