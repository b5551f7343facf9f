/*
 * page_docs.c - GET /docs/api: the API reference, public.  The page is a
 * frame; htdocs/js/api-docs.js renders /api/v1/openapi.json into it with
 * Swagger UI (htdocs/vendor/swagger-ui/, from npm at build time), under the
 * same Content-Security-Policy as every page: scripts and styles from
 * /static/ only, nothing inline.
 */
#include "handlers.h"
#include "page.h"

int page_docs_api(struct app *app, struct req *r, struct resp *rs, const struct route_match *m)
{
	struct page_ctx p;
	int st;

	(void)m;
	if ((st = page_begin_or_reply(&p, app, r, rs, PAGE_PUBLIC)) != 0)
		return st;
	page_set(&p, "page.title", "API reference");
	page_set(&p, "page.api_docs", "1");
	return page_render(&p, 200, "api_docs.cs");
}
