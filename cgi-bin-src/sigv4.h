/*
 * sigv4.h - AWS Signature Version 4 for one HTTP request.
 *
 * sigv4_sign() returns every intermediate product AWS defines (canonical
 * request, string to sign, signing key, signature) and not only the final
 * Authorization value, because a signing bug is found by comparing those
 * texts with AWS's published examples or with the "should have been" text
 * of a SignatureDoesNotMatch answer; a lone wrong signature says nothing.
 *
 * The module does no I/O and reads no clock: the caller passes the request
 * time, so tests pin it to the published examples.  Every string it returns
 * lives in the caller's arena.
 */
#ifndef GAUGE_SIGV4_H
#define GAUGE_SIGV4_H

#include <stddef.h>
#include <time.h>

#include "arena.h"
#include "crypto.h"

/* "YYYYMMDDTHHMMSSZ" and its NUL. */
#define SIGV4_AMZ_DATE_SIZE 17
#define SIGV4_HEX_SIZE      (2 * SHA256_LEN + 1)

struct sigv4_header {
	const char *name;           /* any case; signed lower-cased */
	const char *value;          /* trimmed, inner runs of blanks collapsed */
};

struct sigv4_request {
	const char *method;         /* "GET", "POST", ... */
	const char *path;           /* as sent on the wire, without the query */
	const char *query;          /* without '?'; NULL or "" for none */
	/* Every header given is signed, so give exactly the headers that are
	 * sent, host (with :port when not the scheme's default) and x-amz-date
	 * among them.  A name given twice is signed as one comma-joined line. */
	const struct sigv4_header *headers;
	size_t nheaders;
	const void *payload;        /* may be NULL when payload_len is 0 */
	size_t payload_len;
	const char *access_key_id;
	const char *secret_access_key;
	const char *region;
	const char *service;
	const char *amz_date;       /* the x-amz-date value, "YYYYMMDDTHHMMSSZ" */
	int s3;                     /* nonzero: S3's path rules (no normalising,
	                             * no second encoding) */
};

/*
 * The strings point into the arena given to sigv4_sign() and die with it.
 * signing_key is the derived key, valid for a whole day in one region and
 * service: call sigv4_forget() once the result is no longer needed.
 */
struct sigv4_signed {
	const char *canonical_request;
	const char *string_to_sign;
	const char *credential_scope;   /* "20150830/us-east-1/ses/aws4_request" */
	const char *signed_headers;     /* "content-type;host;x-amz-date" */
	const char *authorization;      /* the whole Authorization header value */
	char payload_hash[SIGV4_HEX_SIZE];
	char signature[SIGV4_HEX_SIZE];
	unsigned char signing_key[SHA256_LEN];
};

/*
 * 0 on success.  -1 when the request is unusable (a malformed amz_date, a
 * header name that is not an HTTP token, a value holding CR or LF, a missing
 * field) or the arena is out of memory; out is then cleared.
 */
int  sigv4_sign(struct arena *a, const struct sigv4_request *req,
    struct sigv4_signed *out);
/* Wipes the signing key (and the rest) from out. */
void sigv4_forget(struct sigv4_signed *out);
/* Formats t (UTC) as an x-amz-date value.  0 on success. */
int  sigv4_amz_date(time_t t, char out[SIGV4_AMZ_DATE_SIZE]);
/* Lower-case hex SHA-256 of a payload, for an x-amz-content-sha256 header. */
void sigv4_payload_hash(const void *payload, size_t len,
    char out[SIGV4_HEX_SIZE]);

#endif
