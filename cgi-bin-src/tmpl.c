/*
 * tmpl.c - ClearSilver rendering (see tmpl.h).
 *
 * Templates are parsed on each render: parsing is cheap next to a database
 * round trip, and it keeps workers free of per-template caches that would
 * need invalidating when templates change on disk.
 */
#include "tmpl.h"

#include <ClearSilver.h>
#include <string.h>

#include "log.h"

static const char *tmpl_dir = "templates";

struct tmpl_sink {
	int (*write)(void *ctx, const char *buf, size_t n);
	void *ctx;
	int failed;
};

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

static NEOERR *tmpl_out(void *ctx, char *s)
{
	struct tmpl_sink *sink = ctx;

	if (!sink->failed && sink->write(sink->ctx, s, strlen(s)) != 0)
		sink->failed = 1;
	return STATUS_OK;
}

int tmpl_render(HDF *hdf, const char *name,
    int (*write)(void *ctx, const char *buf, size_t n), void *ctx)
{
	struct tmpl_sink sink = { write, ctx, 0 };
	CSPARSE *cs = NULL;
	NEOERR *err = cs_init(&cs, hdf);

	if (err == STATUS_OK)
		err = cs_parse_file(cs, name);
	if (err == STATUS_OK)
		err = cs_render(cs, &sink, tmpl_out);
	cs_destroy(&cs);
	if (err != STATUS_OK) {
		tmpl_log_neoerr(name, err);
		return -1;
	}
	return sink.failed ? -1 : 0;
}
