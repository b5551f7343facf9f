/*
 * req.c - request parsing and validation (see req.h).
 *
 * The web server has already framed the HTTP message; what reaches us is the
 * CGI/FastCGI environment (REQUEST_METHOD, REQUEST_URI, CONTENT_LENGTH,
 * HTTP_*, HTTPS, REMOTE_ADDR) and the body stream.  We route on REQUEST_URI
 * rather than SCRIPT_NAME/PATH_INFO because lighttpd, Apache mod_proxy_fcgi
 * and mod_fcgid all pass it unchanged, whereas the split varies by server.
 */
#include "req.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto.h"
#include "log.h"

static const struct {
	const char *name;
	enum method m;
} req_methods[] = {
	{ "GET", METHOD_GET }, { "HEAD", METHOD_HEAD }, { "POST", METHOD_POST },
	{ "PUT", METHOD_PUT }, { "DELETE", METHOD_DELETE },
	{ "PATCH", METHOD_PATCH }, { "OPTIONS", METHOD_OPTIONS },
};

/* Fills *err and returns -1, for `return req_fail(err, ...)`. */
static int req_fail(struct req_error *err, int status, const char *code, const char *message)
    __attribute__((cold));

static int req_fail(struct req_error *err, int status, const char *code, const char *message)
{
	err->status = status;
	err->code = code;
	err->message = message;
	return -1;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

long req_pct_decode(const char *in, size_t len, char *out, int plus)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)in[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= len)
				return -1;
			hi = hexval((unsigned char)in[i + 1]);
			lo = hexval((unsigned char)in[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = hi << 4 | lo;
			i += 2;
		} else if (c == '+' && plus) {
			c = ' ';
		}
		if (c == '\0')
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return (long)o;
}

/* Grows inside the arena; the outgrown array is reclaimed with the request. */
static int kv_push(struct arena *a, struct kvlist *l, const char *k, const char *v)
{
	if (l->n == l->cap) {
		size_t cap = l->cap == 0 ? 8 : l->cap * 2;
		struct kv *items = arena_alloc(a, cap * sizeof(*items));

		if (items == NULL)
			return -1;
		if (l->n != 0)
			memcpy(items, l->items, l->n * sizeof(*items));
		l->items = items;
		l->cap = cap;
	}
	l->items[l->n].key = k;
	l->items[l->n].val = v;
	l->n++;
	return 0;
}

int req_parse_urlencoded(struct arena *a, const char *s, size_t len, struct kvlist *l)
{
	size_t i = 0;

	while (i < len) {
		size_t end = i, eq;
		char *k, *v;
		long kl, vl;

		while (end < len && s[end] != '&')
			end++;
		for (eq = i; eq < end && s[eq] != '='; eq++)
			;
		if (end > i) {
			if (l->n >= REQ_MAX_PARAMS)
				return -1;
			k = arena_alloc(a, eq - i + 1);
			v = arena_alloc(a, eq < end ? end - eq : 1);
			if (k == NULL || v == NULL)
				return -1;
			kl = req_pct_decode(s + i, eq - i, k, 1);
			vl = eq < end ? req_pct_decode(s + eq + 1, end - eq - 1, v, 1) : 0;
			if (kl <= 0 || vl < 0 || kv_push(a, l, k, v) != 0)
				return -1;
		}
		i = end + 1;
	}
	return 0;
}

const char *kv_get(const struct kvlist *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].key, key) == 0)
			return l->items[i].val;
	return NULL;
}

const char *kv_first_repeat(const struct kvlist *l)
{
	for (size_t i = 1; i < l->n; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(l->items[i].key, l->items[j].key) == 0)
				return l->items[i].key;
	return NULL;
}

const char *req_header(const struct req *r, const char *name)
{
	return kv_get(&r->headers, name);
}

const char *req_param(const struct req *r, const char *name)
{
	return kv_get(&r->query, name);
}

const char *req_cookie(const struct req *r, const char *name)
{
	return kv_get(&r->cookies, name);
}

