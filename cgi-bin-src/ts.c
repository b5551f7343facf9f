/*
 * ts.c - parsing and formatting instants (see ts.h).
 *
 * Parsing is by hand, not strptime(): the accepted forms are exactly the
 * ones ts.h lists (a zone is required, so a time never silently means the
 * server's local time), and every field is range-checked, so 2026-02-29 and
 * 24:00 are refused rather than normalised into another instant.
 */
#include "ts.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int digits(const char *s, int n, int *out)
{
	*out = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		*out = *out * 10 + (s[i] - '0');
	}
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : d[m - 1];
}

/* The zone suffix: Z, +HH:MM, +HHMM or +HH; returns its offset in seconds. */
static int ts_zone(const char *p, long *off)
{
	int hh, mm = 0, sign;

	if (strcmp(p, "Z") == 0 || strcmp(p, "z") == 0) {
		*off = 0;
		return 0;
	}
	if (*p != '+' && *p != '-')
		return -1;
	sign = *p++ == '-' ? -1 : 1;
	if (digits(p, 2, &hh) != 0 || hh > 23)
		return -1;
	p += 2;
	if (*p == ':')
		p++;
	if (*p != '\0' && (digits(p, 2, &mm) != 0 || mm > 59 || p[2] != '\0'))
		return -1;
	*off = sign * (hh * 3600L + mm * 60L);
	return 0;
}

int ts_unit_parse(const char *s, enum ts_unit *unit)
{
	if (s != NULL && strcmp(s, "ms") == 0)
		*unit = TS_UNIT_MS;
	else if (s != NULL && strcmp(s, "s") == 0)
		*unit = TS_UNIT_S;
	else
		return -1;
	return 0;
}

int ts_epoch_ms(long long n, enum ts_unit unit, long long *ms)
{
	if (unit == TS_UNIT_MS) {
		*ms = n;
		return 0;
	}
	if (n > LLONG_MAX / 1000 || n < LLONG_MIN / 1000)
		return -1;
	*ms = n * 1000;
	return 0;
}

int ts_parse(const char *s, long long *ms)
{
	return ts_parse_unit(s, TS_UNIT_MS, ms);
}

int ts_parse_unit(const char *s, enum ts_unit unit, long long *ms)
{
	int y, mo, d, h, mi, sec, frac = 0, scale = 1000;
	struct tm tm;
	long off;
	const char *p;

	/* At most 15 digits: in either unit far beyond any reading's time,
	 * and never near the 64-bit range once made milliseconds. */
	if (*s != '\0' && strspn(s, "0123456789") == strlen(s)) {
		if (strlen(s) > 15)
			return -1;
		return ts_epoch_ms(strtoll(s, NULL, 10), unit, ms);
	}
	if (strlen(s) < 20 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
	    digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) ||
	    s[16] != ':' || digits(s + 17, 2, &sec))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 59)
		return -1;
	p = s + 19;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		/* Milliseconds are kept; finer digits are allowed and dropped. */
		for (; isdigit((unsigned char)*p); p++)
			if (scale > 1) {
				scale /= 10;
				frac += (*p - '0') * scale;
			}
	}
	if (ts_zone(p, &off) != 0)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*ms = ((long long)timegm(&tm) - off) * 1000 + frac;
	return 0;
}

/* gmtime_r's answer, for years the fast path does not write. */
static void ts_format_slow(long long ms, char out[TS_LEN])
{
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, TS_LEN, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    (int)(ms - (long long)t * 1000));
}

/* Days since 1970-01-01 as a proleptic Gregorian date (H. Hinnant's
 * civil_from_days, exact for every int64 day count in range). */
static void ts_civil(long long days, long long *y, int *m, int *d)
{
	long long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	long long doe = z - era * 146097;
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long long mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static void ts_put(char *p, int v, int n)
{
	while (n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* Every response and CSV row formats times, a thousand per page: by hand
 * for years 0-9999, which is every time a reading can have (gmtime_r and
 * snprintf cost twenty times as much); anything else as before. */
void ts_format(long long ms, char out[TS_LEN])
{
	long long s, days, y;
	int sod, mo, d;

	/* 0000-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z */
	if (ms < -62167219200000LL || ms > 253402300799999LL) {
		ts_format_slow(ms, out);
		return;
	}
	s = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
	days = s >= 0 ? s / 86400 : (s - 86399) / 86400;
	sod = (int)(s - days * 86400);
	ts_civil(days, &y, &mo, &d);
	ts_put(out, (int)y, 4);
	out[4] = '-';
	ts_put(out + 5, mo, 2);
	out[7] = '-';
	ts_put(out + 8, d, 2);
	out[10] = 'T';
	ts_put(out + 11, sod / 3600, 2);
	out[13] = ':';
	ts_put(out + 14, sod / 60 % 60, 2);
	out[16] = ':';
	ts_put(out + 17, sod % 60, 2);
	out[19] = '.';
	ts_put(out + 20, (int)(ms - s * 1000), 3);
	out[23] = 'Z';
	out[24] = '\0';
}

static long long ts_clock_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long ts_now_ms(void)
{
	return ts_clock_ms(CLOCK_REALTIME);
}

long long ts_mono_ms(void)
{
	return ts_clock_ms(CLOCK_MONOTONIC);
}
