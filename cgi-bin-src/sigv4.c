/*
 * sigv4.c - AWS Signature Version 4 (see sigv4.h).
 *
 * The code follows the four tasks of AWS's "Create a signed AWS API request"
 * page in order, one function per canonical part, so each can be checked
 * against the text of the aws-sig-v4-test-suite.  Two rules are easy to get
 * wrong and are AWS's, not ours:
 *
 *  - For every service but S3 the path is normalised (empty and "." segments
 *    dropped, ".." applied) and each segment is URI-encoded *as it appears
 *    on the wire*, so a "%20" sent is signed as "%2520".
 *  - Query parameters are decoded and re-encoded strictly (RFC 3986
 *    unreserved characters only, upper-case hex), then sorted by name and
 *    value, so the signature does not depend on how eagerly the sender
 *    encoded them.
 *
 * Lengths are bounded before writing (encoding at most triples a string),
 * so every string is written once into an arena allocation of the right
 * size and no buffer ever grows.
 */
#include "sigv4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define SV_ALGORITHM  "AWS4-HMAC-SHA256"
#define SV_TERMINATOR "aws4_request"

struct sv_pair {
	const char *name, *value;
};

struct sv_span {
	const char *p;
	size_t n;
};

struct sv_hdr {
	char *name, *value;
	size_t order;               /* position given, to keep repeats in order */
};

/* Joins the NULL-terminated argument strings into one arena string. */
__attribute__((sentinel))
static char *sv_cat(struct arena *a, ...)
{
	va_list ap;
	const char *s;
	size_t len = 0;
	char *out, *p;

	va_start(ap, a);
	while ((s = va_arg(ap, const char *)) != NULL)
		len += strlen(s);
	va_end(ap);
	if ((out = p = arena_alloc(a, len + 1)) == NULL)
		return NULL;
	va_start(ap, a);
	while ((s = va_arg(ap, const char *)) != NULL) {
		len = strlen(s);
		memcpy(p, s, len);
		p += len;
	}
	va_end(ap);
	*p = '\0';
	return out;
}

static int sv_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
}

/* URI-encodes src[0..n) into dst, which holds 3n+1; returns the length. */
static size_t sv_encode(char *dst, const char *src, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];

		if (sv_unreserved(c)) {
			dst[o++] = (char)c;
		} else {
			dst[o++] = '%';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		}
	}
	dst[o] = '\0';
	return o;
}

static int sv_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes src[0..n) into dst (room n+1).  A '%' without two hex
 * digits after it stands for itself: it is signed, not refused. */
static size_t sv_decode(char *dst, const char *src, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int hi, lo;

		if (src[i] == '%' && i + 2 < n &&
		    (hi = sv_hexval(src[i + 1])) >= 0 &&
		    (lo = sv_hexval(src[i + 2])) >= 0) {
			dst[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			dst[o++] = src[i];
		}
	}
	dst[o] = '\0';
	return o;
}

/* Decodes then strictly re-encodes src[0..n) into a new arena string. */
static char *sv_reencode(struct arena *a, const char *src, size_t n)
{
	char *tmp = arena_alloc(a, n + 1), *out = arena_alloc(a, 3 * n + 1);

	if (tmp == NULL || out == NULL)
		return NULL;
	sv_encode(out, tmp, sv_decode(tmp, src, n));
	return out;
}

/* S3: every segment kept, each decoded and encoded once. */
static char *sv_uri_s3(struct arena *a, const char *path)
{
	size_t n = strlen(path), o = 0, seg;
	char *out = arena_alloc(a, 3 * n + 2), *tmp = arena_alloc(a, n + 1);
	const char *p = path;

	if (out == NULL || tmp == NULL)
		return NULL;
	if (*p != '/')
		out[o++] = '/';
	for (;;) {
		seg = strcspn(p, "/");
		o += sv_encode(out + o, tmp, sv_decode(tmp, p, seg));
		if (p[seg] == '\0')
			break;
		out[o++] = '/';
		p += seg + 1;
	}
	out[o] = '\0';
	return out;
}

