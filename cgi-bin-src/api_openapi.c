/*
 * api_openapi.c - GET /api/v1/openapi.json: the OpenAPI 3.1 document of
 * this API, no key needed.
 *
 * The document is assembled at build time from openapi/ (make all) and
 * installed beside the templates; paths.openapi names it.  It is read on
 * each request, streamed in pieces: it is asked for rarely, and a worker
 * then always serves the file of the release that is installed, with no
 * copy held in every worker's memory.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api_json.h"
#include "app.h"
#include "conf.h"
#include "handlers.h"
#include "log.h"
#include "resp.h"

int api_openapi(struct app *app, struct req *r, struct resp *rs, const struct route_match *m)
{
	FILE *f = fopen(app->conf->openapi_file, "rb");
	char buf[16384];
	size_t n;

	(void)r;
	(void)m;
	if (f == NULL) {
		log_error("paths.openapi %s: %s", app->conf->openapi_file, strerror(errno));
		return api_error(rs, 503, "unavailable", "The API description is not available.");
	}
	if (resp_start(rs, 200, "application/json") == 0)
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0 && resp_write(rs, buf, n) == 0)
			;
	if (ferror(f))
		log_error("paths.openapi %s: read error; the answer is cut short", app->conf->openapi_file);
	fclose(f);
	return 200;
}
