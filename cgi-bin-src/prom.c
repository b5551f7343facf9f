/*
 * prom.c - Prometheus text format writer (see prom.h).
 */
#include "prom.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void prom_grow(struct prom *p, size_t more)
{
	size_t cap = p->cap ? p->cap : 4096;
	char *b;

	if (p->failed || p->len + more < p->cap)
		return;
	while (cap <= p->len + more)
		cap *= 2;
	if ((b = realloc(p->buf, cap)) == NULL) {
		p->failed = 1;
		return;
	}
	p->buf = b;
	p->cap = cap;
}

static void prom_put(struct prom *p, const char *s, size_t n)
{
	prom_grow(p, n + 1);
	if (p->failed)
		return;
	memcpy(p->buf + p->len, s, n);
	p->len += n;
	p->buf[p->len] = '\0';
}

static void prom_str(struct prom *p, const char *s)
{
	prom_put(p, s, strlen(s));
}

__attribute__((format(printf, 2, 3)))
static void prom_printf(struct prom *p, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		prom_put(p, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* A label value: \ " and newline escaped, as the format requires. */
static void prom_escaped(struct prom *p, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			prom_str(p, "\\\\");
		else if (*s == '"')
			prom_str(p, "\\\"");
		else if (*s == '\n')
			prom_str(p, "\\n");
		else
			prom_put(p, s, 1);
	}
}

void prom_family(struct prom *p, const char *name, const char *type, const char *help)
{
	prom_str(p, "# HELP ");
	prom_str(p, name);
	prom_str(p, " ");
	prom_str(p, help);          /* ours, one line, no backslashes */
	prom_str(p, "\n# TYPE ");
	prom_str(p, name);
	prom_str(p, " ");
	prom_str(p, type);
	prom_str(p, "\n");
}

static void prom_head(struct prom *p, const char *name, const char *const *labels)
{
	prom_str(p, name);
	if (labels == NULL || labels[0] == NULL)
		goto done;
	prom_str(p, "{");
	for (size_t i = 0; labels[i] != NULL && labels[i + 1] != NULL; i += 2) {
		prom_str(p, i > 0 ? "," : "");
		prom_str(p, labels[i]);
		prom_str(p, "=\"");
		prom_escaped(p, labels[i + 1]);
		prom_str(p, "\"");
	}
	prom_str(p, "}");
done:
	prom_str(p, " ");
}

void prom_uint(struct prom *p, const char *name, const char *const *labels, uint64_t v)
{
	prom_head(p, name, labels);
	prom_printf(p, "%llu\n", (unsigned long long)v);
}

void prom_double(struct prom *p, const char *name, const char *const *labels, double v)
{
	prom_head(p, name, labels);
	if (isnan(v))
		prom_str(p, "NaN\n");
	else if (isinf(v))
		prom_str(p, v > 0 ? "+Inf\n" : "-Inf\n");
	else
		prom_printf(p, "%.6f\n", v);
}

int prom_failed(const struct prom *p)
{
	return p->failed;
}

void prom_free(struct prom *p)
{
	free(p->buf);
	p->buf = NULL;
	p->len = p->cap = 0;
}
