/*
 * resp.c - response writing (see resp.h).
 *
 * Output is CGI-style: a Status line and headers, a blank line, the body.
 * The FastCGI library frames it; in unit tests `struct out` points at a
 * buffer instead.
 */
#include "resp.h"

#include <ClearSilver.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "req.h"
#include "tmpl.h"

static const struct {
	int status;
	const char *reason;
} resp_reasons[] = {
	{ 200, "OK" }, { 201, "Created" }, { 204, "No Content" },
	{ 302, "Found" }, { 303, "See Other" }, { 304, "Not Modified" },
	{ 400, "Bad Request" }, { 401, "Unauthorized" }, { 403, "Forbidden" },
	{ 404, "Not Found" }, { 405, "Method Not Allowed" },
	{ 406, "Not Acceptable" }, { 409, "Conflict" }, { 410, "Gone" },
	{ 413, "Content Too Large" }, { 414, "URI Too Long" },
	{ 415, "Unsupported Media Type" }, { 422, "Unprocessable Content" },
	{ 429, "Too Many Requests" }, { 500, "Internal Server Error" },
	{ 501, "Not Implemented" }, { 502, "Bad Gateway" },
	{ 503, "Service Unavailable" },
};

/* Sent on every response.  The CSP allows no inline script at all: pages
 * load their scripts from /static/ only. */
static const char resp_security_headers[] =
    "Strict-Transport-Security: max-age=63072000; includeSubDomains\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "X-Frame-Options: DENY\r\n"
    "Referrer-Policy: same-origin\r\n"
    "Content-Security-Policy: default-src 'self'; script-src 'self'; "
    "style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'\r\n"
    "Cache-Control: no-store\r\n";

const char *resp_reason(int status)
{
	for (size_t i = 0; i < sizeof(resp_reasons) / sizeof(resp_reasons[0]); i++)
		if (resp_reasons[i].status == status)
			return resp_reasons[i].reason;
	return "Unknown";
}

void resp_init(struct resp *rs, struct out out, const struct req *req)
{
	memset(rs, 0, sizeof(*rs));
	rs->out = out;
	rs->req = req;
}

int resp_header(struct resp *rs, const char *name, const char *value)
{
	size_t room = sizeof(rs->extra) - rs->extra_len, nl = strlen(name), vl = strlen(value);
	char *p = rs->extra + rs->extra_len;

	/* Several a request (the rate-limit headers on every API answer). */
	if (nl + vl + 4 >= room) {
		rs->extra[rs->extra_len] = '\0';
		return -1;
	}
	memcpy(p, name, nl);
	memcpy(p + nl, ": ", 2);
	memcpy(p + nl + 2, value, vl);
	memcpy(p + nl + 2 + vl, "\r\n", 3);
	rs->extra_len += nl + vl + 4;
	return 0;
}

static int resp_raw(struct resp *rs, const char *buf, size_t n)
{
	return rs->out.write(rs->out.ctx, buf, n);
}

/* Appends n bytes at *at; resp_start sized head for the whole of it. */
static void resp_put(char *head, size_t *at, const char *s, size_t n)
{
	memcpy(head + *at, s, n);
	*at += n;
}

int resp_start(struct resp *rs, int status, const char *content_type)
{
	/* One buffer, one write: every response's head is built here, so by
	 * hand rather than by snprintf.  The parts are bounded: a reason from
	 * the table, a content type from the code, an id of REQ_ID_MAX. */
	char head[512 + sizeof(resp_security_headers) + sizeof(rs->extra)];
	char code[4] = { (char)('0' + status / 100 % 10), (char)('0' + status / 10 % 10),
		(char)('0' + status % 10), ' ' };
	const char *reason = resp_reason(status);
	size_t n = 0, ct = strlen(content_type);

	if (rs->started)
		return -1;
	rs->started = 1;
	rs->status = status;
	if (status < 100 || status > 999 || ct > 200)
		return -1;
	resp_put(head, &n, "Status: ", 8);
	resp_put(head, &n, code, sizeof(code));
	resp_put(head, &n, reason, strlen(reason));
	resp_put(head, &n, "\r\nContent-Type: ", 16);
	resp_put(head, &n, content_type, ct);
	resp_put(head, &n, "\r\n", 2);
	resp_put(head, &n, resp_security_headers, sizeof(resp_security_headers) - 1);
	if (rs->req != NULL) {
		resp_put(head, &n, "X-Request-Id: ", 14);
		resp_put(head, &n, rs->req->id, strlen(rs->req->id));
		resp_put(head, &n, "\r\n", 2);
	}
	resp_put(head, &n, rs->extra, rs->extra_len);
	resp_put(head, &n, "\r\n", 2);
	return resp_raw(rs, head, n);
}