static const char *env_get(char *const *envp, const char *name)
{
	size_t n = strlen(name);

	/* The first byte first: a request has some thirty variables. */
	for (; *envp != NULL; envp++)
		if ((*envp)[0] == name[0] && strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

static int req_method(struct req *r, const char *m, struct req_error *err)
{
	if (m == NULL || *m == '\0')
		return req_fail(err, 400, "bad_request", "The request has no method.");
	for (size_t i = 0; i < sizeof(req_methods) / sizeof(req_methods[0]); i++)
		if (strcmp(m, req_methods[i].name) == 0) {
			r->method = req_methods[i].m;
			r->method_name = req_methods[i].name;
			return 0;
		}
	for (const char *p = m; *p != '\0'; p++)
		if (!isupper((unsigned char)*p))
			return req_fail(err, 400, "bad_request",
			    "The request method is malformed.");
	r->method_name = "OTHER";
	return req_fail(err, 501, "method_not_implemented",
	    "This request method is not supported.");
}

/* Rejects "." and ".." segments: the path names a resource, never a file. */
static int path_has_dot_segment(const char *p)
{
	for (; *p != '\0'; p++) {
		if (p[0] != '/' || p[1] != '.')
			continue;
		if (p[2] == '/' || p[2] == '\0')
			return 1;
		if (p[2] == '.' && (p[3] == '/' || p[3] == '\0'))
			return 1;
	}
	return 0;
}

static int req_uri(struct req *r, const char *uri, struct req_error *err)
{
	const char *q, *dup;
	size_t plen;
	char *path;

	if (uri == NULL || uri[0] != '/')
		return req_fail(err, 400, "bad_request",
		    "The request target must be an absolute path.");
	if (strlen(uri) > REQ_MAX_URI)
		return req_fail(err, 414, "uri_too_long", "The request URI is too long.");
	q = strchr(uri, '?');
	plen = q != NULL ? (size_t)(q - uri) : strlen(uri);
	if ((path = arena_alloc(&r->arena, plen + 1)) == NULL ||
	    (r->raw_path = arena_strndup(&r->arena, uri, plen)) == NULL) {
		r->raw_path = "/";
		return req_fail(err, 500, "internal", "Out of memory.");
	}
	if (req_pct_decode(uri, plen, path, 0) < 0)
		return req_fail(err, 400, "bad_encoding",
		    "The request path has malformed percent-encoding.");
	if (path_has_dot_segment(path))
		return req_fail(err, 400, "bad_path",
		    "The request path must not contain . or .. segments.");
	r->path = path;
	if (q != NULL && req_parse_urlencoded(&r->arena, q + 1, strlen(q + 1), &r->query) != 0)
		return req_fail(err, 400, "bad_query",
		    "The query string is malformed or has too many parameters.");
	if ((dup = kv_first_repeat(&r->query)) != NULL) {
		const char *msg = arena_sprintf(&r->arena,
		    "%.40s: the parameter is given more than once", dup);

		return req_fail(err, 400, "bad_param",
		    msg != NULL ? msg : "A query parameter is given more than once.");
	}
	return 0;
}

static int header_value_ok(const char *v)
{
	for (; *v != '\0'; v++)
		if ((unsigned char)*v < 0x20 && *v != '\t')
			return 0;
		else if (*v == 0x7f)
			return 0;
	return 1;
}

static int req_headers(struct req *r, char *const *envp, struct req_error *err)
{
	for (; *envp != NULL; envp++) {
		const char *e = *envp, *eq = strchr(e, '=');
		char *name;
		size_t n;

		if (strncmp(e, "HTTP_", 5) != 0 || eq == NULL || eq == e + 5)
			continue;
		n = (size_t)(eq - e - 5);
		if ((name = arena_strndup(&r->arena, e + 5, n)) == NULL)
			return req_fail(err, 500, "internal", "Out of memory.");
		for (char *p = name; *p != '\0'; p++)
			*p = *p == '_' ? '-' : (char)tolower((unsigned char)*p);
		if (!header_value_ok(eq + 1))
			return req_fail(err, 400, "bad_header",
			    "A request header contains control characters.");
		if (kv_push(&r->arena, &r->headers, name, eq + 1) != 0)
			return req_fail(err, 500, "internal", "Out of memory.");
	}
	return 0;
}

/* Cookies are parsed leniently: a browser may hold odd cookies from other
 * software on the same host, and they must not lock a user out. */
static int req_cookies(struct req *r, const char *h)
{
	while (h != NULL && *h != '\0') {
		const char *end = strchr(h, ';'), *eq;
		size_t len = end != NULL ? (size_t)(end - h) : strlen(h);

		while (len > 0 && (*h == ' ' || *h == '\t')) {
			h++;
			len--;
		}
		eq = memchr(h, '=', len);
		if (eq != NULL && eq > h) {
			const char *k = arena_strndup(&r->arena, h, (size_t)(eq - h));
			const char *v = arena_strndup(&r->arena, eq + 1, len - (size_t)(eq - h) - 1);

			if (k == NULL || v == NULL || kv_push(&r->arena, &r->cookies, k, v) != 0)
				return -1;
		}
		h = end != NULL ? end + 1 : NULL;
	}
	return 0;
}

static const struct {
	const char *type;
	enum media media;
} req_media[] = {
	{ "application/json", MEDIA_JSON },
	{ "application/x-www-form-urlencoded", MEDIA_FORM },
};

static int req_content_type(struct req *r, const char *ct)
{
	size_t n = 0;
	char *t;

	if (ct == NULL || *ct == '\0')
		return 0;
	while (ct[n] != '\0' && ct[n] != ';' && ct[n] != ' ')
		n++;
	if ((t = arena_strndup(&r->arena, ct, n)) == NULL)
		return -1;
	for (char *p = t; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	r->content_type = t;
	r->media = MEDIA_OTHER;
	for (size_t i = 0; i < sizeof(req_media) / sizeof(req_media[0]); i++)
		if (strcmp(t, req_media[i].type) == 0)
			r->media = req_media[i].media;
	return 0;
}

/* A form body is parsed here, once, for pages and API alike; what a
 * malformed one means is the caller's to say (see enum form_status). */
static void req_form(struct req *r)
{
	if (r->media != MEDIA_FORM)
		return;
	if (req_parse_urlencoded(&r->arena, r->body, r->body_len, &r->form) != 0) {
		memset(&r->form, 0, sizeof(r->form));
		r->form_status = FORM_MALFORMED;
	} else if ((r->form_repeat = kv_first_repeat(&r->form)) != NULL) {
		r->form_status = FORM_REPEATED;
	}
}

/* A body without Content-Length (a chunked upload the web server passed
 * on as a stream) is read to the end of the FastCGI stream, with the same
 * cap.  Growth is by doubling in malloc, copied into the arena at the end,
 * so bodiless requests cost one short read and nothing else. */
static int req_body_stream(struct req *r, req_read_fn read, void *ctx,
    size_t max_body, struct req_error *err)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap), *body;
	long n;

	if (buf == NULL)
		return req_fail(err, 500, "internal", "Out of memory.");
	while ((n = read(ctx, buf + len, cap - len)) > 0) {
		len += (size_t)n;
		if (len > max_body) {
			free(buf);
			return req_fail(err, 413, "body_too_large",
			    "The request body is too large.");
		}
		if (len == cap) {
			char *bigger = realloc(buf, cap *= 2);

			if (bigger == NULL) {
				free(buf);
				return req_fail(err, 500, "internal", "Out of memory.");
			}
			buf = bigger;
		}
	}
	body = arena_strndup(&r->arena, buf, len);
	free(buf);
	if (n < 0 || body == NULL)
		return req_fail(err, 400, "incomplete_body", "The request body could not be read.");
	r->body = body;
	r->body_len = len;
	return 0;
}

static int req_body(struct req *r, const char *cl, req_read_fn read, void *ctx,
    size_t max_body, struct req_error *err)
{
	unsigned long long len = 0;
	size_t got = 0;
	char *body;

	if (cl == NULL || *cl == '\0')
		return read != NULL ? req_body_stream(r, read, ctx, max_body, err) : 0;
	for (const char *p = cl; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p))
			return req_fail(err, 400, "bad_content_length",
			    "Content-Length is not a number.");
		if (len > (1ull << 40))
			return req_fail(err, 413, "body_too_large",
			    "The request body is too large.");
		len = len * 10 + (unsigned)(*p - '0');
	}
	if (len > max_body)
		return req_fail(err, 413, "body_too_large", "The request body is too large.");
	if ((body = arena_alloc(&r->arena, (size_t)len + 1)) == NULL)
		return req_fail(err, 500, "internal", "Out of memory.");
	while (got < len) {
		long n = read(ctx, body + got, (size_t)len - got);

		if (n <= 0)
			return req_fail(err, 400, "incomplete_body",
			    "The request body ended early.");
		got += (size_t)n;
	}
	r->body = body;
	r->body_len = got;
	return 0;
}

