/*
 * route.h - routes are a table of (methods, pattern, handler); matching is a
 * lookup, not a chain of strcmp()s in handlers.
 *
 * A pattern is a path whose segments are literals or {name} captures, e.g.
 * "/api/v1/devices/{device}/readings".  Captured segments are handed to the
 * handler in order.
 */
#ifndef GAUGE_ROUTE_H
#define GAUGE_ROUTE_H

#include <stddef.h>

struct app;
struct req;
struct resp;

#define ROUTE_MAX_PARAMS 4

struct route_match {
	const char *params[ROUTE_MAX_PARAMS];
	size_t nparams;
};

typedef int (*route_fn)(struct app *app, struct req *r, struct resp *rs,
    const struct route_match *m);

struct route {
	unsigned methods;       /* bitwise or of enum method */
	const char *pattern;
	route_fn fn;
};

/* The route for r, or NULL.  When the path matched but the method did not,
 * *allowed holds the methods the path does accept (for 405 + Allow). */
const struct route *route_find(const struct route *table, size_t n,
    struct req *r, struct route_match *m, unsigned *allowed);
/* Writes "GET, HEAD, POST" style text for an Allow header. */
void route_allow_header(unsigned methods, char *buf, size_t len);

#endif
