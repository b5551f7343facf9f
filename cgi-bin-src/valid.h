/*
 * valid.h - validators for fields that arrive from outside (forms, API
 * bodies, command-line options).  Each answers yes or no for one field
 * kind; callers turn a no into a clear message at the edge.
 */
#ifndef GAUGE_VALID_H
#define GAUGE_VALID_H

#include <stddef.h>

enum role { ROLE_ADMIN, ROLE_USER, ROLE_VIEWER };

#define VALID_NAME_MAX  100
#define VALID_EMAIL_MAX 254

/* Code points in well-formed UTF-8; -1 on overlongs, surrogates, values
 * past U+10FFFF, stray continuation bytes and truncated sequences. */
long valid_utf8_chars(const char *s);
/* 1..VALID_NAME_MAX bytes of UTF-8 text without control characters and
 * without leading or trailing white space. */
int valid_name(const char *s);
/* A plausible mailbox: local@domain.tld, no spaces, within RFC 5321 length. */
int valid_email(const char *s);
/* "admin", "user" or "viewer"; -1 otherwise. */
int valid_role(const char *s);
const char *role_name(enum role r);
/* A positive decimal id that fits a signed 64-bit integer; 0 otherwise. */
long long valid_id(const char *s);

/* A public device or group id: its 4-byte prefix ("dev_", "grp_") and 16
 * base64url characters, as public_id_generate() makes them.  Checked before
 * any query, so a malformed id is answered like an unknown one. */
#define VALID_PUBLIC_ID_LEN 20
int valid_public_id(const char *s, const char *prefix);
/* A finite decimal number as people write it: optional sign, digits, an
 * optional fraction and exponent.  No hex, inf, nan or spaces.  1 when
 * valid, with the value in *out. */
int valid_decimal(const char *s, double *out);

#endif
