/*
 * tmpl.h - HTML through ClearSilver, with HTML escaping on for every var.
 *
 * tmpl_hdf_new() returns a data set with Config.VarEscapeMode = html and the
 * template directory on the load path, so every <?cs var: ?> is escaped and
 * templates can include each other by name.
 */
#ifndef GAUGE_TMPL_H
#define GAUGE_TMPL_H

#include <stddef.h>

typedef struct _hdf HDF;

/* Remembers the templates directory for this process (from conf). */
void tmpl_init(const char *templates_dir);
/* A fresh data set owned by the caller (hdf_destroy), or NULL. */
HDF *tmpl_hdf_new(void);
/* Renders name (e.g. "error.cs") with hdf; 0 on success. */
int  tmpl_render(HDF *hdf, const char *name,
    int (*write)(void *ctx, const char *buf, size_t n), void *ctx);


#endif
