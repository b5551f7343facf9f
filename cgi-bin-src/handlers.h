/*
 * handlers.h - every request handler, one per route (see app.c).
 * api_*.c answer JSON; page_*.c render HTML.
 */
#ifndef GAUGE_HANDLERS_H
#define GAUGE_HANDLERS_H

#include "route.h"

int api_healthz(struct app *app, struct req *r, struct resp *rs, const struct route_match *m);
int page_home(struct app *app, struct req *r, struct resp *rs, const struct route_match *m);

#endif
