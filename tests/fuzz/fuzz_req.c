/*
 * fuzz_req.c - req_parse(): the FastCGI environment and body of a request.
 *
 * Input: environment lines ("REQUEST_URI=/x?a=b", "HTTP_COOKIE=...") one per
 * '\n', an empty line, then the body, read back in small chunks.  After a
 * parse the request must hold what req.h promises: a known method, a decoded
 * path starting with '/' and free of dot segments, at most REQ_MAX_PARAMS
 * query pairs, lower-case header names, header values without control
 * characters, a NUL-terminated body within the cap and matching
 * Content-Length, a valid client address or "unknown", a request id usable
 * in a header and a log line.  Loopback is a trusted proxy, so inputs with
 * REMOTE_ADDR=127.0.0.1 walk X-Forwarded-For too.  A refusal carries a
 * client-error status (never a 500: nothing here runs out of memory) and a
 * code and message.
 */
#include <arpa/inet.h>
#include <ctype.h>

#include "fuzz.h"
#include "log.h"
#include "req.h"

#define ENV_MAX  64
#define MAX_BODY 4096

static struct net_cidrs trusted;    /* parsed once, kept for the whole run */
static int trusted_ready;

struct body {
	const uint8_t *data;
	size_t len, pos, chunk;
};

static long body_read(void *ctx, char *buf, size_t n)
{
	struct body *b = ctx;

	if (n > b->len - b->pos)
		n = b->len - b->pos;
	if (n > b->chunk)
		n = b->chunk;
	memcpy(buf, b->data + b->pos, n);
	b->pos += n;
	return (long)n;
}

static int has_dot_segment(const char *p)
{
	for (; *p != '\0'; p++)
		if (p[0] == '/' && p[1] == '.' && (p[2] == '/' || p[2] == '\0' ||
		    (p[2] == '.' && (p[3] == '/' || p[3] == '\0'))))
			return 1;
	return 0;
}

static const char *env_value(char **env, const char *name)
{
	size_t n = strlen(name);

	for (; *env != NULL; env++)
		if (strncmp(*env, name, n) == 0 && (*env)[n] == '=')
			return *env + n + 1;
	return NULL;
}

static void check_parsed(const struct req *r, char **env)
{
	const char *cl = env_value(env, "CONTENT_LENGTH");
	unsigned char addr[16];

	INVARIANT(r->method != 0 && r->method_name != NULL, "method unset");
	INVARIANT(r->path[0] == '/' && !has_dot_segment(r->path), "path '%s'", r->path);
	INVARIANT(strlen(r->path) <= strlen(r->raw_path), "decoding grew the path");
	INVARIANT(r->query.n <= REQ_MAX_PARAMS, "%zu query pairs", r->query.n);
	for (size_t i = 0; i < r->query.n; i++)
		INVARIANT(r->query.items[i].key[0] != '\0' && r->query.items[i].val != NULL,
		    "query pair %zu", i);
	for (size_t i = 0; i < r->headers.n; i++) {
		const struct kv *h = &r->headers.items[i];

		INVARIANT(h->key[0] != '\0', "empty header name");
		for (const char *p = h->key; *p != '\0'; p++)
			INVARIANT(!isupper((unsigned char)*p) && *p != '_', "header name '%s'", h->key);
		for (const char *p = h->val; *p != '\0'; p++)
			INVARIANT(((unsigned char)*p >= 0x20 || *p == '\t') && *p != 0x7f,
			    "control character in header '%s'", h->key);
	}
	for (size_t i = 0; i < r->cookies.n; i++)
		INVARIANT(r->cookies.items[i].key[0] != '\0', "empty cookie name");
	if (r->content_type != NULL)
		for (const char *p = r->content_type; *p != '\0'; p++)
			INVARIANT(!isupper((unsigned char)*p) && *p != ';' && *p != ' ',
			    "content type '%s'", r->content_type);
	INVARIANT(r->body_len <= MAX_BODY, "body of %zu bytes over the cap", r->body_len);
	if (r->body != NULL)
		INVARIANT(r->body[r->body_len] == '\0', "body not NUL-terminated");
	else
		INVARIANT(r->body_len == 0, "no body but a length");
	if (cl != NULL && *cl != '\0')
		INVARIANT(r->body_len == strtoull(cl, NULL, 10), "body %zu bytes, Content-Length %s",
		    r->body_len, cl);
	INVARIANT(strcmp(r->remote_addr, "unknown") == 0 ||
	    inet_pton(AF_INET, r->remote_addr, addr) == 1 ||
	    inet_pton(AF_INET6, r->remote_addr, addr) == 1, "address '%s'", r->remote_addr);
	INVARIANT(req_id_ok(r->id), "request id '%s'", r->id);
	/* The lookups handlers use. */
	(void)req_header(r, "cookie");
	(void)req_param(r, "from");
	(void)req_cookie(r, "sid");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size), *env[ENV_MAX + 1], *p = text;
	struct body b = { NULL, 0, 0, 1 + size % 7 };
	struct req_error err = { 0, NULL, NULL };
	struct req r;
	size_t n = 0;

	/* Lines up to the first empty one are the environment. */
	while (*p != '\0' && *p != '\n' && n < ENV_MAX) {
		char *nl = strchr(p, '\n');

		env[n++] = p;
		if (nl == NULL) {
			p += strlen(p);
			break;
		}
		*nl = '\0';
		p = nl + 1;
	}
	env[n] = NULL;
	if (*p == '\n')
		p++;
	b.data = data + (size_t)(p - text);
	b.len = size - (size_t)(p - text);
	if (!trusted_ready) {
		char bad[72];

		log_set_level(LOG_ERROR);
		trusted_ready = net_cidrs_parse("127.0.0.0/8, ::1", &trusted, bad, sizeof(bad)) == NET_LIST_OK;
	}
	if (req_parse(&r, env, body_read, &b, MAX_BODY, &trusted, &err) == 0) {
		check_parsed(&r, env);
	} else {
		INVARIANT(err.status >= 400 && err.status < 600 && err.status != 500,
		    "refused with status %d", err.status);
		INVARIANT(err.code != NULL && err.message != NULL && err.message[0] != '\0',
		    "refusal without a code or message");
	}
	req_free(&r);
	free(text);
	return 0;
}