int resp_write(struct resp *rs, const char *buf, size_t n)
{
	if (rs->req != NULL && rs->req->method == METHOD_HEAD)
		return 0;
	rs->bytes += n;
	return resp_raw(rs, buf, n);
}

int resp_json_text(struct resp *rs, int status, const char *json, size_t len)
{
	if (resp_start(rs, status, "application/json") != 0)
		return -1;
	if (resp_write(rs, json, len) != 0)
		return -1;
	return resp_write(rs, "\n", 1);
}

int resp_json(struct resp *rs, int status, struct json_object *obj)
{
	size_t len;
	const char *s = json_object_to_json_string_length(obj,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);

	return resp_json_text(rs, status, s, len);
}

/* The last resort when even a page cannot be rendered. */
static int resp_plain_error(struct resp *rs, int status)
{
	static const char msg[] = "The page could not be shown. Try again in a moment.\n";

	if (resp_start(rs, status, "text/plain; charset=utf-8") != 0)
		return -1;
	return resp_write(rs, msg, sizeof(msg) - 1);
}

int resp_html(struct resp *rs, int status, const char *name, HDF *hdf)
{
	size_t len;
	char *page = tmpl_render_buf(hdf, name, &len);
	int rc;

	if (page == NULL) {
		rs->extra_len = 0;      /* the page's cookies and redirects no longer apply */
		return resp_plain_error(rs, 500);
	}
	rc = resp_start(rs, status, "text/html; charset=utf-8");
	if (rc == 0)
		rc = resp_write(rs, page, len);
	free(page);
	return rc;
}

int resp_wants_json(const struct req *r)
{
	const char *accept;

	if (r == NULL)
		return 1;
	/* raw_path too: a request refused before its path was decoded (bad
	 * escapes, dot segments) still came to the API and gets JSON. */
	if (strncmp(r->path, "/api/", 5) == 0 || strcmp(r->path, "/healthz") == 0 ||
	    (r->raw_path != NULL && strncmp(r->raw_path, "/api/", 5) == 0))
		return 1;
	accept = req_header(r, "accept");
	return accept != NULL && strstr(accept, "application/json") != NULL &&
	    strstr(accept, "text/html") == NULL;
}

static int resp_error_json(struct resp *rs, int status, const char *code,
    const char *pointer, const char *message)
{
	struct json_object *o = json_object_new_object();
	int rc;

	json_object_object_add(o, "code", json_object_new_string(code));
	json_object_object_add(o, "message", json_object_new_string(message));
	if (pointer != NULL)
		json_object_object_add(o, "pointer", json_object_new_string(pointer));
	if (rs->req != NULL)
		json_object_object_add(o, "request_id", json_object_new_string(rs->req->id));
	rc = resp_json(rs, status, o);
	json_object_put(o);
	return rc;
}

static int resp_error_html(struct resp *rs, int status, const char *code,
    const char *message)
{
	HDF *hdf = tmpl_hdf_new();
	int rc;

	if (hdf == NULL)
		return resp_error_json(rs, status, code, NULL, message);
	hdf_set_int_value(hdf, "error.status", status);
	hdf_set_value(hdf, "error.reason", resp_reason(status));
	hdf_set_value(hdf, "error.code", code);
	hdf_set_value(hdf, "error.message", message);
	if (rs->req != NULL)
		hdf_set_value(hdf, "request.id", rs->req->id);
	rc = resp_html(rs, status, "error.cs", hdf);
	hdf_destroy(&hdf);
	return rc;
}

int resp_error(struct resp *rs, int status, const char *code, const char *message)
{
	return resp_error_at(rs, status, code, NULL, message);
}

int resp_error_at(struct resp *rs, int status, const char *code, const char *pointer,
    const char *message)
{
	if (resp_wants_json(rs->req))
		return resp_error_json(rs, status, code, pointer, message);
	return resp_error_html(rs, status, code, message);
}
