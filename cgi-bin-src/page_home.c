/*
 * page_home.c - GET /: the front page.  It needs no database, so it renders
 * even while the databases are down and tells the visitor where to go.
 */
#include <ClearSilver.h>

#include "handlers.h"
#include "resp.h"
#include "tmpl.h"

int page_home(struct app *app, struct req *r, struct resp *rs, const struct route_match *m)
{
	HDF *hdf = tmpl_hdf_new();

	(void)app;
	(void)r;
	(void)m;
	if (hdf == NULL)
		return resp_error(rs, 500, "internal", "The page could not be rendered."), 500;
	resp_html(rs, 200, "home.cs", hdf);
	hdf_destroy(&hdf);
	return 200;
}