/* Blanks around an X-Forwarded-For entry, as proxies write ", ". */
static int req_fwd_blank(char c)
{
	return c == ' ' || c == '\t';
}

enum req_fwd req_forwarded_for(const char *xff, const struct net_cidrs *trusted,
    struct net_addr *client)
{
	size_t end = xff != NULL ? strlen(xff) : 0, walked = 0;

	while (end > 0 && req_fwd_blank(xff[end - 1]))
		end--;
	if (end == 0)
		return REQ_FWD_NONE;
	for (;;) {
		size_t start = end, e = end;

		while (start > 0 && xff[start - 1] != ',')
			start--;
		while (start < e && req_fwd_blank(xff[start]))
			start++;
		while (e > start && req_fwd_blank(xff[e - 1]))
			e--;
		if (++walked > REQ_MAX_FORWARDED)
			return REQ_FWD_TOO_MANY;
		if (net_addr_parse(xff + start, e - start, client) != 0)
			return REQ_FWD_MALFORMED;
		if (!net_cidrs_match(trusted, client))
			return REQ_FWD_CLIENT;
		while (start > 0 && xff[start - 1] != ',')
			start--;
		if (start == 0)
			return REQ_FWD_CLIENT;      /* all trusted: the first hop's client */
		end = start - 1;
	}
}

