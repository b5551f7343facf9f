/*
 * qr_svg.c - QR codes as SVG (see qr_svg.h).
 *
 * The output's size is bounded before anything is written (a row of width
 * modules has at most (width + 1) / 2 dark runs), so each string is one
 * malloc that can be wiped and freed as a whole, with no realloc leaving
 * copies of the secret behind.
 */
#include "qr_svg.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <qrencode.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QR_MAX_WIDTH 177                /* version 40 */
/* "M185 185h177v1h-177z": the longest run a path can hold. */
#define RUN_MAX_TEXT 20
#define HEAD_MAX_TEXT 256

static const char data_uri_prefix[] = "data:image/svg+xml;base64,";

/* Appends to buf at *at; -1 if it would not fit (it always should). */
__attribute__((format(printf, 4, 5)))
static int put(char *buf, size_t cap, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *at, cap - *at, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap - *at)
		return -1;
	*at += (size_t)n;
	return 0;
}

/* Appends the row's dark runs as rectangles of height one. */
static int put_row(char *svg, size_t cap, size_t *at, const unsigned char *row,
    int width, int y)
{
	for (int x = 0; x < width;) {
		int start = x;

		if (!(row[x] & 1)) {
			x++;
			continue;
		}
		while (x < width && (row[x] & 1))
			x++;
		if (put(svg, cap, at, "M%d %dh%dv1h-%dz", start + QR_SVG_QUIET,
		    y + QR_SVG_QUIET, x - start, x - start) != 0)
			return -1;
	}
	return 0;
}

char *qr_svg_render(const unsigned char *modules, int width)
{
	int size = width + 2 * QR_SVG_QUIET;
	size_t cap, at = 0;
	char *svg;

	if (modules == NULL || width <= 0 || width > QR_MAX_WIDTH)
		return NULL;
	cap = HEAD_MAX_TEXT + (size_t)width * (size_t)((width + 1) / 2) * RUN_MAX_TEXT;
	if ((svg = malloc(cap)) == NULL)
		return NULL;
	if (put(svg, cap, &at, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" shape-rendering=\"crispEdges\">"
	    "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
	    size, size, size * QR_SVG_SCALE, size * QR_SVG_SCALE, size, size) != 0)
		goto fail;
	for (int y = 0; y < width; y++)
		if (put_row(svg, cap, &at, modules + (size_t)y * (size_t)width, width, y) != 0)
			goto fail;
	if (put(svg, cap, &at, "\"/></svg>") != 0)
		goto fail;
	return svg;
fail:
	OPENSSL_cleanse(svg, cap);
	free(svg);
	return NULL;
}

char *qr_svg(const char *text)
{
	QRcode *qr;
	char *svg;

	if (text == NULL || text[0] == '\0')
		return NULL;
	if ((qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1)) == NULL)
		return NULL;
	svg = qr_svg_render(qr->data, qr->width);
	OPENSSL_cleanse(qr->data, (size_t)qr->width * (size_t)qr->width);
	QRcode_free(qr);
	return svg;
}

char *qr_svg_data_uri(const char *text)
{
	char *svg, *uri = NULL;
	size_t len, prefix = sizeof(data_uri_prefix) - 1;

	if ((svg = qr_svg(text)) == NULL)
		return NULL;
	len = strlen(svg);
	if ((uri = malloc(prefix + (len + 2) / 3 * 4 + 1)) != NULL) {
		memcpy(uri, data_uri_prefix, prefix);
		EVP_EncodeBlock((unsigned char *)uri + prefix, (const unsigned char *)svg,
		    (int)len);
	}
	qr_svg_free(svg);
	return uri;
}

void qr_svg_free(char *s)
{
	if (s == NULL)
		return;
	OPENSSL_cleanse(s, strlen(s));
	free(s);
}