/* Other services: normalised, each wire segment encoded again. */
static char *sv_uri_normalised(struct arena *a, const char *path)
{
	size_t n = strlen(path), nseg = 0, o = 0, len;
	struct sv_span *segs = arena_alloc(a, (n + 1) * sizeof(*segs));
	char *out = arena_alloc(a, 3 * n + 2);

	if (segs == NULL || out == NULL)
		return NULL;
	for (const char *p = path; *p != '\0'; p += len + (p[len] == '/')) {
		len = strcspn(p, "/");
		if (len == 0 || (len == 1 && p[0] == '.'))
			continue;
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			if (nseg > 0)
				nseg--;
			continue;
		}
		segs[nseg].p = p;
		segs[nseg++].n = len;
	}
	for (size_t i = 0; i < nseg; i++) {
		out[o++] = '/';
		o += sv_encode(out + o, segs[i].p, segs[i].n);
	}
	if (o == 0 || (n > 0 && path[n - 1] == '/'))
		out[o++] = '/';
	out[o] = '\0';
	return out;
}

static int sv_pair_cmp(const void *x, const void *y)
{
	const struct sv_pair *a = x, *b = y;
	int c = strcmp(a->name, b->name);

	return c != 0 ? c : strcmp(a->value, b->value);
}

static char *sv_query(struct arena *a, const char *query)
{
	size_t n = strlen(query), npairs = 0, len = 0;
	struct sv_pair *pairs = arena_alloc(a, (n / 2 + 1) * sizeof(*pairs));
	const char *p = query, *end, *eq;
	char *out;

	if (pairs == NULL)
		return NULL;
	for (; *p != '\0'; p = *end == '&' ? end + 1 : end) {
		end = p + strcspn(p, "&");
		if (end == p)
			continue;
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq == NULL)
			eq = end;
		pairs[npairs].name = sv_reencode(a, p, (size_t)(eq - p));
		pairs[npairs].value = eq == end ? "" :
		    sv_reencode(a, eq + 1, (size_t)(end - eq - 1));
		if (pairs[npairs].name == NULL || pairs[npairs].value == NULL)
			return NULL;
		len += strlen(pairs[npairs].name) + strlen(pairs[npairs].value) + 2;
		npairs++;
	}
	qsort(pairs, npairs, sizeof(*pairs), sv_pair_cmp);
	if ((out = arena_alloc(a, len + 1)) == NULL)
		return NULL;
	for (size_t i = 0, o = 0; i < npairs; i++)
		o += (size_t)sprintf(out + o, "%s%s=%s", i > 0 ? "&" : "",
		    pairs[i].name, pairs[i].value);
	return out;
}

/* RFC 9110 token characters; anything else cannot be a header name. */
static int sv_tchar(unsigned char c)
{
	return sv_unreserved(c) || (c != '\0' && strchr("!#$%&'*+^`|", c) != NULL);
}

