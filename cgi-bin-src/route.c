/*
 * route.c - table-driven path matching (see route.h).
 */
#include "route.h"

#include <stdio.h>
#include <string.h>

#include "req.h"

static const struct {
	unsigned m;
	const char *name;
} route_method_names[] = {
	{ METHOD_GET, "GET" }, { METHOD_HEAD, "HEAD" }, { METHOD_POST, "POST" },
	{ METHOD_PUT, "PUT" }, { METHOD_DELETE, "DELETE" },
	{ METHOD_PATCH, "PATCH" }, { METHOD_OPTIONS, "OPTIONS" },
};

/* Matches one pattern against path; captures go into m (arena-owned). */
static int route_match_one(const char *pat, const char *path, struct req *r,
    struct route_match *m)
{
	m->nparams = 0;
	while (*pat != '\0' && *path != '\0') {
		if (*pat == '{') {
			const char *pend = strchr(pat, '}');
			size_t n = strcspn(path, "/");

			if (pend == NULL || n == 0 || m->nparams == ROUTE_MAX_PARAMS)
				return 0;
			if ((m->params[m->nparams++] = arena_strndup(&r->arena, path, n)) == NULL)
				return 0;
			pat = pend + 1;
			path += n;
		} else if (*pat++ != *path++) {
			return 0;
		}
	}
	return *pat == '\0' && *path == '\0';
}

const struct route *route_find(const struct route *table, size_t n,
    struct req *r, struct route_match *m, unsigned *allowed)
{
	*allowed = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned methods = table[i].methods;

		/* HEAD is answered wherever GET is, with the body suppressed. */
		if (methods & METHOD_GET)
			methods |= METHOD_HEAD;
		if (!route_match_one(table[i].pattern, r->path, r, m))
			continue;
		if (methods & r->method)
			return &table[i];
		*allowed |= methods;
	}
	return NULL;
}

void route_allow_header(unsigned methods, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(route_method_names) / sizeof(route_method_names[0]); i++) {
		int w;

		if (!(methods & route_method_names[i].m))
			continue;
		w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
		    route_method_names[i].name);
		if (w < 0 || (size_t)w >= len - used)
			return;
		used += (size_t)w;
	}
}
