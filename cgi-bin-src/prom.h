/*
 * prom.h - the Prometheus text exposition format (version 0.0.4), written
 * into a growing buffer: a family's HELP and TYPE lines, then its samples.
 *
 * Label values are escaped here (backslash, double quote, newline), so a
 * caller may pass any string it read, e.g. an instance name from MySQL.
 * Out of memory is remembered and reported once, by prom_failed().
 */
#ifndef GAUGE_PROM_H
#define GAUGE_PROM_H

#include <stddef.h>
#include <stdint.h>

struct prom {
	char *buf;                  /* owned; prom_free() */
	size_t len, cap;
	int failed;
};

/* "counter", "gauge" or "histogram"; help is one line of plain text. */
void prom_family(struct prom *p, const char *name, const char *type, const char *help);
/* labels: name/value pairs, NULL-terminated (NULL alone: no labels). */
void prom_uint(struct prom *p, const char *name, const char *const *labels, uint64_t v);
void prom_double(struct prom *p, const char *name, const char *const *labels, double v);
int  prom_failed(const struct prom *p);
void prom_free(struct prom *p);

#endif
