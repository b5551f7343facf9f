/*
 * valid.c - field validators (see valid.h).
 */
#include "valid.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const role_names[] = { "admin", "user", "viewer" };

long valid_utf8_chars(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	long n = 0;

	for (; *s != '\0'; n++) {
		unsigned c = *s, len, cp;

		if (c < 0x80) {
			len = 0; cp = c;
		} else if (c >= 0xc2 && c <= 0xdf) {
			len = 1; cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 2; cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 3; cp = c & 0x07;
		} else {
			return -1;
		}
		for (unsigned i = 1; i <= len; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return -1;
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if ((len == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (len == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return -1;
		s += len + 1;
	}
	return n;
}

int valid_name(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n == 0 || n > VALID_NAME_MAX || isspace((unsigned char)s[0]) ||
	    isspace((unsigned char)s[n - 1]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return valid_utf8_chars(s) >= 0;
}

int valid_email(const char *s)
{
	const char *at, *dot;
	size_t n = s != NULL ? strlen(s) : 0;

	if (n < 6 || n > VALID_EMAIL_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f || strchr("<>()[]\\,;:\"", s[i]))
			return 0;
	at = strchr(s, '@');
	if (at == NULL || at == s || strchr(at + 1, '@') != NULL || at - s > 64)
		return 0;
	dot = strrchr(at, '.');
	if (dot == NULL || dot == at + 1 || dot[1] == '\0' || strstr(at, "..") != NULL)
		return 0;
	return valid_utf8_chars(s) >= 0;
}

int valid_role(const char *s)
{
	for (int i = 0; s != NULL && i < 3; i++)
		if (strcmp(s, role_names[i]) == 0)
			return i;
	return -1;
}

const char *role_name(enum role r)
{
	return role_names[r];
}

long long valid_id(const char *s)
{
	char *end;
	long long v;

	if (s == NULL || !isdigit((unsigned char)*s))
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	return errno != 0 || *end != '\0' || v <= 0 ? 0 : v;
}

int valid_public_id(const char *s, const char *prefix)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n != VALID_PUBLIC_ID_LEN || strncmp(s, prefix, 4) != 0)
		return 0;
	for (size_t i = 4; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return 0;
	return 1;
}

/* Digits, at least one; returns where they end. */
static const char *digits_end(const char *p)
{
	const char *q = p;

	while (*q >= '0' && *q <= '9')
		q++;
	return q == p ? NULL : q;
}

int valid_decimal(const char *s, double *out)
{
	const char *p = s;
	char *end;

	if (s == NULL)
		return 0;
	if (*p == '-' || *p == '+')
		p++;
	if ((p = digits_end(p)) == NULL)
		return 0;
	if (*p == '.' && (p = digits_end(p + 1)) == NULL)
		return 0;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if ((p = digits_end(p)) == NULL)
			return 0;
	}
	if (*p != '\0')
		return 0;
	*out = strtod(s, &end);
	return *end == '\0' && isfinite(*out);
}