static char *sv_header_name(struct arena *a, const char *name)
{
	size_t n = strlen(name);
	char *out = arena_alloc(a, n + 1);

	if (out == NULL || n == 0)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (!sv_tchar(c))
			return NULL;
		out[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	return out;
}

/* Trimmed, runs of blanks collapsed; NULL for CR or LF, which would let a
 * value forge another canonical line (and another HTTP header). */
static char *sv_header_value(struct arena *a, const char *value)
{
	char *out = arena_alloc(a, strlen(value) + 1);
	size_t o = 0;
	int blank = 0;

	if (out == NULL || value[strcspn(value, "\r\n")] != '\0')
		return NULL;
	for (; *value != '\0'; value++) {
		if (*value == ' ' || *value == '\t') {
			blank = o > 0;
			continue;
		}
		if (blank)
			out[o++] = ' ';
		blank = 0;
		out[o++] = *value;
	}
	out[o] = '\0';
	return out;
}

static int sv_hdr_cmp(const void *x, const void *y)
{
	const struct sv_hdr *a = x, *b = y;
	int c = strcmp(a->name, b->name);

	return c != 0 ? c : (a->order > b->order) - (a->order < b->order);
}

/* Sets *text to the canonical header lines and *names to the signed-headers
 * list.  Sorting is stable on purpose: a repeated header's values are
 * joined in the order they were given, as AWS does. */
static int sv_headers(struct arena *a, const struct sigv4_header *h, size_t n,
    const char **text, const char **names)
{
	struct sv_hdr *hs = arena_alloc(a, (n + 1) * sizeof(*hs));
	size_t tlen = 0, nlen = 0, t = 0, m = 0;
	char *tout, *nout;

	if (hs == NULL || n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (h[i].name == NULL || h[i].value == NULL ||
		    (hs[i].name = sv_header_name(a, h[i].name)) == NULL ||
		    (hs[i].value = sv_header_value(a, h[i].value)) == NULL)
			return -1;
		hs[i].order = i;
		tlen += strlen(hs[i].name) + strlen(hs[i].value) + 2;
		nlen += strlen(hs[i].name) + 1;
	}
	qsort(hs, n, sizeof(*hs), sv_hdr_cmp);
	if ((tout = arena_alloc(a, tlen + 1)) == NULL ||
	    (nout = arena_alloc(a, nlen + 1)) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int repeat = i > 0 && strcmp(hs[i].name, hs[i - 1].name) == 0;

		if (repeat) {
			t--;        /* replace the newline with a comma */
			t += (size_t)sprintf(tout + t, ",%s\n", hs[i].value);
			continue;
		}
		t += (size_t)sprintf(tout + t, "%s:%s\n", hs[i].name, hs[i].value);
		m += (size_t)sprintf(nout + m, "%s%s", m > 0 ? ";" : "", hs[i].name);
	}
	*text = tout;
	*names = nout;
	return 0;
}

/* Credential parts go into a comma- and slash-separated header: refuse
 * anything that would change how that header parses. */
static int sv_plain(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s <= ' ' || *s >= 127 || *s == '/' || *s == ',' || *s == ';')
			return 0;
	return 1;
}

static int sv_amz_date_ok(const char *d)
{
	if (d == NULL || strlen(d) != SIGV4_AMZ_DATE_SIZE - 1 || d[8] != 'T' ||
	    d[15] != 'Z')
		return 0;
	for (int i = 0; i < 15; i++)
		if (i != 8 && (d[i] < '0' || d[i] > '9'))
			return 0;
	return 1;
}

static int sv_check(const struct sigv4_request *r)
{
	if (r->method == NULL || *r->method == '\0' || r->path == NULL ||
	    r->secret_access_key == NULL ||
	    (r->payload == NULL && r->payload_len > 0))
		return -1;
	for (const char *m = r->method; *m != '\0'; m++)
		if (!sv_tchar((unsigned char)*m))
			return -1;
	if (!sv_plain(r->access_key_id) || !sv_plain(r->region) ||
	    !sv_plain(r->service) || !sv_amz_date_ok(r->amz_date))
		return -1;
	return 0;
}

static int sv_hmac(const void *key, size_t keylen, const char *msg,
    unsigned char out[SHA256_LEN])
{
	size_t outlen = 0;

	if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, keylen,
	    (const unsigned char *)msg, strlen(msg), out, SHA256_LEN,
	    &outlen) == NULL || outlen != SHA256_LEN)
		return -1;
	return 0;
}

/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service),
 * "aws4_request").  The keyed copy of the secret is wiped either way. */
static int sv_signing_key(const char *secret, const char *date,
    const char *region, const char *service, unsigned char out[SHA256_LEN])
{
	size_t n = strlen(secret) + 4;
	char *k = malloc(n + 1);
	unsigned char k1[SHA256_LEN], k2[SHA256_LEN];
	int rc = -1;

	if (k == NULL)
		return -1;
	memcpy(k, "AWS4", 4);
	memcpy(k + 4, secret, n - 4 + 1);
	if (sv_hmac(k, n, date, k1) == 0 &&
	    sv_hmac(k1, SHA256_LEN, region, k2) == 0 &&
	    sv_hmac(k2, SHA256_LEN, service, k1) == 0 &&
	    sv_hmac(k1, SHA256_LEN, SV_TERMINATOR, out) == 0)
		rc = 0;
	OPENSSL_cleanse(k, n);
	OPENSSL_cleanse(k1, sizeof(k1));
	OPENSSL_cleanse(k2, sizeof(k2));
	free(k);
	return rc;
}

