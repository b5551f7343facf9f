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
/* Renders name into a malloc'd buffer (caller frees) of *len bytes; NULL
 * (logged) when the template fails. */
char *tmpl_render_buf(HDF *hdf, const char *name, size_t *len);


#endif
