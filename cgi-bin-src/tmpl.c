/*
 * tmpl.c - ClearSilver rendering (see tmpl.h).
 *
 * Templates are parsed on each render: parsing is cheap next to a database
 * round trip, and it keeps workers free of per-template caches that would
 * need invalidating when templates change on disk.  Output is rendered
 * into memory first, so a template error becomes a clean 500 rather than
 * a half-sent page.
 */
#include "tmpl.h"

#include <ClearSilver.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static const char *tmpl_dir = "templates";

void tmpl_init(const char *templates_dir)
{
	tmpl_dir = templates_dir;
}

static void tmpl_log_neoerr(const char *what, NEOERR *err)
{
	STRING msg;

	string_init(&msg);
	nerr_error_string(err, &msg);
	log_error("%s: %s", what, msg.buf != NULL ? msg.buf : "unknown error");
	string_clear(&msg);
	nerr_ignore(&err);
}

HDF *tmpl_hdf_new(void)
{
	HDF *hdf = NULL;
	NEOERR *err = hdf_init(&hdf);

	if (err == STATUS_OK)
		err = hdf_set_value(hdf, "Config.VarEscapeMode", "html");
	if (err == STATUS_OK)
		err = hdf_set_value(hdf, "hdf.loadpaths.0", tmpl_dir);
	if (err != STATUS_OK) {
		tmpl_log_neoerr("template data", err);
		hdf_destroy(&hdf);
		return NULL;
	}
	return hdf;
}

static NEOERR *tmpl_buf_out(void *ctx, char *s)
{
	return string_append(ctx, s);
}

char *tmpl_render_buf(HDF *hdf, const char *name, size_t *len)
{
	STRING out;
	CSPARSE *cs = NULL;
	NEOERR *err = cs_init(&cs, hdf);

	string_init(&out);
	/* url_escape and friends, for links built from ids */
	if (err == STATUS_OK)
		err = cgi_register_strfuncs(cs);
	if (err == STATUS_OK)
		err = cs_parse_file(cs, name);
	if (err == STATUS_OK)
		err = cs_render(cs, &out, tmpl_buf_out);
	cs_destroy(&cs);
	if (err != STATUS_OK) {
		tmpl_log_neoerr(name, err);
		string_clear(&out);
		return NULL;
	}
	*len = (size_t)out.len;
	if (out.buf == NULL)
		return calloc(1, 1);
	return out.buf;
}