int req_id_ok(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (n == REQ_ID_MAX || (!isalnum((unsigned char)s[n]) && strchr("-._:+/=", s[n]) == NULL))
			return 0;
	return n > 0;
}

static void req_new_id(struct req *r)
{
	unsigned char raw[8] = { 0 };

	(void)crypto_random_id(raw, sizeof(raw));
	crypto_hex(raw, sizeof(raw), r->id);
}

/* Who sent the request and under which id (see req.h).  Never refuses: a
 * forwarding header that cannot be believed is ignored and the peer stands. */
static void req_origin(struct req *r, char *const *envp, const struct net_cidrs *trusted)
{
	const char *peer = env_get(envp, "REMOTE_ADDR"), *xff, *id;
	struct net_addr a, client;

	req_new_id(r);
	if (peer == NULL || net_addr_parse(peer, strlen(peer), &a) != 0) {
		snprintf(r->peer_addr, sizeof(r->peer_addr), "unknown");
		snprintf(r->remote_addr, sizeof(r->remote_addr), "unknown");
		return;
	}
	net_addr_format(&a, r->peer_addr);
	memcpy(r->remote_addr, r->peer_addr, sizeof(r->remote_addr));
	xff = env_get(envp, "HTTP_X_FORWARDED_FOR");
	if (!net_cidrs_match(trusted, &a)) {
		if (xff != NULL && trusted != NULL && trusted->n > 0)
			log_debug("X-Forwarded-For from %s ignored: not a trusted proxy", r->peer_addr);
		return;
	}
	switch (req_forwarded_for(xff, trusted, &client)) {
	case REQ_FWD_NONE:
		break;
	case REQ_FWD_CLIENT:
		net_addr_format(&client, r->remote_addr);
		break;
	case REQ_FWD_MALFORMED:
		log_warn("X-Forwarded-For from %s ignored: an entry is not an IP address", r->peer_addr);
		break;
	case REQ_FWD_TOO_MANY:
		log_warn("X-Forwarded-For from %s ignored: more than %d trusted hops",
		    r->peer_addr, REQ_MAX_FORWARDED);
		break;
	}
	if ((id = env_get(envp, "HTTP_X_REQUEST_ID")) == NULL)
		return;
	if (req_id_ok(id))
		snprintf(r->id, sizeof(r->id), "%s", id);
	else
		log_debug("X-Request-Id from %s not used: over %d bytes or unsafe characters",
		    r->peer_addr, REQ_ID_MAX);
}

int req_parse(struct req *r, char *const *envp, req_read_fn read, void *ctx,
    size_t max_body, const struct net_cidrs *trusted, struct req_error *err)
{
	const char *https;

	memset(r, 0, sizeof(*r));
	arena_init(&r->arena);
	r->path = "/";
	r->raw_path = "/";
	r->method_name = "?";
	req_origin(r, envp, trusted);
	https = env_get(envp, "HTTPS");
	r->https = https != NULL && (strcasecmp(https, "on") == 0 || strcmp(https, "1") == 0);
	/* The path first: an error about the method is still answered in the
	 * form the path's clients expect (JSON under /api/). */
	if (req_uri(r, env_get(envp, "REQUEST_URI"), err) != 0)
		return -1;
	if (req_method(r, env_get(envp, "REQUEST_METHOD"), err) != 0)
		return -1;
	if (req_headers(r, envp, err) != 0)
		return -1;
	if (req_cookies(r, req_header(r, "cookie")) != 0)
		return req_fail(err, 500, "internal", "Out of memory.");
	if (req_content_type(r, env_get(envp, "CONTENT_TYPE")) != 0)
		return req_fail(err, 500, "internal", "Out of memory.");
	if (req_body(r, env_get(envp, "CONTENT_LENGTH"), read, ctx, max_body, err) != 0)
		return -1;
	req_form(r);
	return 0;
}

void req_free(struct req *r)
{
	arena_free(&r->arena);
}
