/*
 * send_http.c - one HTTPS POST through libcurl (see send_http.h).
 *
 * The handle is reset before every request, so no option from one provider
 * leaks into the next, but it keeps its connection cache, so the second
 * alert to the same provider skips the TCP and TLS handshakes.
 *
 * Response bodies land in one arena buffer of fixed size: an error or an
 * acknowledgement is a few hundred bytes, and a provider (or something
 * impersonating one) cannot make us allocate more than DELIVERY_BODY_MAX.
 * Extra bytes are dropped, not refused, because refusing would turn an
 * accepted message into a transport error and so into a duplicate send.
 */
#include "send_http.h"

#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sys/socket.h>

#include "json_body.h"
#include "log.h"
#include "net.h"

struct delivery_conn {
	CURL *curl;
};

/* What the callbacks fill while a transfer runs. */
struct dl_sink {
	struct arena *arena;
	const struct delivery_request *rq;
	struct delivery_response *rs;
	char *body;
	size_t len;
	unsigned refused, opened;       /* addresses public_only kept out, let through */
	char refused_addr[NET_ADDR_STRLEN];
};

int delivery_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void delivery_global_cleanup(void)
{
	curl_global_cleanup();
}

/* The libcurl handle is made at the first send: a web worker that never
 * sends mail keeps its memory (about 0.4 MB of RSS per worker). */
struct delivery_conn *delivery_conn_new(void)
{
	return calloc(1, sizeof(struct delivery_conn));
}

void delivery_conn_free(struct delivery_conn *c)
{
	if (c == NULL)
		return;
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	free(c);
}

static size_t dl_on_body(char *data, size_t size, size_t n, void *ctx)
{
	struct dl_sink *s = ctx;
	size_t len = size * n, room = DELIVERY_BODY_MAX - s->len;
	size_t take = len < room ? len : room;

	memcpy(s->body + s->len, data, take);
	s->len += take;
	s->body[s->len] = '\0';
	return len;
}

/* Keeps the headers the request asked for.  A status line starts a new
 * response (after a 100 Continue, say), so it forgets earlier captures. */
static size_t dl_on_header(char *line, size_t size, size_t n, void *ctx)
{
	struct dl_sink *s = ctx;
	size_t len = size * n;

	if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
		memset(s->rs->captured, 0, sizeof(s->rs->captured));
		return len;
	}
	for (size_t i = 0; i < DELIVERY_CAPTURE_MAX; i++) {
		const char *name = s->rq->capture[i], *v, *end = line + len;
		size_t nl = name != NULL ? strlen(name) : 0;

		if (nl == 0 || len <= nl || line[nl] != ':' ||
		    strncasecmp(line, name, nl) != 0)
			continue;
		for (v = line + nl + 1; v < end && (*v == ' ' || *v == '\t'); v++)
			;
		while (end > v && (end[-1] == '\r' || end[-1] == '\n' ||
		    end[-1] == ' ' || end[-1] == '\t'))
			end--;
		s->rs->captured[i] = arena_strndup(s->arena, v, (size_t)(end - v));
	}
	return len;
}

/* libcurl asks for each socket it connects with, so every address it
 * tries (each one DNS gave, happy eyeballs included) is checked here, where
 * a name that resolves inside cannot slip past a check made earlier. */
static curl_socket_t dl_open_socket(void *ctx, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct dl_sink *s = ctx;
	struct net_addr na;

	if (purpose == CURLSOCKTYPE_IPCXN &&
	    (net_addr_from_sockaddr(&a->addr, &na) != 0 || net_addr_internal(&na))) {
		if (s->refused++ == 0 && na.family != 0)
			net_addr_format(&na, s->refused_addr);
		return CURL_SOCKET_BAD;
	}
	s->opened++;
	return socket(a->family, a->socktype, a->protocol);
}

/* "Expect:" stops curl from waiting for a 100 Continue on larger bodies. */
static struct curl_slist *dl_headers(const struct delivery_request *rq)
{
	struct curl_slist *list = NULL, *next;

	for (size_t i = 0; i <= rq->nheaders; i++) {
		const char *h = i < rq->nheaders ? rq->headers[i] : "Expect:";

		if (h[strcspn(h, "\r\n")] != '\0' ||
		    (next = curl_slist_append(list, h)) == NULL) {
			curl_slist_free_all(list);
			return NULL;
		}
		list = next;
	}
	return list;
}

/* Verification is set explicitly, not left to defaults, so that no later
 * edit can believe it is off. */
static int dl_setopt(CURL *h, const struct delivery_request *rq,
    struct curl_slist *headers, struct dl_sink *s, char *errbuf)
{
	long timeout = rq->timeout_s > 0 ? (long)rq->timeout_s : DELIVERY_TIMEOUT_S;

