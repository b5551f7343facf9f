/*
 * version.c - the build's version string (see version.h).
 *
 * Its own file so that a new commit recompiles one line, not every module.
 */
#include "version.h"

#ifndef GAUGE_VERSION
#define GAUGE_VERSION "unknown"
#endif

const char gauge_version[] = GAUGE_VERSION;