/* Task 1: the canonical request. */
static int sv_canonical_request(struct arena *a, const struct sigv4_request *r,
    struct sigv4_signed *out)
{
	const char *uri, *query, *headers;

	uri = r->s3 ? sv_uri_s3(a, r->path) : sv_uri_normalised(a, r->path);
	query = sv_query(a, r->query != NULL ? r->query : "");
	if (uri == NULL || query == NULL ||
	    sv_headers(a, r->headers, r->nheaders, &headers,
	    &out->signed_headers) != 0)
		return -1;
	sigv4_payload_hash(r->payload, r->payload_len, out->payload_hash);
	out->canonical_request = sv_cat(a, r->method, "\n", uri, "\n", query,
	    "\n", headers, "\n", out->signed_headers, "\n", out->payload_hash,
	    NULL);
	return out->canonical_request == NULL ? -1 : 0;
}

/* Tasks 2 to 4: string to sign, signing key, signature, header. */
static int sv_signature(struct arena *a, const struct sigv4_request *r,
    struct sigv4_signed *out)
{
	unsigned char digest[SHA256_LEN];
	char hex[SIGV4_HEX_SIZE], date[9];

	memcpy(date, r->amz_date, 8);
	date[8] = '\0';
	crypto_sha256(out->canonical_request, strlen(out->canonical_request),
	    digest);
	crypto_hex(digest, SHA256_LEN, hex);
	out->credential_scope = sv_cat(a, date, "/", r->region, "/", r->service,
	    "/" SV_TERMINATOR, NULL);
	if (out->credential_scope == NULL)
		return -1;
	out->string_to_sign = sv_cat(a, SV_ALGORITHM "\n", r->amz_date, "\n",
	    out->credential_scope, "\n", hex, NULL);
	if (out->string_to_sign == NULL ||
	    sv_signing_key(r->secret_access_key, date, r->region, r->service,
	    out->signing_key) != 0 ||
	    sv_hmac(out->signing_key, SHA256_LEN, out->string_to_sign, digest) != 0)
		return -1;
	crypto_hex(digest, SHA256_LEN, out->signature);
	out->authorization = sv_cat(a, SV_ALGORITHM " Credential=",
	    r->access_key_id, "/", out->credential_scope, ", SignedHeaders=",
	    out->signed_headers, ", Signature=", out->signature, NULL);
	return out->authorization == NULL ? -1 : 0;
}

int sigv4_sign(struct arena *a, const struct sigv4_request *req,
    struct sigv4_signed *out)
{
	memset(out, 0, sizeof(*out));
	if (sv_check(req) != 0 || sv_canonical_request(a, req, out) != 0 ||
	    sv_signature(a, req, out) != 0) {
		sigv4_forget(out);
		return -1;
	}
	return 0;
}

void sigv4_forget(struct sigv4_signed *out)
{
	OPENSSL_cleanse(out, sizeof(*out));
}

int sigv4_amz_date(time_t t, char out[SIGV4_AMZ_DATE_SIZE])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, SIGV4_AMZ_DATE_SIZE, "%Y%m%dT%H%M%SZ", &tm) !=
	    SIGV4_AMZ_DATE_SIZE - 1)
		return -1;
	return 0;
}

void sigv4_payload_hash(const void *payload, size_t len,
    char out[SIGV4_HEX_SIZE])
{
	unsigned char digest[SHA256_LEN];

	crypto_sha256(len > 0 ? payload : "", len, digest);
	crypto_hex(digest, SHA256_LEN, out);
}