	if (curl_easy_setopt(h, CURLOPT_URL, rq->url) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https") != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, timeout) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_USERAGENT, "gauge") != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_POSTFIELDS,
	    rq->body != NULL ? rq->body : "") != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)(rq->body != NULL ? rq->body_len : 0)) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, dl_on_body) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_WRITEDATA, s) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, dl_on_header) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_HEADERDATA, s) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK)
		return -1;
	if (rq->ca_file != NULL &&
	    curl_easy_setopt(h, CURLOPT_CAINFO, rq->ca_file) != CURLE_OK)
		return -1;
	if (rq->public_only &&
	    (curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, dl_open_socket) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, s) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_NOPROXY, "*") != CURLE_OK))
		return -1;
	if (rq->username != NULL &&
	    (curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_USERNAME, rq->username) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_PASSWORD,
	    rq->password != NULL ? rq->password : "") != CURLE_OK))
		return -1;
	return 0;
}

int delivery_post(struct delivery_conn *c, struct arena *a,
    const struct delivery_request *rq, struct delivery_response *rs)
{
	struct dl_sink s = { .arena = a, .rq = rq, .rs = rs };
	struct curl_slist *headers = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_off_t us = 0;
	CURLcode cc;
	int rc = -1;

	memset(rs, 0, sizeof(*rs));
	rs->body = "";
	if (c->curl == NULL && (c->curl = curl_easy_init()) == NULL) {
		snprintf(rs->error, sizeof(rs->error), "out of memory");
		goto out;
	}
	if ((s.body = arena_alloc(a, DELIVERY_BODY_MAX + 1)) == NULL ||
	    (headers = dl_headers(rq)) == NULL) {
		snprintf(rs->error, sizeof(rs->error), "%s", s.body == NULL ?
		    "out of memory" : "a request header is invalid or too big");
		goto out;
	}
	curl_easy_reset(c->curl);
	if (dl_setopt(c->curl, rq, headers, &s, errbuf) != 0) {
		snprintf(rs->error, sizeof(rs->error), "libcurl refused an option");
		goto out;
	}
	cc = curl_easy_perform(c->curl);
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &rs->status);
	curl_easy_getinfo(c->curl, CURLINFO_TOTAL_TIME_T, &us);
	rs->elapsed_ms = (long)(us / 1000);
	if (cc != CURLE_OK && s.refused > 0 && s.opened == 0) {
		rs->refused = 1;
		snprintf(rs->error, sizeof(rs->error), "refused: the host resolves to %s, a private, loopback "
		    "or link-local address (alertd.webhook_allow_private is off)",
		    s.refused_addr[0] != '\0' ? s.refused_addr : "an address");
		goto out;
	}
	if (cc != CURLE_OK) {
		rs->status = 0;
		snprintf(rs->error, sizeof(rs->error), "%s",
		    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(cc));
		goto out;
	}
	rs->body = s.body;
	rs->body_len = s.len;
	rc = 0;
out:
	/* The handle must not keep pointers into this call's stack and lists. */
	if (c->curl != NULL) {
		curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, NULL);
		curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
	}
	curl_slist_free_all(headers);
	return rc;
}

enum delivery_outcome delivery_outcome_of(long status)
{
	if (status >= 200 && status <= 299)
		return DELIVERY_SENT;
	if (status == 0 || status == 408 || status == 429 || status >= 500)
		return DELIVERY_RETRY;
	return DELIVERY_PERMANENT;
}

void delivery_fail(struct delivery_result *r, enum delivery_outcome o,
    long status, const char *fmt, ...)
{
	va_list ap;

	r->outcome = o;
	r->http_status = status;
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	r->error[strcspn(r->error, "\r\n")] = '\0';
}

void delivery_log(const char *provider, const char *to,
    const struct delivery_result *r)
{
	const char *rid = r->request_id[0] != '\0' ? r->request_id : "-";

	if (r->outcome == DELIVERY_SENT)
		log_info("%s: sent to %s as %s (HTTP %ld, %ld ms)", provider, to,
		    r->id[0] != '\0' ? r->id : "(no id)", r->http_status,
		    r->elapsed_ms);
	else
		log_warn("%s: to %s %s: %s (HTTP %ld, request %s, %ld ms)",
		    provider, to, r->outcome == DELIVERY_RETRY ?
		    "will be retried" : "failed for good", r->error,
		    r->http_status, rid, r->elapsed_ms);
}

struct json_object *delivery_json(const char *body)
{
	struct json_body_error err;
	struct json_object *doc = NULL;

	if (body != NULL)
		(void)json_body_parse(body, strlen(body), &doc, &err);
	return doc;
}

enum delivery_outcome delivery_send(struct delivery_conn *conn, struct arena *a,
    const struct delivery_provider *p, const struct delivery_request *rq,
    const char *to, struct delivery_result *r)
{
	struct delivery_response rs;

	if (rq == NULL)
		goto out;
	if (delivery_post(conn, a, rq, &rs) != 0) {
		delivery_fail(r, rs.refused ? DELIVERY_PERMANENT : DELIVERY_RETRY, 0, "%s", rs.error);
	} else {
		p->classify(&rs, r);
		if (rs.captured[p->request_id] != NULL)
			snprintf(r->request_id, sizeof(r->request_id), "%s",
			    rs.captured[p->request_id]);
	}
	r->elapsed_ms = rs.elapsed_ms;
out:
	delivery_log(p->name, to != NULL ? to : "(nobody)", r);
	arena_free(a);
	return r->outcome;
}
