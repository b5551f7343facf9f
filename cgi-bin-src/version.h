/*
 * version.h - which build this is, for --version and the startup log line.
 *
 * The GNUmakefile compiles version.c with -DGAUGE_VERSION set from
 * `git describe --always --dirty` in a git checkout, from the VERSION file
 * of a release tarball otherwise, or "unknown".
 */
#ifndef GAUGE_VERSION_H
#define GAUGE_VERSION_H

extern const char gauge_version[];

#endif
